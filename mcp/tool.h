// The small interface between the MCP protocol layer and the tools: a tool is a name, its
// schemas, and a handler. The protocol layer validates arguments against input_schema before
// the handler runs, and builds the content/structuredContent reply from the outcome.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace evo::mcp {

// RFC 5424 severities, as MCP logging uses them (ordered: debug is the lowest).
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };
const char* to_string(LogLevel level);
std::optional<LogLevel> parse_log_level(const std::string& s);

// The client's answer to a request the server sent it: a result, or why there is none (an error
// reply, a timeout, a cancelled call, a client that cannot be asked).
struct ClientReply {
  std::optional<nlohmann::json> result;
  std::string error;
};

// Per-call services the protocol layer hands to a handler.
struct ToolContext {
  // Sends notifications/progress when the caller supplied _meta.progressToken; otherwise a
  // no-op. `progress` must increase strictly between calls.
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      report_progress = [](double, std::optional<double>, const std::string&) {};
  // True once notifications/cancelled named this request.
  std::function<bool()> is_cancelled = [] { return false; };
  // Sends notifications/message when `level` is at or above the session's logging level.
  std::function<void(LogLevel, const nlohmann::json& data)> log = [](LogLevel,
                                                                     const nlohmann::json&) {};
  // Sends a request to the client (sampling/createMessage, elicitation/create, roots/list) and
  // waits for its answer. Only 2025-11-25 sessions can; elsewhere the reply is an error.
  std::function<ClientReply(const std::string& method, const nlohmann::json& params)>
      request_client = [](const std::string&, const nlohmann::json&) {
        return ClientReply{std::nullopt, "this client cannot be asked for anything"};
      };
  // Asks Streamable HTTP to close this request's SSE connection before the reply (SEP-1699
  // polling): the client resumes with GET and Last-Event-ID. A no-op on other transports.
  std::function<void()> break_stream = [] {};
  // What the client declared: the initialize capabilities (2025-11-25) or the request's
  // io.modelcontextprotocol/clientCapabilities (2026-07-28).
  nlohmann::json client_capabilities = nlohmann::json::object();
};

// What a handler returns. A domain failure (illegal transition, bad field value, unknown
// branch) is an outcome with is_error = true and a message naming the field and the rule;
// it is never a JSON-RPC error.
struct ToolOutcome {
  nlohmann::json structured = nlohmann::json::object();
  bool is_error = false;
  std::string error_message;
  // Content blocks to send instead of the JSON mirror of `structured` (images, audio, embedded
  // resources). A tool that sets it and declares no outputSchema sends no structuredContent.
  std::optional<nlohmann::json> content;

  static ToolOutcome ok(nlohmann::json structured) {
    return {std::move(structured), false, {}, std::nullopt};
  }
  static ToolOutcome fail(std::string message) {
    return {nlohmann::json::object(), true, std::move(message), std::nullopt};
  }
  // A failure whose members are also sent as structuredContent (the tool's outputSchema must
  // admit them).
  static ToolOutcome fail(std::string message, nlohmann::json structured) {
    return {std::move(structured), true, std::move(message), std::nullopt};
  }
  static ToolOutcome blocks(nlohmann::json content_blocks) {
    return {nlohmann::json::object(), false, {}, std::move(content_blocks)};
  }
};

struct ToolDef {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;  // JSON Schema (draft 7 subset valijson supports), type object
  nlohmann::json
      output_schema;  // describes `structured`: of successes, and of failures that set it
  std::function<ToolOutcome(const nlohmann::json& args, ToolContext& ctx)> handler;
  // True for a tool that talks back to the client while it runs: ToolContext::request_client
  // (sampling, elicitation, roots) or break_stream (SEP-1699 polling). Such a tool always runs
  // on the session's worker, so the transport can stream its request's messages meanwhile.
  // Other tools may run inline on the calling thread where the transport asks for it
  // (SessionOptions::inline_tool_calls); there request_client fails at once and break_stream
  // does nothing.
  bool interactive = false;
  // The structuredContent of a refusal by inputSchema, from its message; none when unset. The
  // tool's outputSchema must admit it.
  std::function<nlohmann::json(const std::string& message)> refusal_content = nullptr;
  // True when `structured` is written from the same field table that produced output_schema
  // (and the tests check every kind of reply against it): the schema is advertised but not
  // compiled and checked again on every call.
  bool output_exact_by_construction = false;
};

}  // namespace evo::mcp
