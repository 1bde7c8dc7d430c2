// SessionOptions::inline_tool_calls. kAlways (Streamable HTTP): tools/call of a tool that is
// not ToolDef::interactive runs on the thread calling receive(); interactive tools stay on the
// worker. Progress still precedes the reply, cancellation from another thread still works, and
// close() waits for inline calls. kWhenIdle (stdio): the same, but only while the worker has
// nothing queued or running.
#include <doctest/doctest.h>

#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
namespace {

struct Threads {
  std::mutex mu;
  std::thread::id plain;
  std::thread::id interactive;
  Gate held;  // "held" waits on it
};

// fake_tools plus "where" (records its thread) and "asker" (interactive, records its thread),
// and "rude" (not marked interactive, yet asks the client).
std::shared_ptr<const ToolRegistry> inline_registry(const std::shared_ptr<ToolProbe>& probe,
                                                    const std::shared_ptr<Threads>& threads) {
  auto tools = fake_tools(probe);
  tools.push_back(ToolDef{"where", "", "Records its thread.", json{{"type", "object"}}, json(),
                          [threads](const json&, ToolContext&) {
                            const std::lock_guard lock(threads->mu);
                            threads->plain = std::this_thread::get_id();
                            return ToolOutcome::ok(json::object());
                          }});
  tools.push_back(ToolDef{"asker", "", "Records its thread (interactive).",
                          json{{"type", "object"}}, json(), [threads](const json&, ToolContext&) {
                            const std::lock_guard lock(threads->mu);
                            threads->interactive = std::this_thread::get_id();
                            return ToolOutcome::ok(json::object());
                          }});
  tools.back().interactive = true;
  tools.push_back(ToolDef{"held", "", "Waits on Threads::held (interactive).",
                          json{{"type", "object"}}, json(), [threads](const json&, ToolContext&) {
                            threads->held.enter_and_wait([] { return false; });
                            return ToolOutcome::ok(json::object());
                          }});
  tools.back().interactive = true;
  tools.push_back(ToolDef{"rude", "", "Asks the client without being marked interactive.",
                          json{{"type", "object"}}, json(), [](const json&, ToolContext& ctx) {
                            const auto reply = ctx.request_client("roots/list", json::object());
                            if (!reply.result) return ToolOutcome::fail(reply.error);
                            return ToolOutcome::ok(json::object());
                          }});
  return make_registry(std::move(tools));
}

SessionOptions inline_options() {
  SessionOptions options;
  options.inline_tool_calls = InlineToolCalls::kAlways;
  return options;
}

SessionOptions when_idle_options() {
  SessionOptions options;
  options.inline_tool_calls = InlineToolCalls::kWhenIdle;
  return options;
}

std::thread::id plain_thread(Threads& threads) {
  const std::lock_guard lock(threads.mu);
  return threads.plain;
}

json call_params(const std::string& name, std::optional<json> meta = {}) {
  json params{{"name", name}, {"arguments", json::object()}};
  if (meta) params["_meta"] = *meta;
  return params;
}

TEST_SUITE("session.inline") {
  TEST_CASE("a plain tool runs on the calling thread and is answered before receive returns") {
    auto probe = std::make_shared<ToolProbe>();
    auto threads = std::make_shared<Threads>();
    Client c(inline_registry(probe, threads), inline_options());
    c.handshake();
    c.request(1, "tools/call", call_params("where"));
    CHECK(c.replies_with_id(1) == 1);  // no drain(): it is already there
    const std::lock_guard lock(threads->mu);
    CHECK(threads->plain == std::this_thread::get_id());
  }

  TEST_CASE("without the option, and for interactive tools, the worker runs them") {
    auto probe = std::make_shared<ToolProbe>();
    auto threads = std::make_shared<Threads>();
    SUBCASE("option off") {
      Client c(inline_registry(probe, threads));
      c.handshake();
      c.call(1, "tools/call", call_params("where"));
      const std::lock_guard lock(threads->mu);
      CHECK(threads->plain != std::this_thread::get_id());
    }
    SUBCASE("interactive tool") {
      Client c(inline_registry(probe, threads), inline_options());
      c.handshake();
      const json r = c.call(1, "tools/call", call_params("asker"));
      CHECK(r.contains("result"));
      const std::lock_guard lock(threads->mu);
      CHECK(threads->interactive != std::thread::id());
      CHECK(threads->interactive != std::this_thread::get_id());
    }
  }

  TEST_CASE("inline progress precedes the reply; unknown tools are still refused") {
    auto probe = std::make_shared<ToolProbe>();
    auto threads = std::make_shared<Threads>();
    Client c(inline_registry(probe, threads), inline_options());
    c.handshake();
    probe->gate.release();
    c.request(9, "tools/call", call_params("slow", json{{"progressToken", "t"}}));
    const auto sent = c.out().messages();
    // Three progress notifications and the tool's log line, then the reply.
    REQUIRE(sent.size() == 5);
    for (std::size_t i = 0; i < 3; ++i) CHECK(sent[i].at("method") == "notifications/progress");
    CHECK(sent[3].at("method") == "notifications/message");
    CHECK(sent[4].at("id") == 9);
    CHECK(sent[4].at("result").at("structuredContent") == json{{"done", true}});
    c.request(10, "tools/call", call_params("nope"));
    CHECK(error_code(c.reply(10)) == jsonrpc::kInvalidParams);
  }

  TEST_CASE("a cancel from another thread reaches an inline call; its reply is suppressed") {
    auto probe = std::make_shared<ToolProbe>();
    auto threads = std::make_shared<Threads>();
    Client c(inline_registry(probe, threads), inline_options());
    c.handshake();
    std::thread caller([&] { c.request("s", "tools/call", call_params("slow")); });
    REQUIRE(probe->gate.wait_entered());
    c.notify("notifications/cancelled", json{{"requestId", "s"}, {"reason", "test"}});
    caller.join();
    CHECK(probe->saw_cancel);
    CHECK(c.replies_with_id("s") == 0);
    // The id is free again.
    probe->gate.release();
    c.request("s", "tools/call", call_params("slow"));
    CHECK(c.replies_with_id("s") == 1);
  }

  TEST_CASE("a tool not marked interactive cannot ask the client inline (no hang)") {
    auto probe = std::make_shared<ToolProbe>();
    auto threads = std::make_shared<Threads>();
    Client c(inline_registry(probe, threads), inline_options());
    c.handshake();
    c.request(1, "tools/call", call_params("rude"));
    CHECK(is_tool_error(c.reply(1)));
    CHECK(c.notifications("roots/list").empty());
  }

  TEST_CASE("kWhenIdle: inline while the worker is idle, queued behind its work otherwise") {
    auto probe = std::make_shared<ToolProbe>();
    auto threads = std::make_shared<Threads>();
    Client c(inline_registry(probe, threads), when_idle_options());
    c.handshake();
    c.request(1, "tools/call", call_params("where"));
    CHECK(c.replies_with_id(1) == 1);  // answered before receive returned
    CHECK(plain_thread(*threads) == std::this_thread::get_id());

    // An interactive tool occupies the worker: the next plain call queues behind it instead of
    // blocking the reader, which still answers ping.
    c.request(2, "tools/call", call_params("held"));
    REQUIRE(threads->held.wait_entered());
    c.request(3, "tools/call", call_params("where"));
    CHECK(c.replies_with_id(3) == 0);
    c.request(4, "ping");
    CHECK(c.replies_with_id(4) == 1);
    threads->held.release();
    c.session().drain();
    CHECK(plain_thread(*threads) != std::this_thread::get_id());
    std::vector<json> order;
    for (const auto& m : c.out().messages()) {
      if (m.contains("id") && (m.at("id") == 2 || m.at("id") == 3)) order.push_back(m.at("id"));
    }
    CHECK(order == std::vector<json>{2, 3});  // arrival order kept

    // Idle again: inline again.
    c.request(5, "tools/call", call_params("where"));
    CHECK(c.replies_with_id(5) == 1);
    CHECK(plain_thread(*threads) == std::this_thread::get_id());
  }

  TEST_CASE("close() waits for a running inline call, whose reply still goes out") {
    auto probe = std::make_shared<ToolProbe>();
    auto threads = std::make_shared<Threads>();
    Client c(inline_registry(probe, threads), inline_options());
    c.handshake();
    std::thread caller([&] { c.request(5, "tools/call", call_params("slow")); });
    REQUIRE(probe->gate.wait_entered());
    std::atomic<bool> closed{false};
    std::thread closer([&] {
      c.session().close();
      closed = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(closed);
    probe->gate.release();
    caller.join();
    closer.join();
    CHECK(closed);
    CHECK(c.reply(5).contains("result"));
    // After close, tool calls are refused.
    c.request(6, "tools/call", call_params("where"));
    CHECK(c.reply(6).contains("error"));
  }
}

}  // namespace
}  // namespace evo::mcp::testing
