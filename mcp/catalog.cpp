// The prompts, resources and completion methods over the shared Catalog.
#include "mcp/catalog.h"

#include <algorithm>
#include <utility>

#include "mcp/revision.h"
#include "mcp/tool_registry.h"

namespace evo::mcp {
namespace {

using nlohmann::json;

jsonrpc::Error invalid_params(std::string message) {
  return jsonrpc::Error{jsonrpc::kInvalidParams, std::move(message), std::nullopt};
}

jsonrpc::Error not_found(const std::string& uri) {
  return jsonrpc::Error{modern::kLegacyResourceNotFound, "Resource not found: " + uri,
                        json{{"uri", uri}}};
}

jsonrpc::Error to_wire(const Error& error, const std::string& uri) {
  if (error.code == ErrorCode::kNotFound && !uri.empty()) return not_found(uri);
  if (error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kNotFound) {
    return invalid_params(error.message);
  }
  return jsonrpc::Error{jsonrpc::kInternalError, error.message, std::nullopt};
}

std::string string_or_empty(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// One page of `items` (already in wire form) under `key`, from the request's cursor.
MethodResult page(const json& params, const char* key, const std::vector<json>& items) {
  std::size_t offset = 0;
  if (params.is_object()) {
    if (const auto cursor = params.find("cursor"); cursor != params.end() && !cursor->is_null()) {
      const auto decoded = decode_cursor(*cursor, items.size());
      if (!decoded) return invalid_params("invalid cursor: pass back a nextCursor from the list");
      offset = *decoded;
    }
  }
  const std::size_t end = std::min(items.size(), offset + Catalog::kPageSize);
  json listed = json::array();
  for (std::size_t i = offset; i < end; ++i) listed.push_back(items[i]);
  json result{{key, std::move(listed)}};
  if (end < items.size()) result["nextCursor"] = encode_cursor(end);
  return result;
}

void put_optional(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

// The optional members a resource and a resource template share in their listings.
template <typename Def>
void describe(json& entry, const Def& def) {
  put_optional(entry, "title", def.title);
  put_optional(entry, "description", def.description);
  put_optional(entry, "mimeType", def.mime_type);
}

// Reads a {name: string} map such as prompts/get's arguments or completion's context.arguments.
std::optional<StringMap> string_map(const json& object, const char* key, std::string& problem) {
  StringMap out;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_object()) {
    problem = std::string("'") + key + "' must be an object of strings";
    return std::nullopt;
  }
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string()) {
      problem = std::string("'") + key + "." + name + "' must be a string";
      return std::nullopt;
    }
    out.emplace(name, value.get<std::string>());
  }
  return out;
}

}  // namespace

std::optional<StringMap> match_uri_template(const std::string& uri_template,
                                            const std::string& uri) {
  StringMap vars;
  std::size_t t = 0;
  std::size_t u = 0;
  while (t < uri_template.size()) {
    if (uri_template[t] != '{') {
      if (u >= uri.size() || uri[u] != uri_template[t]) return std::nullopt;
      ++t;
      ++u;
      continue;
    }
    const auto close = uri_template.find('}', t);
    if (close == std::string::npos) return std::nullopt;
    const std::string name = uri_template.substr(t + 1, close - t - 1);
    t = close + 1;
    // A variable runs to the next literal character of the template (or the end), never over '/'.
    const char stop = t < uri_template.size() ? uri_template[t] : '\0';
    const std::size_t start = u;
    while (u < uri.size() && uri[u] != '/' && (stop == '\0' || uri[u] != stop)) ++u;
    if (u == start) return std::nullopt;
    vars[name] = uri.substr(start, u - start);
  }
  if (u != uri.size()) return std::nullopt;
  return vars;
}

void Catalog::add_prompt(PromptDef prompt) {
  prompts_.push_back(std::move(prompt));
}
void Catalog::add_resource(ResourceDef resource) {
  resources_.push_back(std::move(resource));
}
void Catalog::add_template(ResourceTemplateDef resource_template) {
  templates_.push_back(std::move(resource_template));
}
void Catalog::add_resource_lister(std::function<std::vector<json>()> lister) {
  listers_.push_back(std::move(lister));
}
bool Catalog::empty() const {
  return prompts_.empty() && resources_.empty() && templates_.empty() && listers_.empty();
}

void Catalog::install(McpSession& session) {
  const auto bind = [this](MethodResult (Catalog::*method)(const json&) const) {
    return [this, method](const json& params, RequestContext&) { return (this->*method)(params); };
  };
  bool completions = false;
  if (!prompts_.empty()) {
    session.set_capability("prompts", json{{"listChanged", false}});
    session.register_method("prompts/list", bind(&Catalog::list_prompts));
    session.register_method("prompts/get", bind(&Catalog::get_prompt));
    for (const auto& p : prompts_) completions = completions || static_cast<bool>(p.complete);
  }
  if (!resources_.empty() || !templates_.empty() || !listers_.empty()) {
    session.set_capability("resources", json{{"subscribe", true}, {"listChanged", false}});
    session.register_method("resources/list", bind(&Catalog::list_resources));
    session.register_method("resources/templates/list", bind(&Catalog::list_templates));
    session.register_method("resources/read", bind(&Catalog::read_resource));
    McpSession* s = &session;
    session.register_method("resources/subscribe", [this, s](const json& params, RequestContext&) {
      return subscribe(s, params, true);
    });
    session.register_method(
        "resources/unsubscribe",
        [this, s](const json& params, RequestContext&) { return subscribe(s, params, false); });
    session.add_close_hook([this, s] { forget(s); });
    for (const auto& t : templates_) completions = completions || static_cast<bool>(t.complete);
  }
  if (completions) {
    session.set_capability("completions", json::object());
    session.register_method("completion/complete", bind(&Catalog::complete));
  }
}

MethodResult Catalog::list_prompts(const json& params) const {
  std::vector<json> items;
  for (const auto& p : prompts_) {
    json entry{{"name", p.name}};
    put_optional(entry, "title", p.title);
    put_optional(entry, "description", p.description);
    if (!p.arguments.empty()) {
      json args = json::array();
      for (const auto& a : p.arguments) {
        json arg{{"name", a.name}, {"required", a.required}};
        put_optional(arg, "description", a.description);
        args.push_back(std::move(arg));
      }
      entry["arguments"] = std::move(args);
    }
    items.push_back(std::move(entry));
  }
  return page(params, "prompts", items);
}

MethodResult Catalog::get_prompt(const json& params) const {
  const std::string name = string_or_empty(params, "name");
  if (name.empty()) return invalid_params("prompts/get needs a string 'name'");
  const auto it = std::find_if(prompts_.begin(), prompts_.end(),
                               [&](const PromptDef& p) { return p.name == name; });
  if (it == prompts_.end()) return invalid_params("unknown prompt '" + name + "'");
  std::string problem;
  const auto args = string_map(params, "arguments", problem);
  if (!args) return invalid_params("prompts/get: " + problem);
  for (const auto& a : it->arguments) {
    if (a.required && args->count(a.name) == 0) {
      return invalid_params("prompt '" + name + "' needs the argument '" + a.name + "'");
    }
  }
  auto result = it->get(*args);
  if (!result) return to_wire(result.error(), {});
  return std::move(result).value();
}

MethodResult Catalog::list_resources(const json& params) const {
  std::vector<json> items;
  for (const auto& r : resources_) {
    json entry{{"uri", r.uri}, {"name", r.name}};
    describe(entry, r);
    items.push_back(std::move(entry));
  }
  for (const auto& lister : listers_) {
    for (auto& entry : lister()) items.push_back(std::move(entry));
  }
  return page(params, "resources", items);
}

MethodResult Catalog::list_templates(const json& params) const {
  std::vector<json> items;
  for (const auto& t : templates_) {
    json entry{{"uriTemplate", t.uri_template}, {"name", t.name}};
    describe(entry, t);
    items.push_back(std::move(entry));
  }
  return page(params, "resourceTemplates", items);
}

MethodResult Catalog::read_resource(const json& params) const {
  const std::string uri = string_or_empty(params, "uri");
  if (uri.empty()) return invalid_params("resources/read needs a string 'uri'");
  for (const auto& r : resources_) {
    if (r.uri != uri) continue;
    auto contents = r.read(uri);
    if (!contents) return to_wire(contents.error(), uri);
    return json{{"contents", std::move(contents).value()}};
  }
  for (const auto& t : templates_) {
    const auto vars = match_uri_template(t.uri_template, uri);
    if (!vars) continue;
    auto contents = t.read(uri, *vars);
    if (!contents) return to_wire(contents.error(), uri);
    return json{{"contents", std::move(contents).value()}};
  }
  return not_found(uri);
}

MethodResult Catalog::subscribe(McpSession* session, const json& params, bool on) {
  const std::string uri = string_or_empty(params, "uri");
  if (uri.empty()) return invalid_params("resources/(un)subscribe needs a string 'uri'");
  const bool known =
      std::any_of(resources_.begin(), resources_.end(),
                  [&](const ResourceDef& r) { return r.uri == uri; }) ||
      std::any_of(templates_.begin(), templates_.end(), [&](const ResourceTemplateDef& t) {
        return match_uri_template(t.uri_template, uri).has_value();
      });
  if (!known) return not_found(uri);
  const std::lock_guard lock(mu_);
  if (on) {
    subscriptions_[session].insert(uri);
  } else if (const auto it = subscriptions_.find(session); it != subscriptions_.end()) {
    it->second.erase(uri);
  }
  return json::object();
}

void Catalog::forget(McpSession* session) {
  // After any notification being sent: a session is never forgotten (and destroyed) while it
  // is being notified.
  const std::lock_guard sending(notify_mu_);
  const std::lock_guard lock(mu_);
  subscriptions_.erase(session);
}

std::set<std::string> Catalog::subscribed_uris() {
  const std::lock_guard lock(mu_);
  std::set<std::string> out;
  for (const auto& [session, uris] : subscriptions_) out.insert(uris.begin(), uris.end());
  return out;
}

void Catalog::resource_updated(const std::string& uri) {
  // notify_mu_ keeps the sessions alive while they are notified; mu_ is held only to pick them,
  // so a client that does not read (a blocked write) never holds up subscribed_uris() or a
  // subscription.
  const std::lock_guard sending(notify_mu_);
  std::vector<McpSession*> targets;
  {
    const std::lock_guard lock(mu_);
    for (const auto& [session, uris] : subscriptions_) {
      if (uris.count(uri) != 0) targets.push_back(session);
    }
  }
  for (McpSession* session : targets) {
    session->notify("notifications/resources/updated", {{"uri", uri}});
  }
}

MethodResult Catalog::complete(const json& params) const {
  const auto ref = params.find("ref");
  const auto argument = params.find("argument");
  if (ref == params.end() || !ref->is_object() || argument == params.end() ||
      !argument->is_object()) {
    return invalid_params("completion/complete needs 'ref' and 'argument' objects");
  }
  const std::string type = string_or_empty(*ref, "type");
  const std::string arg_name = string_or_empty(*argument, "name");
  const std::string partial = string_or_empty(*argument, "value");
  if (arg_name.empty()) return invalid_params("completion/complete needs argument.name");
  StringMap context;
  if (const auto ctx = params.find("context"); ctx != params.end() && ctx->is_object()) {
    std::string problem;
    auto parsed = string_map(*ctx, "arguments", problem);
    if (!parsed) return invalid_params("completion/complete: context." + problem);
    context = std::move(*parsed);
  }
  const Completer* completer = nullptr;
  if (type == "ref/prompt") {
    const std::string name = string_or_empty(*ref, "name");
    const auto it = std::find_if(prompts_.begin(), prompts_.end(),
                                 [&](const PromptDef& p) { return p.name == name; });
    if (it == prompts_.end()) return invalid_params("unknown prompt '" + name + "'");
    completer = &it->complete;
  } else if (type == "ref/resource") {
    const std::string uri = string_or_empty(*ref, "uri");
    const auto it =
        std::find_if(templates_.begin(), templates_.end(),
                     [&](const ResourceTemplateDef& t) { return t.uri_template == uri; });
    if (it == templates_.end()) return invalid_params("unknown resource template '" + uri + "'");
    completer = &it->complete;
  } else {
    return invalid_params("ref.type must be ref/prompt or ref/resource");
  }
  std::vector<std::string> values;
  if (*completer) values = (*completer)(arg_name, partial, context);
  const std::size_t total = values.size();
  if (values.size() > kMaxCompletions) values.resize(kMaxCompletions);
  return json{
      {"completion", {{"values", values}, {"total", total}, {"hasMore", total > values.size()}}}};
}

}  // namespace evo::mcp
