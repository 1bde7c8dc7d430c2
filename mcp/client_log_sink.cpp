// Forwarding spdlog records to sessions. A line logged while forwarding (say, by a transport
// that failed to write) is dropped instead of recursing into the same sink.
#include "mcp/client_log_sink.h"

#include <algorithm>

namespace evo::mcp {
namespace {

thread_local bool t_forwarding = false;

LogLevel to_log_level(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::info:
      return LogLevel::kInfo;
    case spdlog::level::warn:
      return LogLevel::kWarning;
    case spdlog::level::err:
      return LogLevel::kError;
    case spdlog::level::critical:
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return LogLevel::kCritical;
}

}  // namespace

void ClientLogSink::attach(McpSession* session) {
  const std::lock_guard lock(mu_);
  sessions_.push_back(session);
}

void ClientLogSink::detach(McpSession* session) {
  const std::lock_guard lock(mu_);
  sessions_.erase(std::remove(sessions_.begin(), sessions_.end(), session), sessions_.end());
}

void ClientLogSink::log(const spdlog::details::log_msg& msg) {
  if (t_forwarding) return;
  struct Reentry {
    Reentry() { t_forwarding = true; }
    ~Reentry() { t_forwarding = false; }
    Reentry(const Reentry&) = delete;
    Reentry& operator=(const Reentry&) = delete;
  } const reentry;
  const nlohmann::json data = std::string(msg.payload.data(), msg.payload.size());
  const LogLevel level = to_log_level(msg.level);
  {
    // Held while forwarding so that detach() waits for a session still being written to.
    const std::lock_guard lock(mu_);
    for (McpSession* session : sessions_) session->log(level, data);
  }
}

// Clients get the bare message: level and logger travel as fields of notifications/message.
void ClientLogSink::set_pattern(const std::string&) {}
void ClientLogSink::set_formatter(std::unique_ptr<spdlog::formatter>) {}

}  // namespace evo::mcp
