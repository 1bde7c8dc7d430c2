// The Streamable HTTP session table (internal to evo::transport): the 2025-11-25 sessions by
// Mcp-Session-Id, the cap on them (initializes in progress hold a place, so concurrent ones
// cannot overshoot), the idle reaper, and the throwaway sessions of 2026-07-28 requests. No
// HTTP here: the router (http_router.h) turns its answers into status codes.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mcp/mcp_session.h"
#include "mcp/session_setup.h"
#include "mcp/tool_registry.h"
#include "mcp/transport/http/http_session.h"

namespace evo::mcp::transport::http {

struct SessionTableOptions {
  std::size_t max_sessions = 64;
  std::chrono::seconds idle_timeout{1800};
  std::size_t max_stream_events = 1024;
};

class SessionTable {
 public:
  // `setup` (may be null) is attached to every session; it must outlive the table.
  SessionTable(ServerInfo info, std::shared_ptr<const ToolRegistry> tools,
               std::shared_ptr<spdlog::logger> logger, SessionOptions session_options,
               SessionTableOptions options, const SessionSetup* setup);
  SessionTable(const SessionTable&) = delete;
  SessionTable& operator=(const SessionTable&) = delete;
  ~SessionTable();  // close_all()

  // A new session that is not in the table: a throwaway one (id "") or one being initialized.
  std::shared_ptr<HttpSession> make(std::string id) const;

  // A place for one session being initialized, given back when it goes out of scope unless
  // add() filled it.
  class Reservation {
   public:
    explicit Reservation(SessionTable* table) : table_(table) {}
    Reservation(Reservation&& other) noexcept : table_(other.table_) { other.table_ = nullptr; }
    Reservation& operator=(Reservation&&) = delete;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();
    explicit operator bool() const { return table_ != nullptr; }

   private:
    friend class SessionTable;
    SessionTable* table_;
  };
  // Ends idle sessions first; an empty reservation when the table is full.
  Reservation reserve();
  // Puts `session` in the table on `reservation`'s place; false once close_all() started.
  bool add(Reservation& reservation, const std::shared_ptr<HttpSession>& session);

  // The live session with this id (its activity refreshed), or nullptr.
  std::shared_ptr<HttpSession> find(const std::string& id);
  // Takes the session out of the table and ends it (DELETE).
  void end(const std::shared_ptr<HttpSession>& session);
  // Ends sessions idle longer than the limit; returns how many are left.
  std::size_t reap();
  // Runs reap() every 10 s on a thread of its own until close_all().
  void start_reaper();
  // Ends every session; later add() calls fail. Idempotent.
  void close_all();

  std::size_t size() const;
  std::size_t max_sessions() const { return options_.max_sessions; }

 private:
  void release_reservation();

  const ServerInfo info_;
  const std::shared_ptr<const ToolRegistry> tools_;
  const std::shared_ptr<spdlog::logger> logger_;
  const SessionOptions session_options_;
  const SessionTableOptions options_;
  const SessionSetup* setup_;

  mutable std::mutex mu_;  // guards the fields below
  std::map<std::string, std::shared_ptr<HttpSession>> sessions_;
  std::size_t creating_ = 0;
  bool closed_ = false;

  std::mutex reaper_mu_;
  std::condition_variable reaper_cv_;
  bool reaper_stop_ = false;  // guarded by reaper_mu_
  std::thread reaper_;
};

}  // namespace evo::mcp::transport::http
