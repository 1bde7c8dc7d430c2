// The parts of McpSession that reach past one 2025-11-25 request/reply: stateless 2026-07-28
// requests (server/discover and any request carrying its own _meta), and requests the server
// sends the client while a tool runs (sampling, elicitation), matched to their responses.
#include <chrono>
#include <string>
#include <utility>

#include "mcp/session_impl.h"

namespace evo::mcp {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// How often a tool waiting on the client looks at its own cancellation and the session's close.
constexpr auto kCallPoll = std::chrono::milliseconds(100);

// The client capability a server-to-client request needs (nullptr: none).
const char* capability_for(const std::string& method) {
  if (method == "sampling/createMessage") return "sampling";
  if (method == "elicitation/create") return "elicitation";
  if (method == "roots/list") return "roots";
  return nullptr;
}

}  // namespace

json McpSession::Impl::server_info_json() const {
  json server{{"name", info.name}, {"version", info.version}};
  if (!info.title.empty()) server["title"] = info.title;
  return server;
}

void McpSession::Impl::on_modern_request(jsonrpc::Request request) {
  const json* params = request.params ? &*request.params : nullptr;
  auto meta = modern::read_meta(request.method, params);
  if (auto* error = std::get_if<jsonrpc::Error>(&meta)) {
    send(jsonrpc::make_error(request.id, std::move(*error)));
    return;
  }
  const auto entry_it = methods.find(request.method);
  if (entry_it == methods.end() || modern::removed_in_modern(request.method)) {
    send(jsonrpc::make_error(request.id, jsonrpc::kMethodNotFound,
                             "Method not found in protocol version " +
                                 std::get<modern::RequestMeta>(meta).protocol_version + ": " +
                                 request.method));
    return;
  }
  if (closed) {
    send(jsonrpc::make_error(request.id, jsonrpc::kInternalError, "session is shutting down"));
    return;
  }
  dispatch(std::move(request), entry_it->second, std::get<modern::RequestMeta>(std::move(meta)));
}

MethodResult McpSession::Impl::discover() const {
  json caps = capabilities;
  // 2026-07-28 removed resources/subscribe (it answers -32601 there), so it is not advertised.
  if (const auto resources = caps.find("resources");
      resources != caps.end() && resources->is_object()) {
    resources->erase("subscribe");
  }
  json result{{"supportedVersions", modern::supported_versions()}, {"capabilities", caps}};
  // Logging is deprecated in 2026-07-28 but still served per request through _meta.logLevel.
  if (!info.instructions.empty()) result["instructions"] = info.instructions;
  return result;
}

ClientReply McpSession::Impl::request_client(const std::shared_ptr<InFlight>& flight,
                                             const std::string& method, const json& params) {
  const char* needed = capability_for(method);
  if (flight->modern) {
    if (needed != nullptr && !flight->modern->client_capabilities.contains(needed)) {
      // finish() turns the tool's failure into -32021, naming what to declare on a retry.
      const std::lock_guard lock(flight->mu);
      flight->missing_capabilities[needed] = json::object();
      return ClientReply{std::nullopt, std::string("the request's clientCapabilities do not "
                                                   "declare '") +
                                           needed + "'"};
    }
    return ClientReply{std::nullopt, "protocol version " + flight->modern->protocol_version +
                                         " has no server-to-client requests"};
  }
  if (needed != nullptr) {
    const std::lock_guard lock(mu);
    if (!client_capabilities.contains(needed)) {
      return ClientReply{std::nullopt,
                         std::string("the client did not declare the '") + needed + "' capability"};
    }
  }
  auto call = std::make_shared<PendingCall>();
  jsonrpc::RequestId id;
  {
    const std::lock_guard lock(mu);
    if (closed) return ClientReply{std::nullopt, "the session is closing"};
    id = std::string("evo-") + std::to_string(++next_call_id);
    pending_calls.emplace(id, call);
  }
  out.send_related(jsonrpc::Request{id, method, params}, flight->id);

  const auto deadline = Clock::now() + options.client_request_timeout;
  ClientReply reply;
  bool answered = false;
  {
    std::unique_lock lock(call->mu);
    for (;;) {
      if (call->done) {
        reply = std::move(call->reply);
        answered = true;
        break;
      }
      if (flight->cancelled) {
        reply = ClientReply{std::nullopt, "the request was cancelled"};
        break;
      }
      if (closed) {
        reply = ClientReply{std::nullopt, "the session is closing"};
        break;
      }
      const auto now = Clock::now();
      if (now >= deadline) {
        reply = ClientReply{std::nullopt, "the client did not answer " + method + " in time"};
        break;
      }
      call->cv.wait_until(lock, std::min(deadline, now + kCallPoll));
    }
  }
  {
    const std::lock_guard lock(mu);
    pending_calls.erase(id);
  }
  if (!answered && !closed) {
    // Tell the client to stop working on it: its answer would be ignored.
    out.send_related(jsonrpc::Notification{"notifications/cancelled",
                                           json{{"requestId", jsonrpc::id_to_json(id)},
                                                {"reason", reply.error}}},
                     flight->id);
  }
  return reply;
}

void McpSession::Impl::on_response(const jsonrpc::Response& response) {
  if (!response.id) {
    const auto* error = std::get_if<jsonrpc::Error>(&response.outcome);
    logger->warn("the client sent an error without an id: {}", error ? error->message : "?");
    return;
  }
  std::shared_ptr<PendingCall> call;
  {
    const std::lock_guard lock(mu);
    const auto it = pending_calls.find(*response.id);
    if (it != pending_calls.end()) call = it->second;
  }
  if (!call) {
    logger->debug("ignored a response to {}: no such request is waiting",
                  jsonrpc::id_to_string(*response.id));
    return;
  }
  {
    const std::lock_guard lock(call->mu);
    if (const auto* error = std::get_if<jsonrpc::Error>(&response.outcome)) {
      call->reply =
          ClientReply{std::nullopt, "the client answered with error " +
                                        std::to_string(error->code) + ": " + error->message};
    } else {
      call->reply = ClientReply{std::get<json>(response.outcome), {}};
    }
    call->done = true;
  }
  call->cv.notify_all();
}

void McpSession::Impl::fail_pending_calls() {
  std::map<jsonrpc::RequestId, std::shared_ptr<PendingCall>> calls;
  {
    const std::lock_guard lock(mu);
    calls = pending_calls;
  }
  for (auto& [id, call] : calls) call->cv.notify_all();
}

}  // namespace evo::mcp
