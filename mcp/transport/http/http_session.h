// One Streamable HTTP session (internal to evo::transport): an McpSession plus the SSE streams
// its messages go out on. Replies and request-related messages go to the stream of their
// request; everything else to the standalone (GET) stream. A 2026-07-28 request gets a
// throwaway HttpSession of its own.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mcp/mcp_session.h"
#include "mcp/outbound.h"
#include "mcp/session_setup.h"
#include "mcp/transport/http/http_stream.h"

namespace evo::mcp::transport::http {

class HttpSession final : public Outbound {
 public:
  // `setup` (may be null) is attached here and detached in close(); it must outlive the session.
  HttpSession(std::string id, const ServerInfo& info, std::shared_ptr<const ToolRegistry> tools,
              std::shared_ptr<spdlog::logger> logger, const SessionOptions& options,
              std::size_t max_stream_events, const SessionSetup* setup);
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;
  ~HttpSession() override;

  const std::string& id() const { return id_; }
  McpSession& mcp() { return *mcp_; }

  void send(jsonrpc::Message message) override;
  void send_related(jsonrpc::Message message, const jsonrpc::RequestId& related) override;
  void break_stream(const jsonrpc::RequestId& related) override;
  void end_related(const jsonrpc::RequestId& related) override;

  // The stream for a request about to be received; nullptr while a request with that id is
  // still being answered, or once the session is closed (closed() tells which).
  std::shared_ptr<EventStream> open_request_stream(const jsonrpc::RequestId& id);
  // The standalone stream a GET reads; nullptr once the session is closed.
  std::shared_ptr<EventStream> standalone();
  // A stream by the id in its events (for Last-Event-ID), live or recently finished.
  std::shared_ptr<EventStream> find_stream(const std::string& stream_id);
  // Called when a connection stops reading `stream`: a stream fully delivered is forgotten.
  void released(const std::shared_ptr<EventStream>& stream);

  void touch();
  // No request for `idle` and no connection reading any stream.
  bool idle_for(std::chrono::steady_clock::duration idle) const;
  // Finishes queued requests (their replies reach their streams), detaches the setup, ends every
  // stream. Idempotent.
  void close();
  // True once close() started (a session the reaper or a DELETE ended).
  bool closed() const;

 private:
  // A response goes to its request's stream and ends it; anything else to the stream of
  // `related` while that request is live, else to the standalone stream.
  void route(jsonrpc::Message message, const jsonrpc::RequestId* related);
  std::shared_ptr<EventStream> make_stream_locked();

  const std::string id_;
  const std::shared_ptr<spdlog::logger> logger_;
  const std::size_t max_stream_events_;
  const SessionSetup* setup_;

  mutable std::mutex mu_;
  std::map<jsonrpc::RequestId, std::shared_ptr<EventStream>> live_;  // until the response
  std::map<std::string, std::shared_ptr<EventStream>> streams_;      // for resumption
  std::deque<std::string> finished_;  // stream ids that may be forgotten, oldest first
  std::shared_ptr<EventStream> standalone_;
  std::uint64_t next_stream_ = 1;
  std::chrono::steady_clock::time_point last_activity_;
  bool closed_ = false;

  // Last: destroyed first, while everything it sends into still exists.
  std::unique_ptr<McpSession> mcp_;
};

}  // namespace evo::mcp::transport::http
