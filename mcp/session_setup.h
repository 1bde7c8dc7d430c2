// What every MCP session gets beyond tools, whatever its transport (stdio or HTTP): the
// client log sink, and the prompts, resources and completions that later features register.
// Each transport calls attach() when a session starts and detach() before it is destroyed.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "mcp/client_log_sink.h"
#include "mcp/mcp_session.h"

namespace evo::mcp {

class SessionSetup {
 public:
  explicit SessionSetup(std::shared_ptr<ClientLogSink> sink) : sink_(std::move(sink)) {}

  // Extra per-session registration (methods, capabilities); run before the first message.
  void add(std::function<void(McpSession&)> configure) {
    configurers_.push_back(std::move(configure));
  }

  void attach(McpSession& session) const {
    for (const auto& configure : configurers_) configure(session);
    if (sink_) sink_->attach(&session);
  }
  void detach(McpSession& session) const {
    if (sink_) sink_->detach(&session);
  }

 private:
  std::shared_ptr<ClientLogSink> sink_;
  std::vector<std::function<void(McpSession&)>> configurers_;
};

}  // namespace evo::mcp
