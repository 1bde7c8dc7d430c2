// The SSE writer of Streamable HTTP (internal to evo::transport): turns one EventStream of a
// session into a streamed HTTP response. 2025-11-25 streams start with a priming event (an id
// and `retry`) and carry event ids a client resumes from with Last-Event-ID; 2026-07-28 ones
// carry bare data. The provider waits on its stream with a short timeout, so keep-alive
// comments go out and a client that went away frees its worker and its stream.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "mcp/transport/http/http_message.h"
#include "mcp/transport/http/http_session.h"
#include "mcp/transport/http/http_stream.h"

namespace evo::mcp::transport::http {

class SseWriter {
 public:
  // `stopping` turns true when the server shuts down: open streams then end.
  SseWriter(std::shared_ptr<spdlog::logger> logger, std::chrono::seconds keepalive,
            const std::atomic<bool>& stopping);

  // Makes `res` stream `stream` from after event `from` until the stream ends, the tool asks
  // for a break (SEP-1699) or the client goes away. `hold` is released with the response (the
  // caller's in-flight slot). A 2026-07-28 (`stateless`) stream whose client goes away before
  // its end closes the throwaway session: that cancels the request.
  void stream(Response& res, const std::shared_ptr<HttpSession>& session,
              const std::shared_ptr<EventStream>& stream, std::uint64_t from, bool stateless,
              std::shared_ptr<void> hold) const;

 private:
  const std::shared_ptr<spdlog::logger> logger_;
  const std::chrono::seconds keepalive_;
  const std::atomic<bool>& stopping_;
};

}  // namespace evo::mcp::transport::http
