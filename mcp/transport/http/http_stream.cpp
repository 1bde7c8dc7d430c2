// Bounded, resumable SSE event buffers; see http_stream.h.
#include "mcp/transport/http/http_stream.h"

#include <charconv>
#include <utility>

namespace evo::mcp::transport::http {

MessageKind MessageKind::of(const jsonrpc::Message& message) {
  const auto* response = std::get_if<jsonrpc::Response>(&message);
  if (response == nullptr) return {};
  MessageKind kind;
  kind.response = true;
  if (const auto* error = std::get_if<jsonrpc::Error>(&response->outcome)) {
    kind.error_code = error->code;
  }
  return kind;
}

EventStream::EventStream(std::string id, std::size_t max_events)
    : id_(std::move(id)), max_events_(max_events == 0 ? 1 : max_events) {}

void EventStream::push(std::string data, bool last, MessageKind kind) {
  {
    const std::lock_guard lock(mu_);
    if (ended_) return;
    events_.push_back(SseEvent{next_seq_++, std::move(data), kind});
    while (events_.size() > max_events_) events_.pop_front();
    ended_ = last;
  }
  cv_.notify_all();
}

void EventStream::end() {
  {
    const std::lock_guard lock(mu_);
    ended_ = true;
  }
  cv_.notify_all();
}

void EventStream::request_break() {
  {
    const std::lock_guard lock(mu_);
    break_ = true;
  }
  cv_.notify_all();
}

bool EventStream::take_break() {
  const std::lock_guard lock(mu_);
  const bool requested = break_;
  break_ = false;
  return requested;
}

EventStream::Batch EventStream::wait(std::uint64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return ended_ || break_ || next_seq_ > after + 1; });
  Batch batch;
  batch.ended = ended_;
  if (!events_.empty() && events_.front().seq > after + 1) batch.gap = true;
  for (const auto& event : events_) {
    if (event.seq > after) batch.events.push_back(event);
  }
  return batch;
}

std::optional<EventStream::First> EventStream::wait_first(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return ended_ || break_ || !events_.empty(); });
  if (events_.empty() || break_) return std::nullopt;
  return First{events_.front().data, ended_ && events_.size() == 1, events_.front().kind};
}

bool EventStream::attach() {
  const std::lock_guard lock(mu_);
  if (attached_) return false;
  attached_ = true;
  return true;
}

void EventStream::detach(std::uint64_t delivered) {
  const std::lock_guard lock(mu_);
  attached_ = false;
  if (delivered > delivered_) delivered_ = delivered;
}

bool EventStream::attached() const {
  const std::lock_guard lock(mu_);
  return attached_;
}

std::uint64_t EventStream::delivered() const {
  const std::lock_guard lock(mu_);
  return delivered_;
}

bool EventStream::ended() const {
  const std::lock_guard lock(mu_);
  return ended_;
}

bool EventStream::drained() const {
  const std::lock_guard lock(mu_);
  return ended_ && delivered_ + 1 >= next_seq_;
}

std::optional<std::pair<std::string, std::uint64_t>> parse_event_id(const std::string& event_id) {
  const auto dash = event_id.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= event_id.size()) return std::nullopt;
  std::uint64_t seq = 0;
  const char* first = event_id.data() + dash + 1;
  const char* last = event_id.data() + event_id.size();
  const auto [end, ec] = std::from_chars(first, last, seq);
  if (ec != std::errc() || end != last) return std::nullopt;
  return std::make_pair(event_id.substr(0, dash), seq);
}

std::string format_event(const std::string& event_id, const std::string& data,
                         std::optional<int> retry_ms) {
  std::string out = "id: " + event_id + "\n";
  if (retry_ms) out += "retry: " + std::to_string(*retry_ms) + "\n";
  // Our data is compact JSON: it never holds a raw newline.
  out += "data: " + data + "\n\n";
  return out;
}

}  // namespace evo::mcp::transport::http
