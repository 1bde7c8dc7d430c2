// A spdlog sink that forwards the server's own log lines to connected MCP sessions as
// notifications/message, so a client sees what the server logs (at the level it asked for).
#pragma once

#include <spdlog/sinks/sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mcp/mcp_session.h"

namespace evo::mcp {

class ClientLogSink final : public spdlog::sinks::sink {
 public:
  // A session must be detached before it is destroyed.
  void attach(McpSession* session);
  void detach(McpSession* session);

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override {}
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  std::mutex mu_;
  std::vector<McpSession*> sessions_;
};

}  // namespace evo::mcp
