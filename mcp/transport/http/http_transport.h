// MCP's Streamable HTTP transport on one endpoint, /mcp: 2025-11-25 sessions (Mcp-Session-Id,
// SSE with resumable event ids, GET and DELETE) and stateless 2026-07-28 requests side by side.
// Host, Origin and an optional bearer token are checked on every request. The parts, each in
// its own file: the asio front end that reads requests within their limits and deadlines
// (http_listener), the router of MCP's rules (http_router), the session table
// (http_session_table) and the SSE writer (http_sse_writer). No asio in this header.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "mcp/mcp_session.h"
#include "mcp/session_setup.h"
#include "mcp/tool_registry.h"

namespace evo::mcp::transport::http {

inline constexpr const char* kDefaultHttpHost = "127.0.0.1";
inline constexpr int kDefaultHttpPort = 8765;

struct HttpOptions {
  std::string host = kDefaultHttpHost;
  int port = kDefaultHttpPort;  // 0: any free port (bind() tells which)
  // Binding to anything but a loopback address must be asked for explicitly.
  bool allow_remote = false;
  // Host-header names accepted besides localhost, 127.0.0.1 and [::1] (the bound address is
  // added automatically when it is not a wildcard), and Origins accepted besides loopback ones.
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> allowed_origins;
  // When not empty, every request needs "Authorization: Bearer <token>" (401 otherwise).
  std::string auth_token;
  // Limits; a request over one gets a clear HTTP error, and what is over a limit is not read.
  // A body over max_body_bytes, with Content-Length or chunked: 413.
  std::size_t max_body_bytes = std::size_t{4} << 20;
  // More header fields than this, or more header bytes (request line excluded): 431.
  std::size_t max_header_count = 100;
  std::size_t max_header_bytes = 64 * 1024;
  // The longest wait for the next bytes of a request in progress. Headers or a body that stall
  // past it: 408, with a body naming the read timeout (and, for a body, how much of it came). A
  // request line that stalls, or an idle connection: closed without a response.
  std::chrono::seconds read_timeout{30};
  // The longest time from a request's first byte to its last, so a client that trickles bytes
  // cannot hold a connection forever: 408.
  std::chrono::seconds request_timeout{60};
  std::chrono::seconds write_timeout{30};
  // Connections open at once, in all and from one client address. At a limit the connection
  // that has waited longest for a complete request (idle keep-alive, or still sending one) is
  // closed to make room; one that is being answered is never closed for it.
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_ip = 256;
  // Sessions open at once, initializes in progress included; one more initialize: 503.
  std::size_t max_sessions = 64;
  // A session with no request and no open stream for this long is ended.
  std::chrono::seconds session_idle_timeout{1800};
  // Events kept per SSE stream for Last-Event-ID resumption.
  std::size_t max_stream_events = 1024;
  // A reply that is ready this soon, with nothing before it, goes out as plain JSON; otherwise
  // the response is an SSE stream.
  std::chrono::milliseconds json_reply_wait{1000};
  // An SSE comment this often keeps idle streams open and finds clients that went away.
  std::chrono::seconds keepalive{15};
  // Request workers: each complete request holds one until it is answered, and each open SSE
  // stream until it ends. Connections still sending a request hold none. 0: 2 * max_sessions
  // + 8.
  std::size_t threads = 0;
  // Requests (POSTed JSON-RPC requests, plain-JSON or SSE replies alike) and GET streams in
  // progress at once; one more gets 503 with Retry-After at once instead of waiting for a free
  // worker. 0: threads minus min(8, threads / 2), so workers stay free to answer.
  std::size_t max_in_flight = 0;
};

// "ADDR:PORT", "ADDR", ":PORT" or "PORT"; IPv6 in brackets ("[::1]:8765").
Result<void> parse_listen_address(const std::string& spec, HttpOptions& options);

class HttpServer {
 public:
  // `setup` (may be null) is attached to every session; it must outlive the server.
  HttpServer(ServerInfo info, std::shared_ptr<const ToolRegistry> tools,
             std::shared_ptr<spdlog::logger> logger, SessionOptions session_options,
             HttpOptions options, const SessionSetup* setup = nullptr);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // stop()

  // Checks the options and binds; the port actually bound (useful with port 0).
  Result<int> bind();
  // Serves until stop(). Call once, after bind().
  void run();
  // Ends every session (queued requests are answered first) and stops serving. Any thread.
  void stop();
  std::size_t session_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evo::mcp::transport::http
