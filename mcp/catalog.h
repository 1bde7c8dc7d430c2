// Prompts, resources (with templates and subscriptions) and argument completion: one shared
// catalog per process that installs the MCP methods for them on every session, whatever its
// transport. Production content (and, in a test binary, the conformance fixtures) add entries to
// it.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "mcp/mcp_session.h"

namespace evo::mcp {

using StringMap = std::map<std::string, std::string>;
// Completion values for one argument: its name, the partial value typed so far, and the other
// arguments already chosen (completion/complete's context.arguments).
using Completer = std::function<std::vector<std::string>(
    const std::string& argument, const std::string& partial, const StringMap& context)>;

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

struct PromptDef {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  // The prompts/get result ({description?, messages[]}); required arguments are checked first.
  // kInvalidArgument and kNotFound become -32602.
  std::function<Result<nlohmann::json>(const StringMap& arguments)> get;
  Completer complete;  // optional
};

struct ResourceDef {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  // The contents[] of resources/read. kNotFound becomes "resource not found".
  std::function<Result<nlohmann::json>(const std::string& uri)> read;
};

// An RFC 6570 level-1 template such as `test://template/{id}/data`; a variable matches one or
// more characters other than '/'.
struct ResourceTemplateDef {
  std::string uri_template;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::function<Result<nlohmann::json>(const std::string& uri, const StringMap& variables)> read;
  Completer complete;  // optional
};

// Matches `uri` against a level-1 template; the variables on success.
std::optional<StringMap> match_uri_template(const std::string& uri_template,
                                            const std::string& uri);

class Catalog {
 public:
  Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Add entries before the first session is installed: the lists are read without a lock.
  void add_prompt(PromptDef prompt);
  void add_resource(ResourceDef resource);
  void add_template(ResourceTemplateDef resource_template);
  // Resources that come and go (one set per run, say): called on every resources/list, its
  // entries ({uri, name, title?, description?, mimeType?}) follow the fixed ones. Reading them
  // goes through the templates.
  void add_resource_lister(std::function<std::vector<nlohmann::json>()> lister);
  bool empty() const;

  // Registers prompts/*, resources/* and completion/complete on `session` and declares the
  // capabilities (only for kinds that have entries). Call from a SessionSetup configurer.
  void install(McpSession& session);
  // Sends notifications/resources/updated to every session subscribed to `uri`. Any thread.
  void resource_updated(const std::string& uri);
  // Every URI at least one session is subscribed to (often none: then there is nothing to
  // work out). Any thread.
  std::set<std::string> subscribed_uris();

  // The method bodies, public for the tests.
  MethodResult list_prompts(const nlohmann::json& params) const;
  MethodResult get_prompt(const nlohmann::json& params) const;
  MethodResult list_resources(const nlohmann::json& params) const;
  MethodResult list_templates(const nlohmann::json& params) const;
  MethodResult read_resource(const nlohmann::json& params) const;
  MethodResult complete(const nlohmann::json& params) const;

  static constexpr std::size_t kPageSize = 50;
  static constexpr std::size_t kMaxCompletions = 100;

 private:
  MethodResult subscribe(McpSession* session, const nlohmann::json& params, bool on);
  void forget(McpSession* session);

  std::vector<PromptDef> prompts_;
  std::vector<ResourceDef> resources_;
  std::vector<ResourceTemplateDef> templates_;
  std::vector<std::function<std::vector<nlohmann::json>()>> listers_;

  std::mutex notify_mu_;  // held while notifying; forget() waits for it
  std::mutex mu_;         // guards subscriptions_
  std::map<McpSession*, std::set<std::string>> subscriptions_;
};

}  // namespace evo::mcp
