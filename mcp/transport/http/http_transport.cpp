// Streamable HTTP: HttpServer puts its four parts together. The asio front end (http_listener)
// reads each request within its limits and deadlines on one event-loop thread and hands the
// complete request to a request worker; the router (http_router) applies MCP's rules to it,
// with the session table (http_session_table) and the SSE writer (http_sse_writer).
#include "mcp/transport/http/http_transport.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "mcp/transport/http/http_listener.h"
#include "mcp/transport/http/http_router.h"
#include "mcp/transport/http/http_security.h"
#include "mcp/transport/http/http_session_table.h"
#include "mcp/transport/http/http_sse_writer.h"

namespace evo::mcp::transport::http {
namespace {

std::size_t worker_threads(const HttpOptions& options) {
  return options.threads != 0 ? options.threads : 2 * options.max_sessions + 8;
}

// Leaves up to 8 workers (at most half) for refusals and quick messages.
std::size_t default_max_in_flight(std::size_t threads) {
  return std::max<std::size_t>(1, threads - std::min<std::size_t>(8, threads / 2));
}

// Each POSTed request holds a request worker of its own until its reply is written, so a tool
// call that never talks back to the client mid-call runs right there instead of handing off to
// the session's worker and back (two thread switches a call). Interactive tools (sampling,
// elicitation, SEP-1699 polling) stay on the session worker: their stream must flow while they
// run.
SessionOptions http_session_options(SessionOptions options) {
  options.inline_tool_calls = InlineToolCalls::kAlways;
  return options;
}

http::ListenerOptions listener_options(const HttpOptions& options) {
  http::ListenerOptions out;
  out.limits.max_body_bytes = options.max_body_bytes;
  out.limits.max_header_count = options.max_header_count;
  out.limits.max_header_bytes = options.max_header_bytes;
  out.read_timeout = options.read_timeout;
  out.request_timeout = options.request_timeout;
  out.write_timeout = options.write_timeout;
  out.max_connections = options.max_connections;
  out.max_connections_per_ip = options.max_connections_per_ip;
  out.workers = worker_threads(options);
  return out;
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerInfo info, std::shared_ptr<const ToolRegistry> tools,
       std::shared_ptr<spdlog::logger> logger_in, SessionOptions session_options,
       HttpOptions options_in, const SessionSetup* setup)
      : logger(std::move(logger_in)),
        options(std::move(options_in)),
        table(std::move(info), std::move(tools), logger, http_session_options(session_options),
              http::SessionTableOptions{options.max_sessions, options.session_idle_timeout,
                                        options.max_stream_events},
              setup),
        sse(logger, options.keepalive, stopping),
        router(logger, options,
               options.max_in_flight != 0 ? options.max_in_flight
                                          : default_max_in_flight(worker_threads(options)),
               std::min(options.max_body_bytes, session_options.max_message_bytes), table, sse),
        listener(
            logger, listener_options(options),
            [this](const http::Request& req, http::Response& res) { router.handle(req, res); },
            &http::Router::refusal) {}

  const std::shared_ptr<spdlog::logger> logger;
  const HttpOptions options;
  std::atomic<bool> stopping{false};
  http::SessionTable table;
  const http::SseWriter sse;
  http::Router router;
  // Last: destroyed first, so no request is being answered while the rest goes.
  http::Listener listener;
};

HttpServer::HttpServer(ServerInfo info, std::shared_ptr<const ToolRegistry> tools,
                       std::shared_ptr<spdlog::logger> logger, SessionOptions session_options,
                       HttpOptions options, const SessionSetup* setup)
    : impl_(std::make_unique<Impl>(std::move(info), std::move(tools), std::move(logger),
                                   session_options, std::move(options), setup)) {}

HttpServer::~HttpServer() {
  stop();
}

Result<int> HttpServer::bind() {
  const auto& opt = impl_->options;
  const auto host = http::host_of_authority(
      opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host);
  if (!host) return make_error(ErrorCode::kInvalidArgument, "bad address '" + opt.host + "'");
  if (!http::is_loopback_host(*host) && !opt.allow_remote) {
    return make_error(ErrorCode::kInvalidArgument,
                      "refusing to listen on " + opt.host +
                          ": only loopback addresses are allowed without --allow-remote");
  }
  return impl_->listener.bind(opt.host, opt.port);
}

void HttpServer::run() {
  if (impl_->stopping) return;
  impl_->table.start_reaper();
  impl_->listener.run();
}

void HttpServer::stop() {
  Impl& impl = *impl_;
  if (impl.stopping.exchange(true)) return;
  // Sessions first: their queued requests are answered and their streams end, so the workers
  // the listener waits for come free.
  impl.table.close_all();
  impl.listener.stop();
}

std::size_t HttpServer::session_count() const {
  return impl_->table.size();
}

Result<void> parse_listen_address(const std::string& spec, HttpOptions& options) {
  std::string host = options.host;
  std::string port = spec;
  if (!spec.empty() && spec.front() == '[') {
    const auto close = spec.find(']');
    if (close == std::string::npos) return make_error(ErrorCode::kInvalidArgument, "bad address");
    host = spec.substr(1, close - 1);
    port = close + 1 < spec.size() && spec[close + 1] == ':' ? spec.substr(close + 2) : "";
  } else if (const auto colon = spec.rfind(':'); colon != std::string::npos) {
    if (colon > 0) host = spec.substr(0, colon);
    port = spec.substr(colon + 1);
  } else if (spec.find_first_not_of("0123456789") != std::string::npos) {
    host = spec;
    port.clear();
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535) {
      return make_error(ErrorCode::kInvalidArgument, "bad port in '" + spec + "'");
    }
    options.port = std::stoi(port);
  }
  if (host.empty()) return make_error(ErrorCode::kInvalidArgument, "empty address");
  options.host = host;
  return {};
}

}  // namespace evo::mcp::transport::http
