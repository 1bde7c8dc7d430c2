// Routing a session's outgoing messages to its SSE streams; see http_session.h.
#include "mcp/transport/http/http_session.h"

#include <utility>

namespace evo::mcp::transport::http {
namespace {

// Finished streams kept for a late Last-Event-ID, per session.
constexpr std::size_t kKeptFinishedStreams = 32;

}  // namespace

HttpSession::HttpSession(std::string id, const ServerInfo& info,
                         std::shared_ptr<const ToolRegistry> tools,
                         std::shared_ptr<spdlog::logger> logger, const SessionOptions& options,
                         std::size_t max_stream_events, const SessionSetup* setup)
    : id_(std::move(id)),
      logger_(logger),
      max_stream_events_(max_stream_events),
      setup_(setup),
      last_activity_(std::chrono::steady_clock::now()),
      mcp_(
          std::make_unique<McpSession>(info, std::move(tools), *this, std::move(logger), options)) {
  if (setup_ != nullptr) setup_->attach(*mcp_);
}

HttpSession::~HttpSession() {
  close();
}

void HttpSession::send(jsonrpc::Message message) {
  route(std::move(message), nullptr);
}

void HttpSession::send_related(jsonrpc::Message message, const jsonrpc::RequestId& related) {
  route(std::move(message), &related);
}

void HttpSession::break_stream(const jsonrpc::RequestId& related) {
  std::shared_ptr<EventStream> stream;
  {
    const std::lock_guard lock(mu_);
    if (const auto it = live_.find(related); it != live_.end()) stream = it->second;
  }
  if (stream) stream->request_break();
}

void HttpSession::end_related(const jsonrpc::RequestId& related) {
  std::shared_ptr<EventStream> stream;
  {
    const std::lock_guard lock(mu_);
    if (const auto it = live_.find(related); it != live_.end()) {
      stream = it->second;
      live_.erase(it);
      finished_.push_back(stream->id());
    }
  }
  if (stream) stream->end();
}

void HttpSession::route(jsonrpc::Message message, const jsonrpc::RequestId* related) {
  auto kind = MessageKind::of(message);
  std::optional<jsonrpc::RequestId> response_id;
  if (const auto* response = std::get_if<jsonrpc::Response>(&message)) response_id = response->id;
  std::string data = jsonrpc::dump_compact(jsonrpc::to_json(message));
  std::shared_ptr<EventStream> target;
  bool last = false;
  {
    const std::lock_guard lock(mu_);
    if (const auto& id = response_id) {
      if (const auto it = live_.find(*id); it != live_.end()) {
        target = it->second;
        live_.erase(it);
        finished_.push_back(target->id());
        last = true;
      }
    } else if (related != nullptr) {
      if (const auto it = live_.find(*related); it != live_.end()) target = it->second;
    }
    if (!target) {
      // Not tied to a live request: the standalone stream, buffered until a GET reads it.
      if (!standalone_) standalone_ = make_stream_locked();
      target = standalone_;
    }
    while (finished_.size() > kKeptFinishedStreams) {
      streams_.erase(finished_.front());
      finished_.pop_front();
    }
  }
  target->push(std::move(data), last, kind);
}

std::shared_ptr<EventStream> HttpSession::make_stream_locked() {
  auto stream = std::make_shared<EventStream>(std::to_string(next_stream_++), max_stream_events_);
  streams_.emplace(stream->id(), stream);
  return stream;
}

std::shared_ptr<EventStream> HttpSession::open_request_stream(const jsonrpc::RequestId& id) {
  const std::lock_guard lock(mu_);
  if (live_.count(id) != 0 || closed_) return nullptr;
  auto stream = make_stream_locked();
  live_.emplace(id, stream);
  last_activity_ = std::chrono::steady_clock::now();
  return stream;
}

std::shared_ptr<EventStream> HttpSession::standalone() {
  const std::lock_guard lock(mu_);
  if (closed_) return nullptr;  // a stream made now would never end
  if (!standalone_) standalone_ = make_stream_locked();
  return standalone_;
}

std::shared_ptr<EventStream> HttpSession::find_stream(const std::string& stream_id) {
  const std::lock_guard lock(mu_);
  const auto it = streams_.find(stream_id);
  return it != streams_.end() ? it->second : nullptr;
}

void HttpSession::released(const std::shared_ptr<EventStream>& stream) {
  const std::lock_guard lock(mu_);
  last_activity_ = std::chrono::steady_clock::now();
  if (stream != standalone_ && stream->drained()) streams_.erase(stream->id());
}

void HttpSession::touch() {
  const std::lock_guard lock(mu_);
  last_activity_ = std::chrono::steady_clock::now();
}

bool HttpSession::idle_for(std::chrono::steady_clock::duration idle) const {
  const std::lock_guard lock(mu_);
  if (std::chrono::steady_clock::now() - last_activity_ < idle || !live_.empty()) return false;
  for (const auto& [id, stream] : streams_) {
    if (stream->attached()) return false;
  }
  return true;
}

bool HttpSession::closed() const {
  const std::lock_guard lock(mu_);
  return closed_;
}

void HttpSession::close() {
  {
    const std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
  }
  // Queued requests still run and their replies reach their streams before these end.
  mcp_->close();
  if (setup_ != nullptr) setup_->detach(*mcp_);
  std::map<std::string, std::shared_ptr<EventStream>> streams;
  {
    const std::lock_guard lock(mu_);
    streams = streams_;
    live_.clear();
  }
  for (auto& [id, stream] : streams) stream->end();
}

}  // namespace evo::mcp::transport::http
