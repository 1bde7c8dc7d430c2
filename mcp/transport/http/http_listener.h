// The HTTP/1.1 front end of Streamable HTTP (internal to evo::transport): one asio event-loop
// thread accepts connections and reads every request to its end, and a fixed pool of request
// workers runs the handler and writes its response. A connection holds a worker only while a
// complete request is being answered (or its SSE stream is open): a client that trickles its
// headers costs a socket and a timer, never a thread. It keeps:
// - a whole-request deadline (headers and body) besides the per-read timeout: 408;
// - per-IP and total connection limits: at a limit, the connection that has waited longest
//   for a request to complete (idle keep-alive, or still sending one) makes room, so a flood of
//   slow connections cannot lock other clients out;
// - the parser's limits (http_message.h): 413 for a body over the limit in every transfer
//   encoding (read no further), 431 for too many or too large header fields, 414, 400.
// asio stays in the .cpp.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "mcp/transport/http/http_message.h"

namespace evo::mcp::transport::http {

struct ListenerOptions {
  ParseLimits limits;
  // Longest wait for the next bytes of a request in progress (408 once headers started).
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  // Longest time from a request's first byte to its last (408).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  // Longest wait for a writable socket while writing a response.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // An idle keep-alive connection is closed after this (also sent as Keep-Alive: timeout=).
  std::chrono::seconds keep_alive_timeout{5};
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_ip = 256;
  std::size_t workers = 8;
};

// Builds the response for a request the front end refuses itself (its status and a message that
// says why); the transport gives it its JSON-RPC error body.
using ErrorResponder = std::function<void(int status, const std::string& message, Response&)>;
// Answers one complete request, on a worker thread.
using Handler = std::function<void(const Request&, Response&)>;

class Listener {
 public:
  Listener(std::shared_ptr<spdlog::logger> logger, ListenerOptions options, Handler handler,
           ErrorResponder refuse);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();  // stop()

  // Binds `host`:`port` (port 0: any free one); the port bound.
  Result<int> bind(const std::string& host, int port);
  // Serves until stop(): the event loop runs on the calling thread. Call once, after bind().
  void run();
  // Stops accepting, closes idle connections, lets the workers finish what they are answering,
  // and makes run() return. Any thread; idempotent.
  void stop();

  // Connections open now (for tests and logs).
  std::size_t connection_count() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace evo::mcp::transport::http
