// 2026-07-28 request metadata and result shaping; see revision.h.
#include "mcp/revision.h"

#include <string>
#include <utility>
#include <variant>

#include "mcp/mcp_session.h"

namespace evo::mcp::modern {
namespace {

using nlohmann::json;

const json* meta_of(const json* params) {
  if (params == nullptr || !params->is_object()) return nullptr;
  const auto it = params->find("_meta");
  return it != params->end() && it->is_object() ? &*it : nullptr;
}

// The prefixed key, else the bare one some early clients send.
const json* meta_field(const json& meta, const char* prefixed) {
  if (const auto it = meta.find(prefixed); it != meta.end()) return &*it;
  const std::string bare = std::string(prefixed).substr(std::string(prefixed).find('/') + 1);
  if (const auto it = meta.find(bare); it != meta.end()) return &*it;
  return nullptr;
}

jsonrpc::Error invalid(std::string message) {
  return jsonrpc::Error{jsonrpc::kInvalidParams, std::move(message), std::nullopt};
}

std::string meta_name(const char* key) {
  return std::string("params._meta[\"") + key + "\"]";
}

// _meta's `key` (see meta_field) when present and of `type`; nullptr when absent and not
// `required`; else an error naming the key and the rule.
std::variant<const json*, jsonrpc::Error> typed_meta_field(const json& meta, const char* key,
                                                           bool required, json::value_t type,
                                                           const char* type_words) {
  const json* field = meta_field(meta, key);
  if (field == nullptr) {
    if (required) return invalid(meta_name(key) + " is required");
    return static_cast<const json*>(nullptr);
  }
  if (field->type() != type) return invalid(meta_name(key) + " must be " + type_words);
  return field;
}

}  // namespace

bool is_modern_request(const std::string& method, const json* params) {
  if (method == "initialize") return false;
  if (method == "server/discover") return true;
  const json* meta = meta_of(params);
  return meta != nullptr && meta_field(*meta, kMetaProtocolVersion) != nullptr;
}

std::optional<std::string> requested_version(const json* params) {
  const json* meta = meta_of(params);
  const json* version = meta != nullptr ? meta_field(*meta, kMetaProtocolVersion) : nullptr;
  if (version == nullptr || !version->is_string()) return std::nullopt;
  return version->get<std::string>();
}

bool is_modern_version(const std::string& version) {
  for (const char* known : kModernVersions) {
    if (version == known) return true;
  }
  return false;
}

std::vector<std::string> supported_versions() {
  std::vector<std::string> out;
  for (const char* v : kModernVersions) out.emplace_back(v);
  for (const char* v : kSupportedProtocolVersions) out.emplace_back(v);
  return out;
}

jsonrpc::Error unsupported_version(const std::string& requested) {
  return jsonrpc::Error{kUnsupportedProtocolVersion, "Unsupported protocol version",
                        json{{"supported", supported_versions()}, {"requested", requested}}};
}

std::variant<RequestMeta, jsonrpc::Error> read_meta(const std::string& method, const json* params) {
  const bool discover = method == "server/discover";
  RequestMeta out;
  const json* meta = meta_of(params);
  if (meta == nullptr) {
    if (discover) {
      out.protocol_version = kVersion;
      return out;
    }
    return invalid("params._meta is required in protocol version 2026-07-28");
  }
  // server/discover may leave out the version and the capabilities; nothing else may.
  const auto version =
      typed_meta_field(*meta, kMetaProtocolVersion, !discover, json::value_t::string, "a string");
  if (const auto* error = std::get_if<jsonrpc::Error>(&version)) return *error;
  if (const json* v = std::get<const json*>(version)) {
    out.protocol_version = v->get<std::string>();
    if (!is_modern_version(out.protocol_version)) return unsupported_version(out.protocol_version);
  } else {
    out.protocol_version = kVersion;
  }
  const auto caps = typed_meta_field(*meta, kMetaClientCapabilities, !discover,
                                     json::value_t::object, "an object");
  if (const auto* error = std::get_if<jsonrpc::Error>(&caps)) return *error;
  if (const json* c = std::get<const json*>(caps)) out.client_capabilities = *c;
  if (const json* level = meta_field(*meta, kMetaLogLevel); level != nullptr) {
    const auto parsed =
        level->is_string() ? parse_log_level(level->get<std::string>()) : std::nullopt;
    if (!parsed) {
      return invalid(meta_name(kMetaLogLevel) +
                     " must be one of debug, info, notice, warning, error, critical, alert, "
                     "emergency");
    }
    out.log_level = parsed;
  }
  return out;
}

bool removed_in_modern(const std::string& method) {
  return method == "ping" || method == "logging/setLevel" || method == "resources/subscribe" ||
         method == "resources/unsubscribe";
}

json decorate_result(const std::string& method, json result, const json& server_info) {
  if (!result.is_object()) result = json::object();
  result["resultType"] = "complete";
  auto& meta = result["_meta"];
  if (!meta.is_object()) meta = json::object();
  meta[kMetaServerInfo] = server_info;
  // The tool and prompt lists are fixed for the life of the process; resources reflect run state.
  if (method == "server/discover" || method == "tools/list" || method == "prompts/list" ||
      method == "resources/templates/list") {
    result["ttlMs"] = 60000;
    result["cacheScope"] = "public";
  } else if (method == "resources/list" || method == "resources/read") {
    result["ttlMs"] = 0;
    result["cacheScope"] = "private";
  }
  return result;
}

jsonrpc::Error translate_error(jsonrpc::Error error) {
  if (error.code == kLegacyResourceNotFound) error.code = jsonrpc::kInvalidParams;
  return error;
}

}  // namespace evo::mcp::modern
