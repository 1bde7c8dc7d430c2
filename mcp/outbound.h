// The only way a session talks to its client: the transport implements it. Messages arrive typed
// (request, notification or response), so a transport routes and frames them by their kind
// without reading its own output back; it serializes each one once, on the way to the wire.
#pragma once

#include "mcp/jsonrpc.h"

namespace evo::mcp {

class Outbound {
 public:
  virtual ~Outbound() = default;
  // One complete JSON-RPC message. Called concurrently from the reading thread and the session's
  // worker: implementations serialize their writes. Must not throw; a transport that can no
  // longer write drops the message (and logs it).
  virtual void send(jsonrpc::Message message) = 0;
  // A message that belongs to the client request `related` (its progress, its log lines, a
  // request the server makes while serving it). Streamable HTTP puts it on that request's
  // stream; a transport with one channel just sends it.
  virtual void send_related(jsonrpc::Message message, const jsonrpc::RequestId& related) {
    (void)related;
    send(std::move(message));
  }
  // Closes the connection carrying `related`'s stream without ending the stream (see
  // ToolContext::break_stream). Only Streamable HTTP has such a connection.
  virtual void break_stream(const jsonrpc::RequestId& related) { (void)related; }
  // `related` was cancelled: no reply will follow, so a stream kept for it can end.
  virtual void end_related(const jsonrpc::RequestId& related) { (void)related; }
};

}  // namespace evo::mcp
