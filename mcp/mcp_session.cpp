// McpSession's dispatcher: envelope errors, lifecycle gating, the in-flight table behind
// cancellation and progress, and the one last-resort catch around method handlers.
#include "mcp/mcp_session.h"

#include <cmath>
#include <exception>
#include <utility>

#include "mcp/session_impl.h"

namespace evo::mcp {
namespace {

using nlohmann::json;

constexpr std::size_t kLoggedPrefix = 200;

std::string excerpt(std::string_view raw) {
  if (raw.size() <= kLoggedPrefix) return std::string(raw);
  return std::string(raw.substr(0, kLoggedPrefix)) + "...";
}

std::optional<json> progress_token_of(const json& params) {
  if (!params.is_object()) return std::nullopt;
  const auto meta = params.find("_meta");
  if (meta == params.end() || !meta->is_object()) return std::nullopt;
  const auto token = meta->find("progressToken");
  if (token == meta->end() || !(token->is_string() || token->is_number())) return std::nullopt;
  return *token;
}

// The session whose tool call this thread is running inline, if any: drain() and close() from
// inside that call must not wait for it.
thread_local const McpSession::Impl* t_inline_session = nullptr;

}  // namespace

McpSession::Impl::Impl(ServerInfo info_in, std::shared_ptr<const ToolRegistry> tools_in,
                       Outbound& out_in, std::shared_ptr<spdlog::logger> logger_in,
                       SessionOptions options_in)
    : info(std::move(info_in)),
      tools(std::move(tools_in)),
      out(out_in),
      logger(std::move(logger_in)),
      options(options_in),
      level(options_in.initial_log_level),
      executor(logger) {}

void McpSession::Impl::send(jsonrpc::Response response) {
  out.send(std::move(response));
}

void McpSession::Impl::refuse(const jsonrpc::ParseFailure& failure) {
  if (!failure.reply) {
    logger->debug("dropped a malformed response: {}", failure.error.message);
    return;
  }
  logger->debug("refused a message: {}", failure.error.message);
  send(jsonrpc::make_error(failure.id, failure.error));
}

void McpSession::Impl::receive(jsonrpc::Message message) {
  if (logger->should_log(spdlog::level::trace)) {
    logger->trace("<- {}", excerpt(jsonrpc::dump_compact(jsonrpc::to_json(message))));
  }
  if (auto* request = std::get_if<jsonrpc::Request>(&message)) {
    on_request(std::move(*request));
  } else if (const auto* notification = std::get_if<jsonrpc::Notification>(&message)) {
    on_notification(*notification);
  } else {
    on_response(std::get<jsonrpc::Response>(message));
  }
}

void McpSession::Impl::on_request(jsonrpc::Request request) {
  if (modern::is_modern_request(request.method, request.params ? &*request.params : nullptr)) {
    on_modern_request(std::move(request));
    return;
  }
  const auto entry_it = methods.find(request.method);
  // Method-not-found comes before the lifecycle check, so an unknown method never reads as "not
  // initialized". server/discover never gets here: it is always served as a 2026-07-28 request.
  if (entry_it == methods.end() || request.method == "server/discover") {
    send(jsonrpc::make_error(request.id, jsonrpc::kMethodNotFound,
                             "Method not found: " + request.method));
    return;
  }
  const MethodEntry& entry = entry_it->second;
  if (closed) {
    send(jsonrpc::make_error(request.id, jsonrpc::kInternalError, "session is shutting down"));
    return;
  }
  if (!initialized && !entry.options.before_initialize) {
    send(jsonrpc::make_error(request.id, jsonrpc::kInvalidRequest,
                             "server not initialized: send initialize first"));
    return;
  }
  dispatch(std::move(request), entry, std::nullopt);
}

void McpSession::Impl::dispatch(jsonrpc::Request request, const MethodEntry& entry,
                                std::optional<modern::RequestMeta> modern_meta) {
  auto flight = std::make_shared<InFlight>();
  flight->id = request.id;
  flight->method = request.method;
  flight->modern = std::move(modern_meta);
  json params = request.params ? std::move(*request.params) : json::object();
  flight->progress_token = progress_token_of(params);
  flight->inline_run = runs_inline(request.method, params, entry, flight->modern);
  bool duplicate = false;
  bool shutting_down = false;
  {
    // Nothing is sent while `mu` is held: the Outbound may block on a full pipe.
    const std::lock_guard lock(mu);
    duplicate = in_flight.count(flight->id) != 0;
    if (!duplicate && flight->inline_run && closed) {
      // close() may already be waiting for the inline calls: none may start now.
      shutting_down = true;
    } else if (!duplicate && entry.options.run_on == RunOn::kWorker) {
      in_flight.emplace(flight->id, flight);
      if (flight->inline_run) ++inline_running;
    }
  }
  if (duplicate) {
    send(jsonrpc::make_error(request.id, jsonrpc::kInvalidRequest,
                             "duplicate request id " + jsonrpc::id_to_string(request.id) +
                                 ": a request with this id is still in progress"));
    return;
  }
  if (shutting_down) {
    send(jsonrpc::make_error(request.id, jsonrpc::kInternalError, "session is shutting down"));
    return;
  }

  if (flight->inline_run) {
    // In the in-flight table like a worker request, so notifications/cancelled (on another
    // thread) finds it; close() and drain() wait until it is done.
    struct Done {
      Impl& impl;
      const Impl* outer;
      ~Done() {
        t_inline_session = outer;
        {
          const std::lock_guard lock(impl.mu);
          --impl.inline_running;
        }
        impl.inline_idle.notify_all();
      }
    } const done{*this, t_inline_session};
    t_inline_session = this;
    run(flight, entry, params);
    return;
  }
  if (entry.options.run_on == RunOn::kReader) {
    run(flight, entry, params);
    return;
  }
  const MethodEntry* entry_ptr = &entry;  // the table is fixed once messages flow
  const bool posted = executor.post(
      [this, flight, entry_ptr, p = std::move(params)] { run(flight, *entry_ptr, p); });
  if (!posted) {
    finish(flight, jsonrpc::Error{jsonrpc::kInternalError, "session is shutting down", {}});
  }
}

bool McpSession::Impl::runs_inline(const std::string& method, const json& params,
                                   const MethodEntry& entry,
                                   const std::optional<modern::RequestMeta>& modern_meta) {
  // 2026-07-28 requests stay on the worker: closing their response stream cancels them, which
  // a transport can only notice while its thread is free to watch the connection.
  if (options.inline_tool_calls == InlineToolCalls::kNever || modern_meta ||
      method != "tools/call" || entry.options.run_on != RunOn::kWorker) {
    return false;
  }
  // A request naming no valid tool is refused by call_tool at once: inline is fine.
  const ToolDef* tool = nullptr;
  if (params.is_object()) {
    const auto name = params.find("name");
    if (name != params.end() && name->is_string()) {
      tool = tools->find(name->get_ref<const std::string&>());
    }
  }
  if (tool != nullptr && tool->interactive) return false;
  // kWhenIdle: the reader is the only thread that posts, so an idle worker stays idle until
  // this call returns, and nothing queued is overtaken.
  return options.inline_tool_calls == InlineToolCalls::kAlways || executor.idle();
}

void McpSession::Impl::wait_inline_idle() {
  const std::size_t own = t_inline_session == this ? 1 : 0;
  std::unique_lock lock(mu);
  inline_idle.wait(lock, [&] { return inline_running <= own; });
}

void McpSession::Impl::run(const std::shared_ptr<InFlight>& flight, const MethodEntry& entry,
                           const json& params) {
  if (flight->cancelled) {
    logger->debug("skipped cancelled request {} ({})", jsonrpc::id_to_string(flight->id),
                  flight->method);
    finish(flight, json::object());  // finish() drops it: the reply is suppressed
    return;
  }
  RequestContext ctx = make_context(flight);
  MethodResult result;
  // The one last-resort catch: a throwing handler becomes an error reply, never a dead server.
  try {
    result = entry.handler(params, ctx);
  } catch (const std::exception& e) {
    logger->error("{} threw: {}", flight->method, e.what());
    result =
        jsonrpc::Error{jsonrpc::kInternalError, std::string("internal error: ") + e.what(), {}};
  } catch (...) {
    logger->error("{} threw a non-standard exception", flight->method);
    result = jsonrpc::Error{jsonrpc::kInternalError, "internal error: unknown exception", {}};
  }
  const bool opened_session =
      !flight->modern && flight->method == "initialize" && result.index() == 0;
  finish(flight, std::move(result));
  // Log lines may go out only after the initialize reply itself.
  if (opened_session) logging_open = true;
}

void McpSession::Impl::finish(const std::shared_ptr<InFlight>& flight, MethodResult result) {
  json missing;
  {
    const std::lock_guard lock(flight->mu);
    flight->finished = true;
    missing = flight->missing_capabilities;
  }
  if (flight->modern && !missing.empty()) {
    // 2026-07-28: a request that failed for want of a client capability says which (-32021),
    // so the client can declare it and retry. A tool that managed without keeps its result.
    const auto* value = std::get_if<json>(&result);
    const bool failed = value == nullptr || (value->is_object() && value->value("isError", false));
    if (failed) {
      std::string names;
      for (const auto& item : missing.items()) {
        names += (names.empty() ? "" : ", ") + item.key();
      }
      result = jsonrpc::Error{modern::kMissingRequiredClientCapability,
                              "Missing required client capability: " + names,
                              json{{"requiredCapabilities", std::move(missing)}}};
    }
  }
  bool cancelled = false;
  {
    // Under `mu`, so a cancel either finds the request (and the reply is suppressed) or finds
    // nothing (and is ignored): never both a cancel and a reply.
    const std::lock_guard lock(mu);
    const auto it = in_flight.find(flight->id);
    if (it != in_flight.end() && it->second == flight) in_flight.erase(it);
    cancelled = flight->cancelled;
  }
  if (cancelled) {
    logger->debug("reply to cancelled request {} suppressed", jsonrpc::id_to_string(flight->id));
    out.end_related(flight->id);
    return;
  }
  if (auto* error = std::get_if<jsonrpc::Error>(&result)) {
    if (flight->modern) *error = modern::translate_error(std::move(*error));
    send(jsonrpc::make_error(flight->id, std::move(*error)));
  } else if (flight->modern) {
    send(jsonrpc::make_result(
        flight->id, modern::decorate_result(flight->method, std::get<json>(std::move(result)),
                                            server_info_json())));
  } else {
    send(jsonrpc::make_result(flight->id, std::get<json>(std::move(result))));
  }
}

RequestContext McpSession::Impl::make_context(const std::shared_ptr<InFlight>& flight) {
  RequestContext ctx;
  ctx.id = flight->id;
  ctx.is_cancelled = [flight] { return flight->cancelled.load(); };
  ctx.report_progress = [this, flight](double progress, std::optional<double> total,
                                       const std::string& message) {
    report_progress(*flight, progress, total, message);
  };
  if (flight->inline_run) {
    // Nothing would carry the request to the client while the caller's thread runs the tool:
    // waiting for an answer would only time out. Tools that ask set ToolDef::interactive.
    ctx.request_client = [this, flight](const std::string& method, const json&) {
      logger->error(
          "a tool asked the client ({}) while running inline for request {}; mark it "
          "ToolDef::interactive",
          method, jsonrpc::id_to_string(flight->id));
      return ClientReply{std::nullopt,
                         "this tool cannot ask the client: it is not marked "
                         "interactive"};
    };
    ctx.break_stream = [this, flight] {
      logger->warn(
          "break_stream ignored for request {}: the tool runs inline (not marked "
          "interactive)",
          jsonrpc::id_to_string(flight->id));
    };
  } else {
    ctx.request_client = [this, flight](const std::string& method, const json& params) {
      return request_client(flight, method, params);
    };
    ctx.break_stream = [this, flight] {
      if (!flight->modern) out.break_stream(flight->id);  // 2026-07-28 streams do not resume
    };
  }
  if (flight->modern) {
    ctx.client_capabilities = flight->modern->client_capabilities;
    // 2026-07-28: log lines only when this request asked for them, at its own level.
    ctx.log = [this, flight](LogLevel lvl, const json& data) {
      const auto wanted = flight->modern->log_level;
      if (!wanted || lvl < *wanted) return;
      json params{{"level", to_string(lvl)}, {"logger", kClientLoggerName}, {"data", data}};
      out.send_related(jsonrpc::Notification{"notifications/message", std::move(params)},
                       flight->id);
    };
    return ctx;
  }
  {
    const std::lock_guard lock(mu);
    ctx.client_capabilities = client_capabilities;
  }
  ctx.log = [this, flight](LogLevel lvl, const json& data) {
    if (!logging_open || lvl < level.load()) return;
    json params{{"level", to_string(lvl)}, {"logger", kClientLoggerName}, {"data", data}};
    out.send_related(jsonrpc::Notification{"notifications/message", std::move(params)}, flight->id);
  };
  return ctx;
}

void McpSession::Impl::report_progress(InFlight& flight, double progress,
                                       std::optional<double> total, const std::string& message) {
  if (!flight.progress_token || (!flight.modern && !client_ready)) return;
  if (!std::isfinite(progress) || (total && !std::isfinite(*total))) return;
  const std::lock_guard lock(flight.mu);
  if (flight.finished || flight.cancelled) return;
  if (flight.any_progress && !(progress > flight.last_progress)) {
    logger->debug("dropped non-increasing progress {} for request {}", progress,
                  jsonrpc::id_to_string(flight.id));
    return;
  }
  flight.any_progress = true;
  flight.last_progress = progress;
  json params{{"progressToken", *flight.progress_token}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  out.send_related(jsonrpc::Notification{"notifications/progress", std::move(params)}, flight.id);
}

void McpSession::Impl::log(LogLevel lvl, const json& data) {
  if (!logging_open || lvl < level.load()) return;
  json params{{"level", to_string(lvl)}, {"logger", kClientLoggerName}, {"data", data}};
  out.send(jsonrpc::Notification{"notifications/message", std::move(params)});
}

void McpSession::Impl::notify(const std::string& method, const json& params) {
  if (!logging_open || closed) return;
  out.send(jsonrpc::Notification{method, params});
}

void McpSession::Impl::on_notification(const jsonrpc::Notification& notification) {
  const json params = notification.params.value_or(json::object());
  if (notification.method == "notifications/cancelled") {
    on_cancelled(params);
    return;
  }
  if (notification.method == "notifications/initialized") {
    if (!initialized) {
      logger->warn("notifications/initialized before initialize: ignored");
      return;
    }
    client_ready = true;
    return;
  }
  const auto it = notifications.find(notification.method);
  if (it == notifications.end()) {
    logger->debug("ignored notification {}", notification.method);
    return;
  }
  try {
    it->second(params);
  } catch (const std::exception& e) {
    logger->error("notification {} threw: {}", notification.method, e.what());
  } catch (...) {
    logger->error("notification {} threw a non-standard exception", notification.method);
  }
}

void McpSession::Impl::on_cancelled(const json& params) {
  const auto request_id = params.is_object() ? params.find("requestId") : params.end();
  const auto id = request_id != params.end() ? jsonrpc::id_from_json(*request_id) : std::nullopt;
  if (!id) {
    logger->debug("notifications/cancelled without a usable requestId: ignored");
    return;
  }
  bool found = false;
  {
    const std::lock_guard lock(mu);
    // Only queued or running worker (and inline tool) requests are in the table; initialize
    // (answered on the reader before any cancel can arrive) and finished requests are not, so
    // cancelling them is a no-op.
    const auto it = in_flight.find(*id);
    if (it != in_flight.end()) {
      it->second->cancelled = true;
      found = true;
    }
  }
  if (!found) {
    logger->debug("cancel for unknown or finished request {}: ignored", jsonrpc::id_to_string(*id));
    return;
  }
  const auto reason = params.find("reason");
  const bool has_reason = reason != params.end() && reason->is_string();
  logger->debug("request {} cancelled{}{}", jsonrpc::id_to_string(*id), has_reason ? ": " : "",
                has_reason ? reason->get<std::string>() : std::string());
}

McpSession::McpSession(ServerInfo info, std::shared_ptr<const ToolRegistry> tools, Outbound& out,
                       std::shared_ptr<spdlog::logger> logger, SessionOptions options)
    : impl_(std::make_unique<Impl>(std::move(info), std::move(tools), out, std::move(logger),
                                   options)) {
  impl_->register_builtins();
}

McpSession::~McpSession() {
  close();
}

void McpSession::register_method(std::string method, MethodHandler handler, MethodOptions options) {
  impl_->methods.insert_or_assign(std::move(method), MethodEntry{std::move(handler), options});
}

void McpSession::register_notification(std::string method, NotificationHandler handler) {
  impl_->notifications.insert_or_assign(std::move(method), std::move(handler));
}

void McpSession::set_capability(const std::string& name, json value) {
  impl_->capabilities[name] = std::move(value);
}

void McpSession::receive(jsonrpc::Message message) {
  try {
    impl_->receive(std::move(message));
  } catch (const std::exception& e) {
    // Only an Outbound or allocation failure can get here; the reading loop must go on.
    impl_->logger->error("receive failed: {}", e.what());
  }
}

void McpSession::refuse(const jsonrpc::ParseFailure& failure) {
  try {
    impl_->refuse(failure);
  } catch (const std::exception& e) {
    impl_->logger->error("refusing a message failed: {}", e.what());
  }
}

void McpSession::receive(std::string_view raw) {
  auto parsed = jsonrpc::parse_message(raw, impl_->options.max_message_bytes);
  if (auto* failure = std::get_if<jsonrpc::ParseFailure>(&parsed)) {
    refuse(*failure);
    return;
  }
  receive(std::get<jsonrpc::Message>(std::move(parsed)));
}

std::size_t McpSession::max_message_bytes() const {
  return impl_->options.max_message_bytes;
}

void McpSession::log(LogLevel level, const json& data) {
  impl_->log(level, data);
}

void McpSession::notify(const std::string& method, const json& params) {
  impl_->notify(method, params);
}

void McpSession::add_close_hook(std::function<void()> hook) {
  const std::lock_guard lock(impl_->mu);
  impl_->close_hooks.push_back(std::move(hook));
}

void McpSession::drain() {
  if (!impl_->executor.on_worker()) impl_->executor.drain();
  impl_->wait_inline_idle();
}

void McpSession::close() {
  if (impl_->closed.exchange(true)) return;
  impl_->fail_pending_calls();  // a tool waiting on the client must not hold up the shutdown
  impl_->executor.stop();
  impl_->wait_inline_idle();
  std::vector<std::function<void()>> hooks;
  {
    const std::lock_guard lock(impl_->mu);
    hooks.swap(impl_->close_hooks);
  }
  for (auto& hook : hooks) hook();
}

std::string McpSession::protocol_version() const {
  const std::lock_guard lock(impl_->mu);
  return impl_->protocol_version;
}

bool McpSession::client_ready() const {
  return impl_->client_ready;
}

LogLevel McpSession::log_level() const {
  return impl_->level.load();
}

json McpSession::client_capabilities() const {
  const std::lock_guard lock(impl_->mu);
  return impl_->client_capabilities;
}

}  // namespace evo::mcp
