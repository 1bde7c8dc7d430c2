// The SSE writer of Streamable HTTP; see http_sse_writer.h.
#include "mcp/transport/http/http_sse_writer.h"

#include <utility>

namespace evo::mcp::transport::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRetryMs = 1000;
constexpr auto kPoll = std::chrono::milliseconds(500);

}  // namespace

SseWriter::SseWriter(std::shared_ptr<spdlog::logger> logger, std::chrono::seconds keepalive,
                     const std::atomic<bool>& stopping)
    : logger_(std::move(logger)), keepalive_(keepalive), stopping_(stopping) {}

void SseWriter::stream(Response& res, const std::shared_ptr<HttpSession>& session,
                       const std::shared_ptr<EventStream>& stream, std::uint64_t from,
                       bool stateless, std::shared_ptr<void> hold) const {
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
      [this, stream, cursor, stateless](ResponseSink& sink) {
        if (!cursor->primed && !stateless) {
          // 2025-11-25: an id before anything else, so the client can resume from here.
          const auto primer = format_event(stream->event_id(cursor->sent), "", kRetryMs);
          if (!sink.write(primer)) return false;
        }
        cursor->primed = true;
        const auto batch = stream->wait(cursor->sent, kPoll);
        for (const auto& event : batch.events) {
          const auto text = stateless ? "data: " + event.data + "\n\n"
                                      : format_event(stream->event_id(event.seq), event.data);
          if (!sink.write(text)) return false;
          cursor->sent = event.seq;
          cursor->last_write = Clock::now();
        }
        if (batch.ended || stopping_) {
          sink.done();
          return true;
        }
        if (stream->take_break()) {
          // SEP-1699 polling: close this connection, keep the stream; the client comes back
          // with GET and Last-Event-ID after `retry`.
          sink.done();
          return true;
        }
        // A client that closed its side reads no more: let the stream go now rather than at
        // the next failed write.
        if (sink.peer_closed()) return false;
        if (Clock::now() - cursor->last_write >= keepalive_) {
          if (!sink.write(": keepalive\n\n")) return false;
          cursor->last_write = Clock::now();
        }
        return true;
      },
      // Called once the connection is done with the response: frees the slot.
      [this, session, stream, cursor, stateless, hold = std::move(hold)](bool) {
        const bool finished = stream->ended();
        stream->detach(cursor->sent);
        if (stateless && !finished) {
          // 2026-07-28: closing the response stream cancels the request.
          logger_->debug("http: stateless client went away; cancelling its request");
          session->close();
          return;
        }
        session->released(stream);
      });
}

}  // namespace evo::mcp::transport::http
