// Shared fixtures for the protocol tests: a capturing Outbound, a quiet logger, fake tools and an
// in-process client that drives an McpSession the way a transport would.
#pragma once

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mcp/jsonrpc.h"
#include "mcp/mcp_session.h"
#include "mcp/tool_registry.h"

namespace evo::mcp::testing {

using nlohmann::json;

inline std::shared_ptr<spdlog::logger> quiet_logger() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

class FakeOutbound final : public Outbound {
 public:
  void send(jsonrpc::Message message) override {
    // What a transport would put on the wire must survive a round trip.
    const auto line = jsonrpc::dump_compact(jsonrpc::to_json(std::move(message)));
    const std::lock_guard lock(mu_);
    sent_.push_back(json::parse(line));
    cv_.notify_all();
  }

  std::vector<json> messages() const {
    const std::lock_guard lock(mu_);
    return sent_;
  }

  void clear() {
    const std::lock_guard lock(mu_);
    sent_.clear();
  }

  // Waits (bounded) until `pred` holds for the messages sent so far.
  template <typename Pred>
  bool wait_for(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return pred(sent_); });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<json> sent_;
};

// Lets a test hold a tool inside its handler and release it later.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool released = false;

  void enter_and_wait(const std::function<bool()>& cancelled) {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!released && !cancelled() && std::chrono::steady_clock::now() < deadline) {
      cv.wait_for(lock, std::chrono::milliseconds(5));
    }
  }
  bool wait_entered() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [this] { return entered; });
  }
  void release() {
    const std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
};

inline json echo_input_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "repo_path": {"type": "string", "minLength": 1},
      "mutation_rate": {"type": "number", "minimum": 0, "maximum": 1},
      "count": {"type": "integer", "minimum": 1, "maximum": 10},
      "label": {"type": "string", "pattern": "^[a-z]+$"},
      "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
      "objectives": {
        "type": "array", "minItems": 1,
        "items": {
          "type": "object",
          "properties": {
            "name": {"type": "string"},
            "direction": {"enum": ["min", "max"]}
          },
          "required": ["name", "direction"],
          "additionalProperties": false
        }
      }
    },
    "required": ["repo_path"],
    "additionalProperties": false
  })");
}

inline json echo_output_schema() {
  return json::parse(R"({"type": "object", "properties": {"echo": {"type": "object"}},
                         "required": ["echo"]})");
}

struct ToolProbe {
  Gate gate;
  std::atomic<bool> saw_cancel{false};
  std::atomic<int> slow_runs{0};
};

// echo, fail, throw, bad_output, slow (progress + gate), plain (no properties).
inline std::vector<ToolDef> fake_tools(const std::shared_ptr<ToolProbe>& probe) {
  std::vector<ToolDef> tools;
  tools.push_back(ToolDef{"echo", "Echo", "Returns its arguments.", echo_input_schema(),
                          echo_output_schema(), [](const json& args, ToolContext&) {
                            return ToolOutcome::ok(json{{"echo", args}});
                          }});
  tools.push_back(ToolDef{"fail", "", "Always fails with a domain error.", json{{"type", "object"}},
                          json(), [](const json&, ToolContext&) {
                            return ToolOutcome::fail(
                                "run 'r1': illegal transition from 'evaluating' to 'planning'");
                          }});
  tools.push_back(
      ToolDef{"throw", "", "Throws.", json{{"type", "object"}}, json(),
              [](const json&, ToolContext&) -> ToolOutcome { throw std::runtime_error("boom"); }});
  tools.push_back(ToolDef{"bad_output", "", "Breaks its outputSchema.", json{{"type", "object"}},
                          echo_output_schema(), [](const json&, ToolContext&) {
                            return ToolOutcome::ok(json{{"wrong", 1}});
                          }});
  tools.push_back(ToolDef{"slow", "", "Reports progress, then waits on the gate.",
                          json{{"type", "object"}}, json(), [probe](const json&, ToolContext& ctx) {
                            ++probe->slow_runs;
                            ctx.report_progress(1, 3, "one");
                            ctx.report_progress(1, 3, "again: not increasing, dropped");
                            ctx.report_progress(2, 3, "two");
                            ctx.report_progress(3, std::nullopt, "");
                            probe->gate.enter_and_wait(ctx.is_cancelled);
                            probe->saw_cancel = ctx.is_cancelled();
                            ctx.log(LogLevel::kWarning, json("slow done"));
                            return ToolOutcome::ok(json{{"done", true}});
                          }});
  tools.push_back(ToolDef{
      "plain", "", "Takes nothing.", json{{"type", "object"}, {"properties", json::object()}},
      json(), [](const json&, ToolContext&) { return ToolOutcome::ok(json::object()); }});
  return tools;
}

inline std::shared_ptr<const ToolRegistry> make_registry(std::vector<ToolDef> tools) {
  auto registry = ToolRegistry::create(std::move(tools));
  REQUIRE_MESSAGE(registry.ok(), (registry.ok() ? "" : registry.error().message));
  return registry.value();
}

// A session plus the capturing Outbound: the in-process client of the test tiers.
class Client {
 public:
  explicit Client(std::shared_ptr<const ToolRegistry> tools, SessionOptions options = {},
                  ServerInfo info = default_info())
      : session_(std::move(info), std::move(tools), out_, quiet_logger(), options) {}

  static ServerInfo default_info() {
    return ServerInfo{"evo-engine", "9.9.9", "Evo Engine", "Use the tools."};
  }

  McpSession& session() { return session_; }
  FakeOutbound& out() { return out_; }

  void send_raw(const std::string& raw) { session_.receive(raw); }
  void send(const json& message) { session_.receive(message.dump()); }

  void request(const json& id, const std::string& method, std::optional<json> params = {}) {
    json m{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (params) m["params"] = *params;
    send(m);
  }
  void notify(const std::string& method, std::optional<json> params = {}) {
    json m{{"jsonrpc", "2.0"}, {"method", method}};
    if (params) m["params"] = *params;
    send(m);
  }

  // Sends a request, waits for every queued reply, returns the reply with that id.
  json call(const json& id, const std::string& method, std::optional<json> params = {}) {
    request(id, method, std::move(params));
    session_.drain();
    return reply(id);
  }

  json reply(const json& id) const {
    json found;
    int count = 0;
    for (const auto& m : out_.messages()) {
      const auto it = m.find("id");
      if (it != m.end() && *it == id && !m.contains("method")) {
        found = m;
        ++count;
      }
    }
    CHECK_MESSAGE(count == 1, "expected exactly one reply with id " << id.dump());
    return found;
  }

  std::size_t replies_with_id(const json& id) const {
    const auto all = out_.messages();
    return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const json& m) {
      const auto it = m.find("id");
      return it != m.end() && *it == id;
    }));
  }

  std::vector<json> notifications(const std::string& method) const {
    std::vector<json> found;
    for (const auto& m : out_.messages()) {
      const auto it = m.find("method");
      if (it != m.end() && *it == method) found.push_back(m);
    }
    return found;
  }

  void handshake(const std::string& version = "2025-11-25") {
    const json r = call(0, "initialize",
                        json{{"protocolVersion", version},
                             {"capabilities", json::object()},
                             {"clientInfo", {{"name", "test-client"}, {"version", "1.0"}}}});
    REQUIRE(r.contains("result"));
    notify("notifications/initialized");
    out_.clear();
  }

  json call_tool(const json& id, const std::string& name, std::optional<json> args = {},
                 std::optional<json> meta = {}) {
    json params{{"name", name}};
    if (args) params["arguments"] = *args;
    if (meta) params["_meta"] = *meta;
    return call(id, "tools/call", params);
  }

 private:
  FakeOutbound out_;  // declared first: the session sends through it until it is destroyed
  McpSession session_;
};

inline int error_code(const json& reply) {
  return reply.at("error").at("code").get<int>();
}

inline std::string tool_text(const json& reply) {
  return reply.at("result").at("content").at(0).at("text").get<std::string>();
}

inline bool is_tool_error(const json& reply) {
  const auto& result = reply.at("result");
  const auto it = result.find("isError");
  return it != result.end() && it->get<bool>();
}

// Shape check for anything the server may put on the wire.
inline bool valid_outgoing(const json& m) {
  if (!m.is_object() || m.value("jsonrpc", "") != "2.0") return false;
  if (m.contains("method")) {
    return m.at("method").is_string() && !m.contains("id") && !m.contains("result") &&
           !m.contains("error");
  }
  if (!m.contains("id")) return false;
  const auto& id = m.at("id");
  if (!(id.is_null() || id.is_string() || id.is_number_integer())) return false;
  const bool has_result = m.contains("result");
  const bool has_error = m.contains("error");
  if (has_result == has_error) return false;
  if (has_error) {
    const auto& e = m.at("error");
    return e.is_object() && e.contains("code") && e.at("code").is_number_integer() &&
           e.contains("message") && e.at("message").is_string();
  }
  return !id.is_null();
}

}  // namespace evo::mcp::testing
