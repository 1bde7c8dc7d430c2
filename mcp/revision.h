// MCP 2026-07-28, the stateless revision, next to the 2025-11-25 session: which requests are
// "modern", the per-request _meta they carry, and how their results and errors are shaped.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mcp/jsonrpc.h"
#include "mcp/tool.h"

namespace evo::mcp::modern {

inline constexpr const char* kVersion = "2026-07-28";
// Revisions served statelessly, newest first.
inline constexpr const char* kModernVersions[] = {"2026-07-28"};

inline constexpr const char* kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr const char* kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

// Error codes 2026-07-28 defines (HTTP status 400 for all three).
inline constexpr int kHeaderMismatch = -32020;
inline constexpr int kMissingRequiredClientCapability = -32021;
inline constexpr int kUnsupportedProtocolVersion = -32022;
// 2025-11-25's "resource not found"; 2026-07-28 must not emit it and uses -32602 instead.
inline constexpr int kLegacyResourceNotFound = -32002;

// What one modern request says about its client.
struct RequestMeta {
  std::string protocol_version;
  nlohmann::json client_capabilities = nlohmann::json::object();
  std::optional<LogLevel> log_level;  // no notifications/message at all when absent
};

// True for a request served statelessly: server/discover, or any request other than initialize
// whose params._meta names a protocol version.
bool is_modern_request(const std::string& method, const nlohmann::json* params);
// The version a modern request asks for (nullopt when its _meta names none).
std::optional<std::string> requested_version(const nlohmann::json* params);
bool is_modern_version(const std::string& version);
// Every revision this server answers, modern first: server/discover's supportedVersions and the
// `supported` list of -32022.
std::vector<std::string> supported_versions();

// Reads and checks the _meta of a modern request: -32022 for a revision we do not serve
// statelessly, -32602 for a missing or malformed required field. server/discover is lenient: it
// is how a client learns what we speak, so it needs neither field.
std::variant<RequestMeta, jsonrpc::Error> read_meta(const std::string& method,
                                                    const nlohmann::json* params);
jsonrpc::Error unsupported_version(const std::string& requested);

// Methods 2025-11-25 has and 2026-07-28 removed: a modern request for one gets -32601.
bool removed_in_modern(const std::string& method);

// The modern wire shape of a successful result: resultType, the server's identity in _meta, and
// the cache hints of list and read results.
nlohmann::json decorate_result(const std::string& method, nlohmann::json result,
                               const nlohmann::json& server_info);
// The modern code for an error a method produced in 2025-11-25 terms.
jsonrpc::Error translate_error(jsonrpc::Error error);

}  // namespace evo::mcp::modern
