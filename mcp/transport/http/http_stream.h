// One SSE stream of Streamable HTTP (internal to evo::transport): the events a session sends on
// it, kept in a bounded buffer so a client that lost its connection can resume with
// Last-Event-ID. No HTTP framing here.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcp/jsonrpc.h"

namespace evo::mcp::transport::http {

// What an event's message is, kept from the typed message when it was pushed, so that an HTTP
// status is picked from it without parsing the data back.
struct MessageKind {
  bool response = false;          // a response (a result or an error)
  std::optional<int> error_code;  // set for an error response
  static MessageKind of(const jsonrpc::Message& message);
};

struct SseEvent {
  std::uint64_t seq = 0;  // 1, 2, ... within its stream
  std::string data;       // one compact JSON-RPC message
  MessageKind kind;
};

class EventStream {
 public:
  // `id` names the stream in event ids ("<id>-<seq>"); at most `max_events` events are kept.
  EventStream(std::string id, std::size_t max_events);
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  const std::string& id() const { return id_; }
  std::string event_id(std::uint64_t seq) const { return id_ + "-" + std::to_string(seq); }

  // Appends one message (dropped once the stream has ended). `last` ends the stream after it:
  // the response to the stream's request.
  void push(std::string data, bool last = false, MessageKind kind = {});
  // Ends the stream without a last message (session closed): readers finish what is buffered.
  void end();
  // Asks the connection reading the stream to close (the stream goes on; the client resumes).
  void request_break();
  // True once per request_break().
  bool take_break();

  struct Batch {
    std::vector<SseEvent> events;  // everything after the requested seq, in order
    bool ended = false;            // no event will follow the last one returned
    bool gap = false;              // events after the requested seq were already dropped
  };
  // Waits up to `timeout` for events after `after`, then returns what there is.
  Batch wait(std::uint64_t after, std::chrono::milliseconds timeout);
  // The first message, waiting up to `timeout`; nullopt when none came in time. `only` is true
  // when that message is the last one of the stream (a plain JSON reply will do).
  struct First {
    std::string data;
    bool only = false;
    MessageKind kind;
  };
  std::optional<First> wait_first(std::chrono::milliseconds timeout);

  // One HTTP connection reads a stream at a time.
  bool attach();
  void detach(std::uint64_t delivered);
  bool attached() const;
  // The last seq a detached reader confirmed it wrote.
  std::uint64_t delivered() const;
  bool ended() const;
  // True once ended and every event was written to some connection.
  bool drained() const;

 private:
  const std::string id_;
  const std::size_t max_events_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SseEvent> events_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t delivered_ = 0;
  bool ended_ = false;
  bool attached_ = false;
  bool break_ = false;
};

// Parses "<stream>-<seq>" (a Last-Event-ID we issued).
std::optional<std::pair<std::string, std::uint64_t>> parse_event_id(const std::string& event_id);

// SSE framing of one event; an empty `data` is the priming event.
std::string format_event(const std::string& event_id, const std::string& data,
                         std::optional<int> retry_ms = std::nullopt);

}  // namespace evo::mcp::transport::http
