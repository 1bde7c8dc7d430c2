// The serve loop over stdio and/or Streamable HTTP; see serve.h.
#include "app/serve.h"

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <thread>

#include "mcp/transport/stdio_transport.h"

namespace evo::app {

using mcp::McpSession;
using mcp::transport::serve_stdio;
using mcp::transport::http::HttpServer;
using mcp::transport::http::parse_listen_address;

void add_http_options(CLI::App& serve, HttpCli& cli) {
  auto& o = cli.options;
  serve
      .add_option_function<std::string>(
          "--http", [&cli](const std::string& value) { cli.listen = value; },
          "Serve Streamable HTTP at http://ADDR:PORT/mcp (default 127.0.0.1:8765; port 0 picks a "
          "free port, logged at startup)")
      ->expected(0, 1)
      ->default_str("");
  serve.add_flag("--allow-remote", o.allow_remote,
                 "Allow --http to bind a non-loopback address (then use --auth-token)");
  serve.add_option("--allowed-host", o.allowed_hosts,
                   "Host header value accepted besides localhost/127.0.0.1/[::1] (repeatable)");
  serve.add_option(
      "--allowed-origin", o.allowed_origins,
      "Origin accepted besides loopback origins, e.g. https://app.example (repeatable)");
  serve
      .add_option("--auth-token", o.auth_token,
                  "Require Authorization: Bearer TOKEN on every HTTP request")
      ->envname("EVO_AUTH_TOKEN");
  serve.add_option("--max-body-bytes", o.max_body_bytes, "Largest HTTP request body (413 above)")
      ->capture_default_str();
  serve
      .add_option_function<int>(
          "--read-timeout", [&o](int s) { o.read_timeout = std::chrono::seconds(s); },
          "Seconds to wait for a request's bytes (default 30)")
      ->check(CLI::Range(1, 3600));
  serve
      .add_option_function<int>(
          "--request-timeout", [&o](int s) { o.request_timeout = std::chrono::seconds(s); },
          "Seconds a request may take from its first byte to its last, headers and body "
          "(408 after; default 60)")
      ->check(CLI::Range(1, 86400));
  serve
      .add_option("--max-header-count", o.max_header_count, "Header fields per request (431 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  serve
      .add_option("--max-header-bytes", o.max_header_bytes,
                  "Bytes of header fields per request (431 above)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{256}, std::size_t{16} << 20));
  serve
      .add_option("--max-connections", o.max_connections,
                  "HTTP connections open at once (at the limit the one waiting longest for a "
                  "complete request is closed)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  serve
      .add_option("--max-connections-per-ip", o.max_connections_per_ip,
                  "HTTP connections open at once from one client address (likewise)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  serve
      .add_option_function<int>(
          "--write-timeout", [&o](int s) { o.write_timeout = std::chrono::seconds(s); },
          "Seconds to wait on a slow reader (default 30)")
      ->check(CLI::Range(1, 3600));
  serve.add_option("--max-sessions", o.max_sessions, "Concurrent HTTP sessions (503 for one more)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000}));
  serve
      .add_option("--max-in-flight", o.max_in_flight,
                  "HTTP requests and SSE streams in progress at once (503 for one more; default "
                  "0: the request worker count, 2 x max sessions + 8, minus 8)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000}));
  serve
      .add_option_function<int>(
          "--session-idle-timeout",
          [&o](int s) { o.session_idle_timeout = std::chrono::seconds(s); },
          "Seconds after which an idle HTTP session is ended (default 1800)")
      ->check(CLI::Range(1, 86400 * 7));
  serve
      .add_option_function<int>(
          "--sse-keepalive", [&o](int s) { o.keepalive = std::chrono::seconds(s); },
          "Seconds between SSE keep-alive comments, which also find clients that went away "
          "(default 15)")
      ->check(CLI::Range(1, 3600));
}

namespace {

int serve_http_only(HttpServer& server, spdlog::logger& logger) {
  // Signals go to this thread alone (the server's threads inherit the mask), which waits.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread runner([&server] { server.run(); });
  int signal_number = 0;
  sigwait(&set, &signal_number);
  logger.info("http: signal {}, finishing queued work", signal_number);
  server.stop();
  runner.join();
  return 0;
}

}  // namespace

int serve(const ServerInfo& info, const std::shared_ptr<const ToolRegistry>& tools,
          const std::shared_ptr<spdlog::logger>& logger, const SessionSetup& setup, bool stdio,
          HttpCli& http) {
  const auto stdio_setup = [&setup](McpSession& s) { setup.attach(s); };
  const auto stdio_teardown = [&setup](McpSession& s) { setup.detach(s); };
  if (!http.listen) {
    return serve_stdio(info, tools, logger, {}, {}, stdio_setup, stdio_teardown);
  }
  if (!http.listen->empty()) {
    if (auto parsed = parse_listen_address(*http.listen, http.options); !parsed) {
      logger->critical("--http {}: {}", *http.listen, parsed.error().message);
      return 2;
    }
  }
  // A client that goes away mid-reply must give EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  HttpServer server(info, tools, logger, {}, http.options, &setup);
  const auto port = server.bind();
  if (!port) {
    logger->critical("http: {}", port.error().message);
    return 2;
  }
  const std::string host = http.options.host.find(':') != std::string::npos
                               ? "[" + http.options.host + "]"
                               : http.options.host;
  logger->info("evo-engine serving MCP over Streamable HTTP at http://{}:{}/mcp{}", host, *port,
               http.options.auth_token.empty() ? "" : " (bearer token required)");
  if (!stdio) return serve_http_only(server, *logger);
  std::thread runner([&server] { server.run(); });
  const int code = serve_stdio(info, tools, logger, {}, {}, stdio_setup, stdio_teardown);
  server.stop();
  runner.join();
  return code;
}

}  // namespace evo::app
