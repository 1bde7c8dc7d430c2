// One MCP server session (revision 2025-11-25, older revisions negotiated down) per client
// connection: lifecycle, dispatch through an extensible method table, tools, logging, progress,
// cancellation and requests to the client. Requests of the stateless 2026-07-28 revision are
// served by the same table, each on its own _meta. No I/O: the transport parses each message
// and hands it in typed (receive(Message)), answering what does not parse through refuse();
// replies go out typed through the injected Outbound.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "mcp/jsonrpc.h"
#include "mcp/outbound.h"
#include "mcp/tool.h"
#include "mcp/tool_registry.h"

namespace evo::mcp {

// Revisions we answer `initialize` with, newest first. A client asking for another gets ours.
inline constexpr const char* kLatestProtocolVersion = "2025-11-25";
inline constexpr const char* kSupportedProtocolVersions[] = {"2025-11-25", "2025-06-18",
                                                             "2025-03-26", "2024-11-05"};
// The `logger` field of every notifications/message.
inline constexpr const char* kClientLoggerName = "evo-engine";

struct ServerInfo {
  std::string name = "evo-engine";
  std::string version;
  std::string title;
  std::string instructions;  // sent in the initialize result when not empty
};

// Where tools/call of a tool that is not ToolDef::interactive runs (2025-11-25 requests only;
// every other method keeps its RunOn).
enum class InlineToolCalls {
  // Always on the session worker: the reading thread stays free while a tool runs.
  kNever,
  // On the thread that called receive(), for transports that give each request a thread of its
  // own (Streamable HTTP).
  kAlways,
  // On the thread that called receive() when the worker has nothing queued or running, else
  // queued behind that work (stdio). Calls keep their arrival order and a tool waiting for the
  // client's answer never blocks the reader, while the usual case, one call at a time, skips a
  // thread hand-off. The price: while such a call runs the reader reads nothing, so a ping or
  // a cancellation waits for it (no evo tool checks for cancellation).
  kWhenIdle,
};

struct SessionOptions {
  std::size_t page_size = 50;  // tools/list page size
  std::size_t max_message_bytes = jsonrpc::kDefaultMaxMessageBytes;
  // Level for notifications/message until the client sends logging/setLevel.
  LogLevel initial_log_level = LogLevel::kInfo;
  // How long a tool waits for the client to answer a request it sent (elicitation waits on a
  // person).
  std::chrono::milliseconds client_request_timeout = std::chrono::minutes(5);
  // Set by the transport: Streamable HTTP uses kAlways, stdio kWhenIdle.
  InlineToolCalls inline_tool_calls = InlineToolCalls::kNever;
};

// What a method handler gets besides its params: the request id plus the per-request services
// a tool gets (progress, cancellation, client logging).
struct RequestContext : ToolContext {
  jsonrpc::RequestId id;
};

// A method's answer: a result object or a JSON-RPC error.
using MethodResult = std::variant<nlohmann::json, jsonrpc::Error>;
// `params` is the request's params, or an empty object when it had none.
using MethodHandler = std::function<MethodResult(const nlohmann::json& params, RequestContext&)>;
using NotificationHandler = std::function<void(const nlohmann::json& params)>;

enum class RunOn {
  kWorker,  // queued on the session's worker, in arrival order (the default)
  kReader,  // answered at once on the thread calling receive(); must be cheap and never block
};

struct MethodOptions {
  RunOn run_on = RunOn::kWorker;
  bool before_initialize = false;  // allowed before `initialize` (only ping is, by default)
};

class McpSession {
 public:
  // `tools` is shared by every session of the process. `out` must outlive the session.
  McpSession(ServerInfo info, std::shared_ptr<const ToolRegistry> tools, Outbound& out,
             std::shared_ptr<spdlog::logger> logger, SessionOptions options = {});
  McpSession(const McpSession&) = delete;
  McpSession& operator=(const McpSession&) = delete;
  ~McpSession();  // close()

  // Extension points for later features (prompts, resources, completion). Call them before the
  // first receive(): the tables are not locked. Registering an existing method replaces it.
  void register_method(std::string method, MethodHandler handler, MethodOptions options = {});
  void register_notification(std::string method, NotificationHandler handler);
  // Declares a capability in the initialize result, e.g. ("prompts", {{"listChanged", false}}).
  void set_capability(const std::string& name, nlohmann::json value);

  // Handles one parsed message. Called by the transport's reading thread; it never waits for
  // tool work, so notifications/cancelled and ping are seen while a tool runs. Never throws.
  void receive(jsonrpc::Message message);
  // Answers a message the transport could not parse with its error (id null unless the failure
  // carries one); a malformed response is only logged. Never throws.
  void refuse(const jsonrpc::ParseFailure& failure);
  // Parses one raw message (up to max_message_bytes()) and does one of the two above: for
  // in-process clients (tests, fuzzers) that have no transport to parse for them.
  void receive(std::string_view raw);
  // SessionOptions::max_message_bytes: the limit a transport parses with.
  std::size_t max_message_bytes() const;
  // Sends notifications/message when initialize has been answered and `level` is at or above the
  // client's level. Any thread.
  void log(LogLevel level, const nlohmann::json& data);
  // Sends a server notification (e.g. notifications/resources/updated) once initialize has been
  // answered. Any thread.
  void notify(const std::string& method, const nlohmann::json& params);
  // Runs `hook` when the session closes (feature registries forget the session there).
  void add_close_hook(std::function<void()> hook);
  // Blocks until every request received so far has been answered (or dropped as cancelled).
  void drain();
  // drain(), then stops the worker. Later requests are answered with an error. Idempotent; the
  // transport calls it on EOF.
  void close();

  // Protocol revision agreed in initialize; empty before it.
  std::string protocol_version() const;
  // True once notifications/initialized has arrived.
  bool client_ready() const;
  LogLevel log_level() const;
  // The capabilities the client declared in initialize; empty before it.
  nlohmann::json client_capabilities() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace evo::mcp
