// The router of Streamable HTTP; see http_router.h.
#include "mcp/transport/http/http_router.h"

#include <utility>

#include "mcp/revision.h"

namespace evo::mcp::transport::http {
namespace {

using nlohmann::json;

constexpr const char* kEndpoint = "/mcp";
constexpr const char* kSessionHeader = "Mcp-Session-Id";
constexpr const char* kVersionHeader = "MCP-Protocol-Version";

json error_body(int code, const std::string& message, const std::optional<jsonrpc::RequestId>& id,
                std::optional<json> data = std::nullopt) {
  return jsonrpc::to_json(jsonrpc::make_error(id, jsonrpc::Error{code, message, std::move(data)}));
}

void reply(Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(jsonrpc::dump_compact(body), "application/json");
}

void reply_error(Response& res, int status, int code, const std::string& message,
                 const std::optional<jsonrpc::RequestId>& id = std::nullopt) {
  reply(res, status, error_body(code, message, id));
}

bool is_wildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host.empty();
}

// The HTTP status of a plain-JSON 2026-07-28 reply, from the kind of its message.
int modern_status(const MessageKind& kind) {
  if (!kind.error_code) return 200;
  const int code = *kind.error_code;
  if (code == jsonrpc::kMethodNotFound) return 404;
  if (code == modern::kHeaderMismatch || code == modern::kMissingRequiredClientCapability ||
      code == modern::kUnsupportedProtocolVersion) {
    return 400;
  }
  return 200;
}

bool is_result(const MessageKind& kind) {
  return kind.response && !kind.error_code;
}

}  // namespace

// Each request or stream in flight holds a request worker until its reply or stream is done.
// Past the cap a request is refused at once rather than queued; the workers above the cap stay
// free for those refusals and for quick messages.
class Router::SlotToken {
 public:
  explicit SlotToken(std::atomic<std::size_t>& count) : count_(count) {}
  SlotToken(const SlotToken&) = delete;
  SlotToken& operator=(const SlotToken&) = delete;
  ~SlotToken() { count_.fetch_sub(1); }

 private:
  std::atomic<std::size_t>& count_;
};

Router::Router(std::shared_ptr<spdlog::logger> logger, const HttpOptions& options,
               std::size_t max_in_flight, std::size_t max_message_bytes, SessionTable& table,
               const SseWriter& sse)
    : logger_(std::move(logger)),
      options_(options),
      max_in_flight_(max_in_flight),
      max_message_bytes_(max_message_bytes),
      table_(table),
      sse_(sse) {
  policy_.hosts = options.allowed_hosts;
  policy_.origins = options.allowed_origins;
  if (const auto bind_host = host_of_authority(
          options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host);
      bind_host && !is_wildcard(*bind_host)) {
    policy_.hosts.push_back(*bind_host);
  }
}

void Router::refusal(int status, const std::string& message, Response& res) {
  reply_error(res, status, jsonrpc::kInvalidRequest, message);
  res.close = true;  // what the client sends next cannot be told from the rest of this request
}

void Router::handle(const Request& req, Response& res) {
  if (!pre_route(req, res)) return;
  if (req.method == "POST") {
    post(req, res);
  } else if (req.method == "GET") {
    get(req, res);
  } else if (req.method == "DELETE") {
    del(req, res);
  } else {
    res.set_header("Allow", "GET, POST, DELETE");
    reply_error(res, 405, jsonrpc::kInvalidRequest, "Method Not Allowed");
  }
}

// ---- checks common to every method --------------------------------------------------------
bool Router::pre_route(const Request& req, Response& res) {
  if (!host_allowed(policy_, req.get_header_value("Host"))) {
    logger_->warn("http: refused Host '{}' from {}", req.get_header_value("Host"), req.remote_addr);
    reply_error(res, 403, jsonrpc::kInvalidRequest,
                "Forbidden: Host header is not an allowed host (DNS rebinding protection)");
    return false;
  }
  if (req.has_header("Origin") && !origin_allowed(policy_, req.get_header_value("Origin"))) {
    logger_->warn("http: refused Origin '{}'", req.get_header_value("Origin"));
    reply_error(res, 403, jsonrpc::kInvalidRequest, "Forbidden: Origin is not allowed");
    return false;
  }
  if (!options_.auth_token.empty() &&
      !bearer_matches(req.get_header_value("Authorization"), options_.auth_token)) {
    res.set_header("WWW-Authenticate", "Bearer");
    reply_error(res, 401, jsonrpc::kInvalidRequest,
                "Unauthorized: send Authorization: Bearer <token>");
    return false;
  }
  if (req.path != kEndpoint) {
    reply_error(res, 404, jsonrpc::kInvalidRequest, "Not found: the MCP endpoint is /mcp");
    return false;
  }
  return true;
}

// ---- requests and streams in flight -------------------------------------------------------
Router::Slot Router::acquire_slot() {
  std::size_t n = in_flight_.load();
  do {
    if (n >= max_in_flight_) return nullptr;
  } while (!in_flight_.compare_exchange_weak(n, n + 1));
  return std::make_shared<SlotToken>(in_flight_);
}

void Router::refuse_busy(Response& res, const std::optional<jsonrpc::RequestId>& id) {
  logger_->warn("http: {} requests and streams in flight (the limit); refusing one more",
                max_in_flight_);
  res.set_header("Retry-After", "1");
  reply_error(res, 503, jsonrpc::kInternalError,
              "Service Unavailable: the server is busy (" + std::to_string(max_in_flight_) +
                  " requests and streams in flight, the limit); retry shortly",
              id);
}

std::shared_ptr<HttpSession> Router::find_session(const Request& req, Response& res) {
  if (!req.has_header(kSessionHeader)) {
    reply_error(res, 400, jsonrpc::kInvalidRequest,
                "Bad Request: Mcp-Session-Id header is required (initialize first)");
    return nullptr;
  }
  auto session = table_.find(req.get_header_value(kSessionHeader));
  if (!session) {
    reply_error(res, 404, jsonrpc::kInvalidRequest, "Not Found: no such session (it ended)");
  }
  return session;
}

bool Router::version_header_ok(const Request& req, Response& res) {
  if (!req.has_header(kVersionHeader)) return true;  // 2025-03-26 clients send none
  const std::string version = req.get_header_value(kVersionHeader);
  for (const char* known : kSupportedProtocolVersions) {
    if (version == known) return true;
  }
  reply_error(res, 400, jsonrpc::kInvalidRequest,
              "Bad Request: unsupported MCP-Protocol-Version '" + version + "'");
  return false;
}

// ---- POST ---------------------------------------------------------------------------------
void Router::post(const Request& req, Response& res) {
  if (!accepts(req.get_header_value("Accept"), "application/json") ||
      !accepts(req.get_header_value("Accept"), "text/event-stream")) {
    reply_error(res, 406, jsonrpc::kInvalidRequest,
                "Not Acceptable: Accept must list application/json and text/event-stream");
    return;
  }
  if (!is_json_content_type(req.get_header_value("Content-Type"))) {
    reply_error(res, 415, jsonrpc::kInvalidRequest,
                "Unsupported Media Type: Content-Type must be application/json");
    return;
  }
  // The one parse of the body: the session gets the typed message.
  auto parsed = jsonrpc::parse_message(req.body, max_message_bytes_);
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
    if (modern::is_modern_request(request->method, request->params ? &*request->params : nullptr)) {
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
    const jsonrpc::RequestId id = request->id;
    auto stream = session->open_request_stream(id);
    if (!stream) {
      if (session->closed()) {
        // Ended (idle reaper, DELETE) between the lookup and here.
        reply_error(res, 404, jsonrpc::kInvalidRequest, "Not Found: no such session (it ended)",
                    id);
      } else {
        reply_error(res, 400, jsonrpc::kInvalidRequest,
                    "duplicate request id: a request with this id is still in progress", id);
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

void Router::initialize(const Request& req, Response& res, jsonrpc::Request request) {
  const jsonrpc::RequestId id = request.id;
  const auto session_id = random_session_id();
  if (!session_id) {
    reply_error(res, 500, jsonrpc::kInternalError, "cannot draw a session id", id);
    return;
  }
  // Sessions being initialized hold a place, so concurrent initializes cannot overshoot.
  auto reservation = table_.reserve();
  if (!reservation) {
    res.set_header("Retry-After", "30");
    reply_error(res, 503, jsonrpc::kInternalError,
                "Service Unavailable: too many sessions (limit " +
                    std::to_string(table_.max_sessions()) + "); end one with DELETE",
                id);
    return;
  }
  auto session = table_.make(*session_id);
  auto stream = session->open_request_stream(id);
  session->mcp().receive(std::move(request));  // initialize is answered on this thread
  const auto first = stream->wait_first(std::chrono::seconds(5));
  const bool opened = first && is_result(first->kind);
  if (!opened || !table_.add(reservation, session)) {
    session->close();
    if (opened) {
      reply_error(res, 503, jsonrpc::kInternalError, "Service Unavailable: shutting down", id);
    } else if (first) {
      res.status = 400;
      res.set_content(first->data, "application/json");
    } else {
      reply(res, 400, error_body(jsonrpc::kInternalError, "initialize failed", id));
    }
    return;
  }
  stream->attach();
  stream->detach(1);
  session->released(stream);
  logger_->info("http: session {} opened by {}", *session_id, req.remote_addr);
  res.set_header(kSessionHeader, *session_id);
  res.status = 200;
  res.set_content(first->data, "application/json");
}

// A 2026-07-28 request: no session; headers must mirror the body.
void Router::post_modern(const Request& req, Response& res, jsonrpc::Request request, Slot slot) {
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
  if (const auto why = modern_header_mismatch(
          header, request.method, params, std::get<modern::RequestMeta>(meta).protocol_version)) {
    reply(res, 400, error_body(modern::kHeaderMismatch, "Header mismatch: " + *why, request.id));
    return;
  }
  auto session = table_.make("");
  auto stream = session->open_request_stream(request.id);
  session->mcp().receive(std::move(request));
  respond(res, session, stream, true, std::move(slot));
}

// ---- replies: plain JSON when it is ready at once, otherwise SSE ---------------------------
// `slot` is held until the reply is written (with the SSE provider for a stream).
void Router::respond(Response& res, const std::shared_ptr<HttpSession>& session,
                     const std::shared_ptr<EventStream>& stream, bool stateless, Slot slot) {
  if (const auto first = stream->wait_first(options_.json_reply_wait); first && first->only) {
    res.status = stateless ? modern_status(first->kind) : 200;
    res.set_content(first->data, "application/json");
    stream->attach();
    stream->detach(1);
    session->released(stream);
    return;
  }
  sse_.stream(res, session, stream, 0, stateless, std::move(slot));
}

// ---- GET: the standalone stream, or a resumed one -----------------------------------------
void Router::get(const Request& req, Response& res) {
  if (!accepts(req.get_header_value("Accept"), "text/event-stream")) {
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
    const auto parsed = parse_event_id(req.get_header_value("Last-Event-ID"));
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
  sse_.stream(res, session, stream, from, false, std::move(slot));
}

// ---- DELETE -------------------------------------------------------------------------------
void Router::del(const Request& req, Response& res) {
  auto session = find_session(req, res);
  if (!session) return;
  table_.end(session);
  logger_->info("http: session {} ended by the client", session->id());
  res.status = 200;
}

}  // namespace evo::mcp::transport::http
