// Streamable HTTP on cpp-httplib: request checks, the session table, and SSE delivery. Each open
// connection holds one server thread; SSE providers wait on their stream with a short timeout so
// that keep-alives go out and a client that went away frees its thread and its stream.
#include "server/transport/http_transport.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "server/protocol/revision.h"
#include "server/transport/http_security.h"
#include "server/transport/http_session.h"

namespace evo::server {
namespace {

using http::EventStream;
using http::HttpSession;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kEndpoint = "/mcp";
constexpr const char* kSessionHeader = "Mcp-Session-Id";
constexpr const char* kVersionHeader = "MCP-Protocol-Version";
constexpr int kRetryMs = 1000;
constexpr auto kPoll = std::chrono::milliseconds(500);

json error_body(int code, const std::string& message, const std::optional<jsonrpc::RequestId>& id,
                std::optional<json> data = std::nullopt) {
  return jsonrpc::to_json(jsonrpc::make_error(id, jsonrpc::Error{code, message, std::move(data)}));
}

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(jsonrpc::dump_compact(body), "application/json");
}

void reply_error(httplib::Response& res, int status, int code, const std::string& message,
                 const std::optional<jsonrpc::RequestId>& id = std::nullopt) {
  reply(res, status, error_body(code, message, id));
}

bool is_wildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host.empty();
}

// The HTTP status of a plain-JSON 2026-07-28 reply, from the kind of its message.
int modern_status(const http::MessageKind& kind) {
  if (!kind.error_code) return 200;
  const int code = *kind.error_code;
  if (code == jsonrpc::kMethodNotFound) return 404;
  if (code == modern::kHeaderMismatch || code == modern::kMissingRequiredClientCapability ||
      code == modern::kUnsupportedProtocolVersion) {
    return 400;
  }
  return 200;
}

std::size_t worker_threads(const HttpOptions& options) {
  return options.threads != 0 ? options.threads : 2 * options.max_sessions + 8;
}

// Leaves up to 8 threads (at most half) for refusals and quick messages.
std::size_t default_max_in_flight(std::size_t threads) {
  return std::max<std::size_t>(1, threads - std::min<std::size_t>(8, threads / 2));
}

// Why cpp-httplib could not read a request it answers with 400. It fills in remote_addr only
// after the headers, and appends the body as it arrives; a read that waits longer than the read
// timeout fails like a closed connection.
struct ReadFailure {
  int status;
  std::string message;
};
ReadFailure read_failure(const httplib::Request& req, std::chrono::seconds read_timeout) {
  const std::string timeout = std::to_string(read_timeout.count()) + " s";
  if (req.remote_addr.empty()) {
    if (req.path.empty()) {
      return {400, "Bad Request: malformed HTTP request line"};
    }
    return {408,
            "Request Timeout: the request headers were not received completely (nothing arrived "
            "for the read timeout of " +
                timeout +
                ", or the connection closed), or a header line was longer than 8192 "
                "bytes"};
  }
  if (req.has_header("Content-Length")) {
    const auto declared = req.get_header_value<std::uint64_t>("Content-Length");
    if (req.body.size() < declared) {
      return {408, "Request Timeout: the request body was not received completely (" +
                       std::to_string(req.body.size()) + " of " + std::to_string(declared) +
                       " bytes; nothing arrived for the read timeout of " + timeout +
                       ", or the connection closed)"};
    }
  }
  return {400,
          "Bad Request: the request could not be read (malformed, or not received completely "
          "within the read timeout of " +
              timeout + ")"};
}

// Each POSTed request holds a connection thread of its own until its reply is written, so a
// tool call that never talks back to the client mid-call runs right there instead of handing
// off to the session's worker and back (two thread switches a call). Interactive tools (sampling,
// elicitation, SEP-1699 polling) stay on the worker: their stream must flow while they run.
SessionOptions http_session_options(SessionOptions options) {
  options.inline_tool_calls = InlineToolCalls::kAlways;
  return options;
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerInfo info_in, std::shared_ptr<const ToolRegistry> tools_in,
       std::shared_ptr<spdlog::logger> logger_in, SessionOptions session_options_in,
       HttpOptions options_in, const SessionSetup* setup_in)
      : info(std::move(info_in)),
        tools(std::move(tools_in)),
        logger(std::move(logger_in)),
        session_options(http_session_options(session_options_in)),
        options(std::move(options_in)),
        setup(setup_in),
        threads(worker_threads(options)),
        max_in_flight(options.max_in_flight != 0 ? options.max_in_flight
                                                 : default_max_in_flight(threads)) {
    policy.hosts = options.allowed_hosts;
    policy.origins = options.allowed_origins;
    if (const auto bind_host = http::host_of_authority(
            options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host);
        bind_host && !is_wildcard(*bind_host)) {
      policy.hosts.push_back(*bind_host);
    }
  }

  // ---- checks common to every method ----------------------------------------------------------
  httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res) {
    if (!http::host_allowed(policy, req.get_header_value("Host"))) {
      logger->warn("http: refused Host '{}' from {}", req.get_header_value("Host"),
                   req.remote_addr);
      reply_error(res, 403, jsonrpc::kInvalidRequest,
                  "Forbidden: Host header is not an allowed host (DNS rebinding protection)");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Origin") && !http::origin_allowed(policy, req.get_header_value("Origin"))) {
      logger->warn("http: refused Origin '{}'", req.get_header_value("Origin"));
      reply_error(res, 403, jsonrpc::kInvalidRequest, "Forbidden: Origin is not allowed");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!options.auth_token.empty() &&
        !http::bearer_matches(req.get_header_value("Authorization"), options.auth_token)) {
      res.set_header("WWW-Authenticate", "Bearer");
      reply_error(res, 401, jsonrpc::kInvalidRequest,
                  "Unauthorized: send Authorization: Bearer <token>");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.path != kEndpoint) {
      reply_error(res, 404, jsonrpc::kInvalidRequest, "Not found: the MCP endpoint is /mcp");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  // ---- requests and streams in flight ---------------------------------------------------------
  // Each holds a server thread until its reply or stream is done. The pool's queue has no bound,
  // so past the cap a request is refused at once rather than left waiting for a thread; the
  // threads above the cap stay free for those refusals and for quick messages.
  class SlotToken {
   public:
    explicit SlotToken(std::atomic<std::size_t>& count) : count_(count) {}
    SlotToken(const SlotToken&) = delete;
    SlotToken& operator=(const SlotToken&) = delete;
    ~SlotToken() { count_.fetch_sub(1); }

   private:
    std::atomic<std::size_t>& count_;
  };
  using Slot = std::shared_ptr<SlotToken>;

  Slot acquire_slot() {
    std::size_t n = in_flight.load();
    do {
      if (n >= max_in_flight) return nullptr;
    } while (!in_flight.compare_exchange_weak(n, n + 1));
    return std::make_shared<SlotToken>(in_flight);
  }

  void refuse_busy(httplib::Response& res, const std::optional<jsonrpc::RequestId>& id) {
    logger->warn("http: {} requests and streams in flight (the limit); refusing one more",
                 max_in_flight);
    res.set_header("Retry-After", "1");
    reply_error(res, 503, jsonrpc::kInternalError,
                "Service Unavailable: the server is busy (" + std::to_string(max_in_flight) +
                    " requests and streams in flight, the limit); retry shortly",
                id);
  }

  // ---- the session table --------------------------------------------------------------------
  std::shared_ptr<HttpSession> find_session(const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header(kSessionHeader)) {
      reply_error(res, 400, jsonrpc::kInvalidRequest,
                  "Bad Request: Mcp-Session-Id header is required (initialize first)");
      return nullptr;
    }
    const std::string id = req.get_header_value(kSessionHeader);
    std::shared_ptr<HttpSession> session;
    {
      const std::lock_guard lock(mu);
      const auto it = sessions.find(id);
      if (it != sessions.end()) session = it->second;
    }
    if (!session || session->closed()) {
      reply_error(res, 404, jsonrpc::kInvalidRequest, "Not Found: no such session (it ended)");
      return nullptr;
    }
    session->touch();
    return session;
  }

  // Ends sessions idle longer than the limit; returns how many sessions are left.
  std::size_t reap() {
    std::vector<std::shared_ptr<HttpSession>> ended;
    std::size_t left = 0;
    {
      const std::lock_guard lock(mu);
      for (auto it = sessions.begin(); it != sessions.end();) {
        if (it->second->idle_for(options.session_idle_timeout)) {
          ended.push_back(it->second);
          it = sessions.erase(it);
        } else {
          ++it;
        }
      }
      left = sessions.size();
    }
    for (auto& s : ended) {
      logger->info("http: session {} idle, ended", s->id());
      s->close();
    }
    return left;
  }

  std::shared_ptr<HttpSession> make_session(std::string id) {
    return std::make_shared<HttpSession>(std::move(id), info, tools, logger, session_options,
                                         options.max_stream_events, setup);
  }

  bool version_header_ok(const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header(kVersionHeader)) return true;  // 2025-03-26 clients send none
    const std::string version = req.get_header_value(kVersionHeader);
    for (const char* known : kSupportedProtocolVersions) {
      if (version == known) return true;
    }
    reply_error(res, 400, jsonrpc::kInvalidRequest,
                "Bad Request: unsupported MCP-Protocol-Version '" + version + "'");
    return false;
  }

  // ---- POST -----------------------------------------------------------------------------------
  void post(const httplib::Request& req, httplib::Response& res) {
    if (!http::accepts(req.get_header_value("Accept"), "application/json") ||
        !http::accepts(req.get_header_value("Accept"), "text/event-stream")) {
      reply_error(res, 406, jsonrpc::kInvalidRequest,
                  "Not Acceptable: Accept must list application/json and text/event-stream");
      return;
    }
    if (!http::is_json_content_type(req.get_header_value("Content-Type"))) {
      reply_error(res, 415, jsonrpc::kInvalidRequest,
                  "Unsupported Media Type: Content-Type must be application/json");
      return;
    }
    auto parsed = jsonrpc::parse_message(
        req.body, std::min(options.max_body_bytes, session_options.max_message_bytes));
    if (auto* failure = std::get_if<jsonrpc::ParseFailure>(&parsed)) {
      reply(res, 400, jsonrpc::to_json(jsonrpc::make_error(failure->id, failure->error)));
      return;
    }
    auto& message = std::get<jsonrpc::Message>(parsed);
    if (auto* request = std::get_if<jsonrpc::Request>(&message)) {
      auto slot = acquire_slot();
      if (!slot) {
        refuse_busy(res, request->id);
        return;
      }
      if (modern::is_modern_request(request->method,
                                    request->params ? &*request->params : nullptr)) {
        post_modern(req, res, std::move(*request), std::move(slot));
        return;
      }
      if (!version_header_ok(req, res)) return;
      if (request->method == "initialize" && !req.has_header(kSessionHeader)) {
        initialize(req, res, std::move(*request));
        return;
      }
      auto session = find_session(req, res);
      if (!session) return;
      auto stream = session->open_request_stream(request->id);
      if (!stream) {
        if (session->closed()) {
          // Ended (idle reaper, DELETE) between the lookup and here.
          reply_error(res, 404, jsonrpc::kInvalidRequest, "Not Found: no such session (it ended)",
                      request->id);
        } else {
          reply_error(res, 400, jsonrpc::kInvalidRequest,
                      "duplicate request id: a request with this id is still in progress",
                      request->id);
        }
        return;
      }
      session->mcp().receive(std::move(message));
      respond(res, session, stream, false, std::move(slot));
      return;
    }
    // Notifications and responses (answers to our sampling/elicitation requests).
    if (!version_header_ok(req, res)) return;
    auto session = find_session(req, res);
    if (!session) return;
    session->mcp().receive(std::move(message));
    res.status = 202;
  }

  void initialize(const httplib::Request& req, httplib::Response& res, jsonrpc::Request request) {
    const jsonrpc::RequestId id = request.id;
    const auto session_id = http::random_session_id();
    if (!session_id) {
      reply_error(res, 500, jsonrpc::kInternalError, "cannot draw a session id", id);
      return;
    }
    reap();  // idle sessions make room first
    bool full = false;
    {
      // Reserve a place: sessions being initialized count against the cap, so concurrent
      // initializes cannot overshoot it.
      const std::lock_guard lock(mu);
      full = sessions.size() + creating >= options.max_sessions;
      if (!full) creating += 1;
    }
    if (full) {
      res.set_header("Retry-After", "30");
      reply_error(res, 503, jsonrpc::kInternalError,
                  "Service Unavailable: too many sessions (limit " +
                      std::to_string(options.max_sessions) + "); end one with DELETE",
                  id);
      return;
    }
    std::shared_ptr<HttpSession> session;
    std::shared_ptr<EventStream> stream;
    std::optional<EventStream::First> first;
    bool added = false;
    {
      // Gives the reservation back however this block is left: by then the session is in the
      // table, or it never will be.
      struct Release {
        Impl& impl;
        ~Release() {
          const std::lock_guard lock(impl.mu);
          impl.creating -= 1;
        }
      } const release{*this};
      session = make_session(*session_id);
      stream = session->open_request_stream(id);
      session->mcp().receive(std::move(request));  // initialize is answered on this thread
      first = stream->wait_first(std::chrono::seconds(5));
      if (first && first->kind.response && !first->kind.error_code) {
        const std::lock_guard lock(mu);
        if (!stopping) {
          sessions.emplace(*session_id, session);
          added = true;
        }
      }
    }
    if (!added) {
      session->close();
      if (first && first->kind.response && !first->kind.error_code) {
        reply_error(res, 503, jsonrpc::kInternalError, "Service Unavailable: shutting down", id);
      } else {
        if (first) {
          res.status = 400;
          res.set_content(first->data, "application/json");
        } else {
          reply(res, 400, error_body(jsonrpc::kInternalError, "initialize failed", id));
        }
      }
      return;
    }
    stream->attach();
    stream->detach(1);
    session->released(stream);
    logger->info("http: session {} opened by {}", *session_id, req.remote_addr);
    res.set_header(kSessionHeader, *session_id);
    res.status = 200;
    res.set_content(first->data, "application/json");
  }

  // A 2026-07-28 request: no session; headers must mirror the body.
  void post_modern(const httplib::Request& req, httplib::Response& res, jsonrpc::Request request,
                   Slot slot) {
    const json* params = request.params ? &*request.params : nullptr;
    auto meta = modern::read_meta(request.method, params);
    if (auto* error = std::get_if<jsonrpc::Error>(&meta)) {
      reply(res, 400, jsonrpc::to_json(jsonrpc::make_error(request.id, *error)));
      return;
    }
    const auto header = [&req](const char* name) -> std::optional<std::string> {
      if (!req.has_header(name)) return std::nullopt;
      return req.get_header_value(name);
    };
    if (const auto why = http::modern_header_mismatch(
            header, request.method, params, std::get<modern::RequestMeta>(meta).protocol_version)) {
      reply(res, 400, error_body(modern::kHeaderMismatch, "Header mismatch: " + *why, request.id));
      return;
    }
    auto session = make_session("");
    auto stream = session->open_request_stream(request.id);
    session->mcp().receive(std::move(request));
    respond(res, session, stream, true, std::move(slot));
  }

  // ---- replies: plain JSON when it is ready at once, otherwise SSE -----------------------------
  // `slot` is held until the reply is written (with the SSE provider for a stream).
  void respond(httplib::Response& res, const std::shared_ptr<HttpSession>& session,
               const std::shared_ptr<EventStream>& stream, bool stateless, Slot slot) {
    if (const auto first = stream->wait_first(options.json_reply_wait); first && first->only) {
      res.status = stateless ? modern_status(first->kind) : 200;
      res.set_content(first->data, "application/json");
      stream->attach();
      stream->detach(1);
      session->released(stream);
      return;
    }
    stream_events(res, session, stream, 0, stateless, std::move(slot));
  }

  // Streams `stream` from after `from` until it ends (or the client goes away).
  void stream_events(httplib::Response& res, const std::shared_ptr<HttpSession>& session,
                     const std::shared_ptr<EventStream>& stream, std::uint64_t from, bool stateless,
                     Slot slot) {
    struct Cursor {
      std::uint64_t sent;
      bool primed = false;
      Clock::time_point last_write = Clock::now();
    };
    auto cursor = std::make_shared<Cursor>(Cursor{from});
    res.status = 200;
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, stream, cursor, stateless](std::size_t, httplib::DataSink& sink) {
          if (!cursor->primed && !stateless) {
            // 2025-11-25: an id before anything else, so the client can resume from here.
            const auto primer = http::format_event(stream->event_id(cursor->sent), "", kRetryMs);
            if (!sink.write(primer.data(), primer.size())) return false;
          }
          cursor->primed = true;
          const auto batch = stream->wait(cursor->sent, kPoll);
          for (const auto& event : batch.events) {
            const auto text = stateless
                                  ? "data: " + event.data + "\n\n"
                                  : http::format_event(stream->event_id(event.seq), event.data);
            if (!sink.write(text.data(), text.size())) return false;
            cursor->sent = event.seq;
            cursor->last_write = Clock::now();
          }
          if (batch.ended || stopping) {
            sink.done();
            return true;
          }
          if (stream->take_break()) {
            // SEP-1699 polling: close this connection, keep the stream; the client comes back
            // with GET and Last-Event-ID after `retry`.
            sink.done();
            return true;
          }
          if (Clock::now() - cursor->last_write >= options.keepalive) {
            static constexpr char kKeepalive[] = ": keepalive\n\n";
            if (!sink.write(kKeepalive, sizeof(kKeepalive) - 1)) return false;
            cursor->last_write = Clock::now();
          }
          return true;
        },
        // Destroyed with the response, once the connection is done with it: frees the slot.
        [this, session, stream, cursor, stateless, slot = std::move(slot)](bool) {
          const bool finished = stream->ended();
          stream->detach(cursor->sent);
          if (stateless && !finished) {
            // 2026-07-28: closing the response stream cancels the request.
            logger->debug("http: stateless client went away; cancelling its request");
            session->close();
            return;
          }
          session->released(stream);
        });
  }

  // ---- GET: the standalone stream, or a resumed one -----------------------------------------
  void get(const httplib::Request& req, httplib::Response& res) {
    if (!http::accepts(req.get_header_value("Accept"), "text/event-stream")) {
      reply_error(res, 406, jsonrpc::kInvalidRequest,
                  "Not Acceptable: Accept must list text/event-stream");
      return;
    }
    if (!version_header_ok(req, res)) return;
    auto session = find_session(req, res);
    if (!session) return;
    auto slot = acquire_slot();
    if (!slot) {
      refuse_busy(res, std::nullopt);
      return;
    }
    std::shared_ptr<EventStream> stream;
    std::uint64_t from = 0;
    if (req.has_header("Last-Event-ID")) {
      const auto parsed = http::parse_event_id(req.get_header_value("Last-Event-ID"));
      if (parsed) stream = session->find_stream(parsed->first);
      if (!stream) {
        reply_error(res, 404, jsonrpc::kInvalidRequest,
                    "Not Found: Last-Event-ID names no stream of this session");
        return;
      }
      from = parsed->second;
    } else {
      stream = session->standalone();
      if (!stream) {
        reply_error(res, 404, jsonrpc::kInvalidRequest, "Not Found: no such session (it ended)");
        return;
      }
      from = stream->delivered();
    }
    if (!stream->attach()) {
      reply_error(res, 409, jsonrpc::kInvalidRequest,
                  "Conflict: another connection is already reading this stream");
      return;
    }
    stream_events(res, session, stream, from, false, std::move(slot));
  }

  // ---- DELETE ---------------------------------------------------------------------------------
  void del(const httplib::Request& req, httplib::Response& res) {
    auto session = find_session(req, res);
    if (!session) return;
    {
      const std::lock_guard lock(mu);
      sessions.erase(session->id());
    }
    session->close();
    logger->info("http: session {} ended by the client", session->id());
    res.status = 200;
  }

  const ServerInfo info;
  const std::shared_ptr<const ToolRegistry> tools;
  const std::shared_ptr<spdlog::logger> logger;
  const SessionOptions session_options;
  const HttpOptions options;
  const SessionSetup* setup;
  http::HostPolicy policy;

  httplib::Server server;
  std::atomic<bool> stopping{false};
  std::atomic<bool> bound{false};

  const std::size_t threads;
  const std::size_t max_in_flight;
  std::atomic<std::size_t> in_flight{0};

  mutable std::mutex mu;  // guards the fields below
  std::map<std::string, std::shared_ptr<HttpSession>> sessions;
  std::size_t creating = 0;

  std::mutex reaper_mu;
  std::condition_variable reaper_cv;
  std::thread reaper;
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
  Impl& impl = *impl_;
  const auto& opt = impl.options;
  const auto host = http::host_of_authority(
      opt.host.find(':') != std::string::npos ? "[" + opt.host + "]" : opt.host);
  if (!host) return make_error(ErrorCode::kInvalidArgument, "bad address '" + opt.host + "'");
  if (!http::is_loopback_host(*host) && !opt.allow_remote) {
    return make_error(ErrorCode::kInvalidArgument,
                      "refusing to listen on " + opt.host +
                          ": only loopback addresses are allowed without --allow-remote");
  }
  auto& svr = impl.server;
  svr.new_task_queue = [threads = impl.threads] { return new httplib::ThreadPool(threads); };
  // Replies go out as a header write then a body write: with Nagle's algorithm on, the body
  // waits for the client's delayed ACK of the header (~40 ms a call on Linux).
  svr.set_tcp_nodelay(true);
  // cpp-httplib closes a keep-alive connection after 5 requests by default, and its listen
  // backlog is 5: busy clients then reconnect all the time and overflow the backlog (a dropped
  // SYN costs a 1 s retransmit). An open connection holds a thread either way.
  svr.set_keep_alive_max_count(1000);
  svr.set_payload_max_length(opt.max_body_bytes);
  svr.set_read_timeout(opt.read_timeout);
  svr.set_write_timeout(opt.write_timeout);
  svr.set_pre_routing_handler([&impl](const httplib::Request& req, httplib::Response& res) {
    return impl.pre_route(req, res);
  });
  svr.Post(kEndpoint,
           [&impl](const httplib::Request& req, httplib::Response& res) { impl.post(req, res); });
  svr.Get(kEndpoint,
          [&impl](const httplib::Request& req, httplib::Response& res) { impl.get(req, res); });
  svr.Delete(kEndpoint,
             [&impl](const httplib::Request& req, httplib::Response& res) { impl.del(req, res); });
  const auto not_allowed = [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Allow", "GET, POST, DELETE");
    reply_error(res, 405, jsonrpc::kInvalidRequest, "Method Not Allowed");
  };
  svr.Put(kEndpoint, not_allowed);
  svr.Patch(kEndpoint, not_allowed);
  svr.Options(kEndpoint, not_allowed);
  // Errors the library produces itself get a body that says what went wrong: 413 over the body
  // limit, and 400 for a request it could not read. cpp-httplib 0.11.4 answers a read timeout
  // with 400 too; what it leaves in the request tells the cases apart (see read_failure()).
  svr.set_error_handler([&impl](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = "HTTP error " + std::to_string(res.status);
    if (res.status == 413) {
      message = "Payload Too Large: the body limit is " +
                std::to_string(impl.options.max_body_bytes) + " bytes";
    } else if (res.status == 400) {
      const auto failure = read_failure(req, impl.options.read_timeout);
      res.status = failure.status;
      message = failure.message;
      // What the client sends next cannot be told from the rest of this request.
      res.set_header("Connection", "close");
    }
    reply_error(res, res.status, jsonrpc::kInvalidRequest, message);
  });
  int port = opt.port;
  if (port == 0) {
    port = svr.bind_to_any_port(opt.host);
    if (port < 0) return make_error(ErrorCode::kInvalidArgument, "cannot bind " + opt.host);
  } else if (!svr.bind_to_port(opt.host, port)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot bind " + opt.host + ":" + std::to_string(port));
  }
  impl.bound = true;
  return port;
}

void HttpServer::run() {
  Impl& impl = *impl_;
  if (!impl.bound || impl.stopping) return;
  impl.reaper = std::thread([&impl] {
    std::unique_lock lock(impl.reaper_mu);
    while (!impl.stopping) {
      impl.reaper_cv.wait_for(lock, std::chrono::seconds(10));
      if (impl.stopping) break;
      lock.unlock();
      impl.reap();
      lock.lock();
    }
  });
  impl.server.listen_after_bind();
}

void HttpServer::stop() {
  Impl& impl = *impl_;
  if (impl.stopping.exchange(true)) return;
  std::map<std::string, std::shared_ptr<HttpSession>> sessions;
  {
    const std::lock_guard lock(impl.mu);
    sessions.swap(impl.sessions);
  }
  for (auto& [id, session] : sessions) session->close();
  impl.server.stop();
  impl.reaper_cv.notify_all();
  if (impl.reaper.joinable()) impl.reaper.join();
}

std::size_t HttpServer::session_count() const {
  const std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

}  // namespace evo::server
