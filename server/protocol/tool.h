// The small interface between the MCP protocol layer and the tools: a tool is a name, its
// schemas, and a handler. The protocol layer validates arguments against input_schema before
// the handler runs, and builds the content/structuredContent reply from the outcome.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace evo::server {

// RFC 5424 severities, as MCP logging uses them (ordered: debug is the lowest).
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
const char* to_string(LogLevel level);
std::optional<LogLevel> parse_log_level(const std::string& s);

// Per-call services the protocol layer hands to a handler.
struct ToolContext {
  // Sends notifications/progress when the caller supplied _meta.progressToken; otherwise a
  // no-op. `progress` must increase strictly between calls.
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      report_progress = [](double, std::optional<double>, const std::string&) {};
  // True once notifications/cancelled named this request.
  std::function<bool()> is_cancelled = [] { return false; };
  // Sends notifications/message when `level` is at or above the session's logging level.
  std::function<void(LogLevel, const nlohmann::json& data)> log =
      [](LogLevel, const nlohmann::json&) {};
};

// What a handler returns. A domain failure (illegal transition, bad field value, unknown
// branch) is an outcome with is_error = true and a message naming the field and the rule;
// it is never a JSON-RPC error.
struct ToolOutcome {
  nlohmann::json structured = nlohmann::json::object();
  bool is_error = false;
  std::string error_message;

  static ToolOutcome ok(nlohmann::json structured) { return {std::move(structured), false, {}}; }
  static ToolOutcome fail(std::string message) {
    return {nlohmann::json::object(), true, std::move(message)};
  }
};

struct ToolDef {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;   // JSON Schema (draft 7 subset valijson supports), type object
  nlohmann::json output_schema;  // describes `structured` of successful outcomes
  std::function<ToolOutcome(const nlohmann::json& args, ToolContext& ctx)> handler;
};

}  // namespace evo::server
