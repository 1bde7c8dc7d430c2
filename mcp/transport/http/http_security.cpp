// Host/Origin, Accept, bearer-token and session-id helpers; see http_security.h.
#include "mcp/transport/http/http_security.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace evo::mcp::transport::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return digest;
}

}  // namespace

std::optional<std::string> host_of_authority(std::string_view authority) {
  authority = trim(authority);
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    return lower(authority.substr(1, close - 1));
  }
  const auto colon = authority.find(':');
  const auto host = authority.substr(0, colon);
  if (host.empty()) return std::nullopt;
  if (colon != std::string_view::npos) {
    const auto port = authority.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(),
                                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return std::nullopt;
    }
  }
  return lower(host);
}

std::optional<std::string> host_of_origin(std::string_view origin) {
  origin = trim(origin);
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  auto authority = origin.substr(scheme_end + 3);
  if (const auto slash = authority.find('/'); slash != std::string_view::npos) {
    authority = authority.substr(0, slash);
  }
  return host_of_authority(authority);
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1";
}

bool host_allowed(const HostPolicy& policy, std::string_view host_header) {
  const auto host = host_of_authority(host_header);
  return host && (is_loopback_host(*host) || listed(policy.hosts, *host));
}

bool origin_allowed(const HostPolicy& policy, std::string_view origin) {
  if (listed(policy.origins, std::string(trim(origin)))) return true;
  const auto host = host_of_origin(origin);
  return host && (is_loopback_host(*host) || listed(policy.hosts, *host));
}

bool accepts(std::string_view accept_header, std::string_view media_type) {
  const std::string wanted = lower(media_type);
  while (!accept_header.empty()) {
    const auto comma = accept_header.find(',');
    auto item = accept_header.substr(0, comma);
    if (const auto semi = item.find(';'); semi != std::string_view::npos) {
      item = item.substr(0, semi);
    }
    if (lower(trim(item)) == wanted) return true;
    if (comma == std::string_view::npos) break;
    accept_header.remove_prefix(comma + 1);
  }
  return false;
}

bool is_json_content_type(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  return lower(trim(type)) == "application/json";
}

bool bearer_matches(std::string_view authorization_header, const std::string& expected) {
  auto value = trim(authorization_header);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() < kScheme.size() || lower(value.substr(0, kScheme.size())) != kScheme) {
    return false;
  }
  const auto given = sha256(trim(value.substr(kScheme.size())));
  const auto wanted = sha256(expected);
  return CRYPTO_memcmp(given.data(), wanted.data(), given.size()) == 0;
}

std::optional<std::string> random_session_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::optional<std::string> decode_header_value(std::string_view value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  if (value.size() < kPrefix.size() + kSuffix.size() ||
      value.substr(0, kPrefix.size()) != kPrefix ||
      value.substr(value.size() - kSuffix.size()) != kSuffix) {
    return std::string(value);
  }
  const auto encoded = value.substr(kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size());
  if (encoded.size() % 4 != 0) return std::nullopt;
  std::string decoded(encoded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(encoded.data()),
                                static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the bytes '=' padding stands for.
  if (encoded.size() >= 1 && encoded.back() == '=') --size;
  if (encoded.size() >= 2 && encoded[encoded.size() - 2] == '=') --size;
  decoded.resize(size);
  return decoded;
}

std::optional<std::string> modern_header_mismatch(const HeaderLookup& header,
                                                  const std::string& method,
                                                  const nlohmann::json* params,
                                                  const std::string& version) {
  const bool probe = method == "server/discover";
  const auto sent_version = header("MCP-Protocol-Version");
  if (!sent_version) {
    if (!probe) return "MCP-Protocol-Version is missing";
  } else if (*sent_version != version) {
    return "MCP-Protocol-Version '" + *sent_version + "' does not match the body's '" + version +
           "'";
  }
  const auto sent_method = header("Mcp-Method");
  if (!sent_method) {
    if (!probe) return "Mcp-Method is missing";
  } else if (*sent_method != method) {
    return "Mcp-Method '" + *sent_method + "' does not match the body's method '" + method + "'";
  }
  if (method != "tools/call" && method != "prompts/get" && method != "resources/read") {
    return std::nullopt;
  }
  const char* key = method == "resources/read" ? "uri" : "name";
  std::string body_name;
  if (params != nullptr && params->is_object()) {
    const auto it = params->find(key);
    if (it != params->end() && it->is_string()) body_name = it->get<std::string>();
  }
  const auto sent_name = header("Mcp-Name");
  if (!sent_name) return "Mcp-Name is missing";
  const auto decoded = decode_header_value(*sent_name);
  if (!decoded || *decoded != body_name) {
    return std::string("Mcp-Name does not match the body's params.") + key;
  }
  return std::nullopt;
}

}  // namespace evo::mcp::transport::http
