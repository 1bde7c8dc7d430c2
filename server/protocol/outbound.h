// The only way a session talks to its client: the transport implements it.
#pragma once

#include <nlohmann/json.hpp>

namespace evo::server {

class Outbound {
 public:
  virtual ~Outbound() = default;
  // One complete JSON-RPC message. Called concurrently from the reading thread and the session's
  // worker: implementations serialize their writes. Must not throw; a transport that can no
  // longer write drops the message (and logs it).
  virtual void send(const nlohmann::json& message) = 0;
};

}  // namespace evo::server
