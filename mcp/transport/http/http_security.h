// The request checks of Streamable HTTP that need no server (internal to evo::transport): Host and
// Origin against DNS rebinding, Accept and Content-Type, the bearer token, session ids and the
// header encodings of 2026-07-28.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evo::mcp::transport::http {

// The host part of a Host header or of an Origin's authority ("[::1]:80" -> "::1"), lowercased.
std::optional<std::string> host_of_authority(std::string_view authority);
// The host of an Origin ("http://localhost:3000" -> "localhost"); nullopt for "null" or junk.
std::optional<std::string> host_of_origin(std::string_view origin);
bool is_loopback_host(const std::string& host);

struct HostPolicy {
  std::vector<std::string> hosts;    // extra accepted hosts (lowercase, no port)
  std::vector<std::string> origins;  // extra accepted origins, exactly as a browser sends them
};
// A Host header names this server when it is loopback or listed.
bool host_allowed(const HostPolicy& policy, std::string_view host_header);
// An Origin is accepted when its host is loopback or listed, or the whole origin is listed.
bool origin_allowed(const HostPolicy& policy, std::string_view origin);

// Whether an Accept header lists `media_type` (parameters ignored, "*/*" not enough: MCP asks
// clients to name both types).
bool accepts(std::string_view accept_header, std::string_view media_type);
bool is_json_content_type(std::string_view content_type);

// "Bearer <token>" compared with `expected` in constant time (over SHA-256 digests, so the
// length does not leak either).
bool bearer_matches(std::string_view authorization_header, const std::string& expected);

// 128 bits from OpenSSL's RNG as 32 hex digits; nullopt if the RNG fails.
std::optional<std::string> random_session_id();

// Mcp-Name and Mcp-Param-* values: "=?base64?...?=" is decoded, anything else taken as is.
std::optional<std::string> decode_header_value(std::string_view value);

// 2026-07-28 request metadata headers: MCP-Protocol-Version must equal the body's version,
// Mcp-Method its method, and Mcp-Name (tools/call, prompts/get, resources/read) its
// params.name or params.uri. Why they do not (a -32020 message), or nullopt. server/discover
// may omit the headers: it is the probe a client sends before it knows anything.
using HeaderLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> modern_header_mismatch(const HeaderLookup& header,
                                                  const std::string& method,
                                                  const nlohmann::json* params,
                                                  const std::string& version);

}  // namespace evo::mcp::transport::http
