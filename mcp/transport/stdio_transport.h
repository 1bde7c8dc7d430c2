// MCP's stdio transport: one JSON-RPC message per line on stdin/stdout (asio kept out of this
// header). stdout carries protocol messages only; logs go wherever the injected logger writes,
// which must not be stdout.
#pragma once

#include <spdlog/logger.h>
#include <unistd.h>

#include <cstddef>
#include <functional>
#include <memory>

#include "mcp/jsonrpc.h"
#include "mcp/mcp_session.h"
#include "mcp/outbound.h"

namespace evo::mcp::transport {

struct StdioOptions {
  // A longer line is answered with a -32600 error (id null) and skipped up to its newline; it is
  // never buffered whole.
  std::size_t max_line_bytes = jsonrpc::kDefaultMaxMessageBytes;
  // SIGINT/SIGTERM end the read loop like EOF: queued work still finishes and is answered.
  bool handle_signals = true;
  // A client that goes away must give EPIPE, not kill the process. Sets SIGPIPE to SIG_IGN for
  // the whole process when run() starts.
  bool ignore_sigpipe = true;
};

class StdioTransport final : public Outbound {
 public:
  // Works on duplicates of in_fd/out_fd, so the process's own descriptors stay open (and their
  // blocking mode is restored) when the transport goes away. Never throws: a descriptor that
  // cannot be used makes run() return 1.
  explicit StdioTransport(std::shared_ptr<spdlog::logger> logger, StdioOptions options = {},
                          int in_fd = STDIN_FILENO, int out_fd = STDOUT_FILENO);
  StdioTransport(const StdioTransport&) = delete;
  StdioTransport& operator=(const StdioTransport&) = delete;
  ~StdioTransport() override;

  // Reads lines until EOF (or a handled signal, or a failed write), parsing each and passing
  // the message to session.receive() (a line that does not parse to session.refuse()); then calls
  // session.close(), so queued requests finish and their replies are written before it returns.
  // Returns 0 after EOF or a signal, 1 after an I/O error. Call once, on the thread that should do
  // the reading.
  int run(McpSession& session);

  // Writes `message` compactly plus '\n', under a mutex, from any thread. Invalid UTF-8 is
  // replaced, never thrown on. After a failed write, messages are dropped.
  void send(jsonrpc::Message message) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The whole stdio server in one call: builds the transport and a session over stdin/stdout,
// lets `setup` register extra methods or attach log sinks, runs until EOF, then calls
// `teardown` while the session still exists (detach log sinks there: the session is destroyed
// when this returns). Tool calls run on the reading thread while the session worker is idle
// (InlineToolCalls::kWhenIdle, whatever session_options says). Returns run()'s exit code.
int serve_stdio(ServerInfo info, std::shared_ptr<const ToolRegistry> tools,
                const std::shared_ptr<spdlog::logger>& logger, SessionOptions session_options = {},
                StdioOptions stdio_options = {}, const std::function<void(McpSession&)>& setup = {},
                const std::function<void(McpSession&)>& teardown = {});

}  // namespace evo::mcp::transport
