// Internal to evo::protocol: McpSession's state, shared by the dispatcher (mcp_session.cpp) and
// the built-in methods (session_methods.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcp/mcp_session.h"
#include "mcp/revision.h"
#include "mcp/serial_executor.h"

namespace evo::mcp {

// A request from the moment it is accepted until its reply is sent or suppressed.
struct InFlight {
  jsonrpc::RequestId id;
  std::string method;
  std::optional<nlohmann::json> progress_token;
  std::atomic<bool> cancelled{false};
  // Held while sending progress and while marking the request finished, so no progress
  // notification can follow the reply.
  std::mutex mu;
  bool finished = false;
  bool any_progress = false;
  double last_progress = 0.0;
  // Set for a 2026-07-28 request: served statelessly with what its own _meta says.
  std::optional<modern::RequestMeta> modern;
  // 2026-07-28: client capabilities a request_client() needed that the request's
  // clientCapabilities lack. A failed request with any gets -32021 instead. Guarded by `mu`.
  nlohmann::json missing_capabilities = nlohmann::json::object();
  // Runs inline on the thread that called receive() (SessionOptions::inline_tool_calls).
  bool inline_run = false;
};

// A request the server sent the client, waiting for its response.
struct PendingCall {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  ClientReply reply;
};

struct MethodEntry {
  MethodHandler handler;
  MethodOptions options;
};

struct McpSession::Impl {
  Impl(ServerInfo info, std::shared_ptr<const ToolRegistry> tools, Outbound& out,
       std::shared_ptr<spdlog::logger> logger, SessionOptions options);

  // Dispatcher (mcp_session.cpp).
  void receive(jsonrpc::Message message);
  // Answers (or, for a malformed response, only logs) a message that did not parse.
  void refuse(const jsonrpc::ParseFailure& failure);
  void on_request(jsonrpc::Request request);
  // Accepts a request into the in-flight table and runs it (on the reader or the worker).
  void dispatch(jsonrpc::Request request, const MethodEntry& entry,
                std::optional<modern::RequestMeta> modern_meta);
  // True when `request` may run inline on the calling thread (see inline_tool_calls).
  bool runs_inline(const std::string& method, const nlohmann::json& params,
                   const MethodEntry& entry, const std::optional<modern::RequestMeta>& modern_meta);
  // Waits until no inline tool call is running (but the caller's own, when it is one).
  void wait_inline_idle();
  void on_notification(const jsonrpc::Notification& notification);
  void on_cancelled(const nlohmann::json& params);
  void run(const std::shared_ptr<InFlight>& flight, const MethodEntry& entry,
           const nlohmann::json& params);
  void finish(const std::shared_ptr<InFlight>& flight, MethodResult result);
  RequestContext make_context(const std::shared_ptr<InFlight>& flight);
  void report_progress(InFlight& flight, double progress, std::optional<double> total,
                       const std::string& message);
  void log(LogLevel level, const nlohmann::json& data);
  void send(jsonrpc::Response response);
  void notify(const std::string& method, const nlohmann::json& params);

  // 2026-07-28 requests and server-to-client requests (session_calls.cpp).
  void on_modern_request(jsonrpc::Request request);
  MethodResult discover() const;
  ClientReply request_client(const std::shared_ptr<InFlight>& flight, const std::string& method,
                             const nlohmann::json& params);
  void on_response(const jsonrpc::Response& response);
  void fail_pending_calls();
  nlohmann::json server_info_json() const;

  // Built-in methods (session_methods.cpp).
  void register_builtins();
  MethodResult initialize(const nlohmann::json& params);
  MethodResult set_level(const nlohmann::json& params);
  MethodResult list_tools(const nlohmann::json& params) const;
  MethodResult call_tool(const nlohmann::json& params, RequestContext& ctx) const;

  const ServerInfo info;
  const std::shared_ptr<const ToolRegistry> tools;
  Outbound& out;
  const std::shared_ptr<spdlog::logger> logger;
  const SessionOptions options;

  // Written before the first receive() only.
  std::map<std::string, MethodEntry> methods;
  std::map<std::string, NotificationHandler> notifications;
  nlohmann::json capabilities = nlohmann::json::object();

  // Lifecycle: initialize answered (requests are served), its reply sent (logging may go out),
  // notifications/initialized seen (progress may go out).
  std::atomic<bool> initialized{false};
  std::atomic<bool> logging_open{false};
  std::atomic<bool> client_ready{false};
  std::atomic<bool> closed{false};
  std::atomic<LogLevel> level;

  mutable std::mutex mu;  // guards the fields below
  std::map<jsonrpc::RequestId, std::shared_ptr<InFlight>> in_flight;
  std::string protocol_version;
  nlohmann::json client_capabilities = nlohmann::json::object();
  std::map<jsonrpc::RequestId, std::shared_ptr<PendingCall>> pending_calls;
  std::uint64_t next_call_id = 0;
  std::vector<std::function<void()>> close_hooks;
  // Tool calls running inline on their callers' threads; close() and drain() wait for them.
  std::size_t inline_running = 0;
  std::condition_variable inline_idle;

  // Last member: its thread must be joined before anything it touches is destroyed.
  SerialExecutor executor;
};

}  // namespace evo::mcp
