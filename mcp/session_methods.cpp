// The methods every session serves: initialize, ping, logging/setLevel, server/discover,
// tools/list and tools/call (argument validation, outcome shaping, the catch that keeps a throwing
// tool from taking the server down).
#include <algorithm>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "mcp/session_impl.h"

namespace evo::mcp {
namespace {

using nlohmann::json;

jsonrpc::Error invalid_params(std::string message) {
  return jsonrpc::Error{jsonrpc::kInvalidParams, std::move(message), std::nullopt};
}

json text_block(std::string text) {
  return json{{"type", "text"}, {"text", std::move(text)}};
}

// Bad arguments and domain failures are results the model can read and act on, not protocol
// errors.
json tool_error(std::string message) {
  return json{{"content", json::array({text_block(std::move(message))})}, {"isError", true}};
}

// json::value() throws when the field has another type; client info is only logged.
std::string string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string("?");
}

bool supported_version(const std::string& version) {
  for (const char* known : kSupportedProtocolVersions) {
    if (version == known) return true;
  }
  return false;
}

}  // namespace

void McpSession::Impl::register_builtins() {
  capabilities["tools"] = json{{"listChanged", false}};
  capabilities["logging"] = json::object();

  methods["initialize"] =
      MethodEntry{[this](const json& params, RequestContext&) { return initialize(params); },
                  MethodOptions{RunOn::kReader, true}};
  methods["ping"] =
      MethodEntry{[](const json&, RequestContext&) -> MethodResult { return json::object(); },
                  MethodOptions{RunOn::kReader, true}};
  methods["logging/setLevel"] =
      MethodEntry{[this](const json& params, RequestContext&) { return set_level(params); },
                  MethodOptions{RunOn::kReader, false}};
  // 2026-07-28 only: McpSession::Impl::on_request routes every server/discover here.
  methods["server/discover"] =
      MethodEntry{[this](const json&, RequestContext&) { return discover(); },
                  MethodOptions{RunOn::kReader, true}};
  methods["tools/list"] = MethodEntry{
      [this](const json& params, RequestContext&) { return list_tools(params); }, MethodOptions{}};
  methods["tools/call"] = MethodEntry{
      [this](const json& params, RequestContext& ctx) { return call_tool(params, ctx); },
      MethodOptions{}};
}

MethodResult McpSession::Impl::initialize(const json& params) {
  if (!params.is_object()) return invalid_params("initialize params must be an object");
  // exchange(): two racing initializes (possible once HTTP feeds a session from several
  // threads) cannot both succeed.
  if (initialized.exchange(true)) {
    return jsonrpc::Error{jsonrpc::kInvalidRequest, "initialize may be sent only once per session",
                          std::nullopt};
  }

  // Version negotiation is never an error: echo what we support, otherwise offer our latest and
  // let the client decide whether to disconnect.
  std::string version = kLatestProtocolVersion;
  if (const auto asked = params.find("protocolVersion");
      asked != params.end() && asked->is_string() && supported_version(asked->get<std::string>())) {
    version = asked->get<std::string>();
  }
  std::string client = "unknown client";
  if (const auto ci = params.find("clientInfo"); ci != params.end() && ci->is_object()) {
    client = string_field(*ci, "name") + " " + string_field(*ci, "version");
  }
  logger->info("initialize from {}: protocol {}", client, version);

  json server_info{{"name", info.name}, {"version", info.version}};
  if (!info.title.empty()) server_info["title"] = info.title;
  json result{{"protocolVersion", version},
              {"capabilities", capabilities},
              {"serverInfo", std::move(server_info)}};
  if (!info.instructions.empty()) result["instructions"] = info.instructions;
  {
    const std::lock_guard lock(mu);
    protocol_version = version;
    if (const auto caps = params.find("capabilities"); caps != params.end() && caps->is_object()) {
      client_capabilities = *caps;
    }
  }
  return result;
}

MethodResult McpSession::Impl::set_level(const json& params) {
  const auto it = params.is_object() ? params.find("level") : params.end();
  const auto parsed = it != params.end() && it->is_string()
                          ? parse_log_level(it->get<std::string>())
                          : std::nullopt;
  if (!parsed) {
    const std::string given =
        it == params.end() ? "missing" : "'" + jsonrpc::dump_compact(*it) + "'";
    return invalid_params("invalid log level " + given +
                          " (expected one of debug, info, notice, warning, error, critical, "
                          "alert, emergency)");
  }
  level = *parsed;
  logger->debug("client log level set to {}", to_string(*parsed));
  return json::object();
}

MethodResult McpSession::Impl::list_tools(const json& params) const {
  std::size_t offset = 0;
  if (params.is_object()) {
    if (const auto cursor = params.find("cursor"); cursor != params.end() && !cursor->is_null()) {
      const auto decoded = decode_cursor(*cursor, tools->size());
      if (!decoded) return invalid_params("invalid cursor: pass back a nextCursor from tools/list");
      offset = *decoded;
    }
  }
  const std::size_t page = options.page_size == 0 ? 1 : options.page_size;
  const std::size_t end = std::min(tools->size(), offset + page);
  json listed = json::array();
  for (std::size_t i = offset; i < end; ++i) listed.push_back(tools->describe(i));
  json result{{"tools", std::move(listed)}};
  if (end < tools->size()) result["nextCursor"] = encode_cursor(end);
  return result;
}

MethodResult McpSession::Impl::call_tool(const json& params, RequestContext& ctx) const {
  if (!params.is_object()) return invalid_params("tools/call params must be an object");
  const auto name_it = params.find("name");
  if (name_it == params.end() || !name_it->is_string()) {
    return invalid_params("tools/call needs a string 'name'");
  }
  const auto& name = name_it->get_ref<const std::string&>();
  const ToolDef* tool = tools->find(name);
  if (tool == nullptr) return invalid_params("unknown tool '" + name + "'");

  static const json kNoArguments = json::object();
  const json* found = &kNoArguments;  // the request's own arguments are read in place
  if (const auto a = params.find("arguments"); a != params.end() && !a->is_null()) {
    if (!a->is_object()) return invalid_params("tools/call 'arguments' must be an object");
    found = &*a;
  }
  const json& args = *found;
  if (const auto problems = tools->check_arguments(*tool, args); !problems.empty()) {
    logger->debug("{}: refused arguments: {}", name, join(problems, "; "));
    json refused = tool_error(join(problems, "; "));
    if (tool->refusal_content) {
      refused["structuredContent"] = tool->refusal_content(join(problems, "; "));
    }
    return refused;
  }

  ToolOutcome outcome;
  try {
    outcome = tool->handler(args, ctx);
  } catch (const std::exception& e) {
    logger->error("tool {} threw: {}", name, e.what());
    return tool_error(std::string("internal error: ") + e.what());
  } catch (...) {
    logger->error("tool {} threw a non-standard exception", name);
    return tool_error("internal error: unknown exception");
  }
  if (outcome.is_error) {
    logger->debug("{}: {}", name, outcome.error_message);
    json result = tool_error(outcome.error_message.empty() ? "tool '" + name + "' failed"
                                                           : outcome.error_message);
    // The error's members (code, field, rule, branch, ...) beside the text, for agents.
    if (outcome.structured.is_object() && !outcome.structured.empty()) {
      result["structuredContent"] = std::move(outcome.structured);
    }
    return result;
  }
  const bool has_output_schema = !tool->output_schema.is_null() &&
                                 !(tool->output_schema.is_object() && tool->output_schema.empty());
  if (outcome.content && !has_output_schema) {
    return json{{"content", std::move(*outcome.content)}};
  }
  // The official client throws on structuredContent that does not match outputSchema, so a
  // mismatch is our bug and is reported as one instead of being sent.
  if (const auto problems = tools->check_output(*tool, outcome.structured); !problems.empty()) {
    logger->error("tool {} produced output that breaks its outputSchema: {}", name,
                  join(problems, "; "));
    return tool_error(
        "internal error: tool '" + name +
        "' produced output that does not match its outputSchema: " + join(problems, "; "));
  }
  json content = outcome.content
                     ? std::move(*outcome.content)
                     : json::array({text_block(jsonrpc::dump_compact(outcome.structured))});
  return json{{"content", std::move(content)},
              {"structuredContent", std::move(outcome.structured)}};
}

}  // namespace evo::mcp
