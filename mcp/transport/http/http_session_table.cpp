// The Streamable HTTP session table; see http_session_table.h.
#include "mcp/transport/http/http_session_table.h"

#include <utility>
#include <vector>

namespace evo::mcp::transport::http {

SessionTable::SessionTable(ServerInfo info, std::shared_ptr<const ToolRegistry> tools,
                           std::shared_ptr<spdlog::logger> logger, SessionOptions session_options,
                           SessionTableOptions options, const SessionSetup* setup)
    : info_(std::move(info)),
      tools_(std::move(tools)),
      logger_(std::move(logger)),
      session_options_(session_options),
      options_(options),
      setup_(setup) {}

SessionTable::~SessionTable() {
  close_all();
}

std::shared_ptr<HttpSession> SessionTable::make(std::string id) const {
  return std::make_shared<HttpSession>(std::move(id), info_, tools_, logger_, session_options_,
                                       options_.max_stream_events, setup_);
}

SessionTable::Reservation::~Reservation() {
  if (table_ != nullptr) table_->release_reservation();
}

void SessionTable::release_reservation() {
  const std::lock_guard lock(mu_);
  creating_ -= 1;
}

SessionTable::Reservation SessionTable::reserve() {
  reap();  // idle sessions make room first
  const std::lock_guard lock(mu_);
  if (sessions_.size() + creating_ >= options_.max_sessions) return Reservation(nullptr);
  creating_ += 1;
  return Reservation(this);
}

bool SessionTable::add(Reservation& reservation, const std::shared_ptr<HttpSession>& session) {
  if (!reservation) return false;
  const std::lock_guard lock(mu_);
  if (closed_) return false;
  sessions_.emplace(session->id(), session);
  // The place is now the session's: nothing to give back.
  reservation.table_ = nullptr;
  creating_ -= 1;
  return true;
}

std::shared_ptr<HttpSession> SessionTable::find(const std::string& id) {
  std::shared_ptr<HttpSession> session;
  {
    const std::lock_guard lock(mu_);
    const auto it = sessions_.find(id);
    if (it != sessions_.end()) session = it->second;
  }
  if (!session || session->closed()) return nullptr;
  session->touch();
  return session;
}

void SessionTable::end(const std::shared_ptr<HttpSession>& session) {
  {
    const std::lock_guard lock(mu_);
    const auto it = sessions_.find(session->id());
    if (it != sessions_.end() && it->second == session) sessions_.erase(it);
  }
  session->close();
}

std::size_t SessionTable::reap() {
  std::vector<std::shared_ptr<HttpSession>> ended;
  std::size_t left = 0;
  {
    const std::lock_guard lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second->idle_for(options_.idle_timeout)) {
        ended.push_back(it->second);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
    left = sessions_.size();
  }
  for (auto& s : ended) {
    logger_->info("http: session {} idle, ended", s->id());
    s->close();
  }
  return left;
}

void SessionTable::start_reaper() {
  reaper_ = std::thread([this] {
    std::unique_lock lock(reaper_mu_);
    while (!reaper_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return reaper_stop_; })) {
      lock.unlock();
      reap();
      lock.lock();
    }
  });
}

void SessionTable::close_all() {
  std::map<std::string, std::shared_ptr<HttpSession>> sessions;
  {
    const std::lock_guard lock(mu_);
    if (closed_) return;
    closed_ = true;
    sessions.swap(sessions_);
  }
  for (auto& [id, session] : sessions) session->close();
  {
    const std::lock_guard lock(reaper_mu_);
    reaper_stop_ = true;
  }
  reaper_cv_.notify_all();
  if (reaper_.joinable()) reaper_.join();
}

std::size_t SessionTable::size() const {
  const std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace evo::mcp::transport::http
