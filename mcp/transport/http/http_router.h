// The router of Streamable HTTP (internal to evo::transport): every MCP rule of the /mcp
// endpoint, on complete requests the front end (http_listener.h) has read. Host, Origin and
// bearer checks first, then POST (JSON-RPC messages in, a plain JSON or SSE reply out), GET
// (the standalone stream, or one resumed with Last-Event-ID) and DELETE. The body is parsed
// once here and the typed message handed to the session; the status of a reply comes from its
// type. Sessions live in the SessionTable, streams are written by the SseWriter.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "mcp/jsonrpc.h"
#include "mcp/transport/http/http_message.h"
#include "mcp/transport/http/http_security.h"
#include "mcp/transport/http/http_session_table.h"
#include "mcp/transport/http/http_sse_writer.h"
#include "mcp/transport/http/http_transport.h"

namespace evo::mcp::transport::http {

class Router {
 public:
  // `options`, `table` and `sse` must outlive the router. Bodies are parsed as JSON-RPC up to
  // `max_message_bytes`.
  Router(std::shared_ptr<spdlog::logger> logger, const HttpOptions& options,
         std::size_t max_in_flight, std::size_t max_message_bytes, SessionTable& table,
         const SseWriter& sse);

  // Answers one request (on a request worker).
  void handle(const Request& req, Response& res);

  // The response to a request the front end refused (a JSON-RPC error body, id null).
  static void refusal(int status, const std::string& message, Response& res);

 private:
  // Requests and streams in flight; see acquire_slot().
  class SlotToken;
  using Slot = std::shared_ptr<SlotToken>;

  bool pre_route(const Request& req, Response& res);
  Slot acquire_slot();
  void refuse_busy(Response& res, const std::optional<jsonrpc::RequestId>& id);
  std::shared_ptr<HttpSession> find_session(const Request& req, Response& res);
  bool version_header_ok(const Request& req, Response& res);
  void post(const Request& req, Response& res);
  void initialize(const Request& req, Response& res, jsonrpc::Request request);
  void post_modern(const Request& req, Response& res, jsonrpc::Request request, Slot slot);
  void respond(Response& res, const std::shared_ptr<HttpSession>& session,
               const std::shared_ptr<EventStream>& stream, bool stateless, Slot slot);
  void get(const Request& req, Response& res);
  void del(const Request& req, Response& res);

  const std::shared_ptr<spdlog::logger> logger_;
  const HttpOptions& options_;
  const std::size_t max_in_flight_;
  const std::size_t max_message_bytes_;
  SessionTable& table_;
  const SseWriter& sse_;
  HostPolicy policy_;
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace evo::mcp::transport::http
