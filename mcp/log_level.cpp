// RFC 5424 severity names as MCP's logging utility spells them on the wire.
#include <array>
#include <utility>

#include "mcp/tool.h"

namespace evo::mcp {
namespace {

constexpr std::array<std::pair<LogLevel, const char*>, 8> kLevelNames{{
    {LogLevel::kDebug, "debug"},
    {LogLevel::kInfo, "info"},
    {LogLevel::kNotice, "notice"},
    {LogLevel::kWarning, "warning"},
    {LogLevel::kError, "error"},
    {LogLevel::kCritical, "critical"},
    {LogLevel::kAlert, "alert"},
    {LogLevel::kEmergency, "emergency"},
}};

}  // namespace

const char* to_string(LogLevel level) {
  for (const auto& [value, name] : kLevelNames) {
    if (value == level) return name;
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(const std::string& s) {
  // Exact, lower-case names only: the wire enum is case-sensitive.
  for (const auto& [value, name] : kLevelNames) {
    if (s == name) return value;
  }
  return std::nullopt;
}

}  // namespace evo::mcp
