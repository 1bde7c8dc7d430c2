// The only way a session talks to its client: the transport implements it.
#pragma once

#include <nlohmann/json.hpp>

#include "server/protocol/jsonrpc.h"

namespace evo::server {

class Outbound {
 public:
  virtual ~Outbound() = default;
  // One complete JSON-RPC message. Called concurrently from the reading thread and the session's
  // worker: implementations serialize their writes. Must not throw; a transport that can no
  // longer write drops the message (and logs it).
  virtual void send(const nlohmann::json& message) = 0;
  // A message that belongs to the client request `related` (its progress, its log lines, a
  // request the server makes while serving it). Streamable HTTP puts it on that request's
  // stream; a transport with one channel just sends it.
  virtual void send_related(const nlohmann::json& message, const jsonrpc::RequestId& related) {
    (void)related;
    send(message);
  }
  // Closes the connection carrying `related`'s stream without ending the stream (see
  // ToolContext::break_stream). Only Streamable HTTP has such a connection.
  virtual void break_stream(const jsonrpc::RequestId& related) { (void)related; }
  // `related` was cancelled: no reply will follow, so a stream kept for it can end.
  virtual void end_related(const jsonrpc::RequestId& related) { (void)related; }
};

}  // namespace evo::server
