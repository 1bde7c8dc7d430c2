// The worker thread: progress notifications, cancellation of running and queued requests, and
// ordering guarantees (nothing after the reply, replies in arrival order).
#include <doctest/doctest.h>

#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
namespace {

std::size_t index_of_reply(const std::vector<json>& sent, const json& id) {
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (sent[i].contains("id") && sent[i].at("id") == id) return i;
  }
  return sent.size();
}

TEST_SUITE("session.progress") {
  TEST_CASE("progress is strictly increasing and precedes the reply") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    probe->gate.release();
    const json r = c.call_tool(9, "slow", json::object(), json{{"progressToken", "tok-1"}});
    CHECK(r.at("result").at("structuredContent") == json{{"done", true}});
    const auto sent = c.out().messages();
    const auto progress = c.notifications("notifications/progress");
    REQUIRE(progress.size() == 3);  // the repeated value 1 is dropped
    CHECK(progress[0].at("params") ==
          json::parse(R"({"progressToken":"tok-1","progress":1.0,"total":3.0,"message":"one"})"));
    CHECK(progress[1].at("params").at("progress") == 2.0);
    CHECK(progress[2].at("params") == json::parse(R"({"progressToken":"tok-1","progress":3.0})"));
    double last = -1;
    for (const auto& p : progress) {
      CHECK(p.at("params").at("progress").get<double>() > last);
      last = p.at("params").at("progress").get<double>();
    }
    const std::size_t reply_at = index_of_reply(sent, 9);
    REQUIRE(reply_at < sent.size());
    for (std::size_t i = reply_at + 1; i < sent.size(); ++i) {
      CHECK(sent[i].at("method") != "notifications/progress");
    }
  }

  TEST_CASE("integer progress tokens are echoed; no token means no progress") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    probe->gate.release();
    c.call_tool(1, "slow", json::object(), json{{"progressToken", 77}});
    auto progress = c.notifications("notifications/progress");
    REQUIRE_FALSE(progress.empty());
    CHECK(progress[0].at("params").at("progressToken") == 77);
    c.out().clear();
    c.call_tool(2, "slow");
    CHECK(c.notifications("notifications/progress").empty());
  }

  TEST_CASE("no progress before notifications/initialized") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.call(0, "initialize", json{{"protocolVersion", "2025-11-25"}});
    probe->gate.release();
    const json r = c.call_tool(1, "slow", json::object(), json{{"progressToken", "t"}});
    CHECK(r.contains("result"));
    CHECK(c.notifications("notifications/progress").empty());
  }
}

TEST_SUITE("session.cancellation") {
  TEST_CASE("cancelling a running request suppresses its reply") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    c.request("run-1", "tools/call", json{{"name", "slow"}, {"_meta", {{"progressToken", "p"}}}});
    REQUIRE(probe->gate.wait_entered());
    c.notify("notifications/cancelled", json{{"requestId", "run-1"}, {"reason", "user"}});
    c.session().drain();
    CHECK(probe->saw_cancel);
    CHECK(c.replies_with_id("run-1") == 0);
    // The session is still fine.
    CHECK(c.call(2, "ping").contains("result"));
  }

  TEST_CASE("cancelling a queued request means it never runs and is never answered") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    c.request(1, "tools/call", json{{"name", "slow"}});
    REQUIRE(probe->gate.wait_entered());
    c.request(2, "tools/call", json{{"name", "echo"}, {"arguments", {{"repo_path", "/r"}}}});
    c.request(3, "tools/list");
    c.notify("notifications/cancelled", json{{"requestId", 2}});
    probe->gate.release();
    c.session().drain();
    CHECK(probe->slow_runs == 1);
    CHECK(c.replies_with_id(1) == 1);
    CHECK(c.replies_with_id(2) == 0);
    CHECK(c.replies_with_id(3) == 1);
    // Replies of worker requests keep arrival order.
    const auto sent = c.out().messages();
    CHECK(index_of_reply(sent, 1) < index_of_reply(sent, 3));
  }

  TEST_CASE("cancelling unknown, finished or initialize ids is ignored") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.request(0, "initialize", json{{"protocolVersion", "2025-11-25"}});
    c.notify("notifications/cancelled", json{{"requestId", 0}});
    c.notify("notifications/initialized");
    CHECK(c.replies_with_id(0) == 1);
    CHECK(c.session().protocol_version() == "2025-11-25");
    probe->gate.release();
    c.call_tool(5, "slow");
    c.notify("notifications/cancelled", json{{"requestId", 5}});
    c.notify("notifications/cancelled", json{{"requestId", "never-sent"}});
    c.notify("notifications/cancelled", json{{"requestId", 5.5}});
    c.session().drain();
    CHECK(c.replies_with_id(5) == 1);
    // "5" is a different id from 5.
    c.request(6, "tools/call", json{{"name", "echo"}, {"arguments", {{"repo_path", "/r"}}}});
    c.notify("notifications/cancelled", json{{"requestId", "6"}});
    c.session().drain();
    CHECK(c.replies_with_id(6) == 1);
  }

  TEST_CASE("every request gets exactly one reply under a burst") {
    auto probe = std::make_shared<ToolProbe>();
    probe->gate.release();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    for (int i = 1; i <= 200; ++i) {
      switch (i % 5) {
        case 0:
          c.request(i, "ping");
          break;
        case 1:
          c.request(i, "tools/list");
          break;
        case 2:
          c.request(i, "tools/call", json{{"name", "echo"}, {"arguments", {{"repo_path", "/r"}}}});
          break;
        case 3:
          c.request(i, "tools/call", json{{"name", "throw"}});
          break;
        default:
          c.request(i, "nope");
          break;
      }
    }
    c.session().drain();
    for (int i = 1; i <= 200; ++i) CHECK(c.replies_with_id(i) == 1);
    for (const auto& m : c.out().messages()) CHECK(valid_outgoing(m));
  }

  TEST_CASE("close() finishes queued work and flushes its replies") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    c.request(1, "tools/call", json{{"name", "slow"}});
    c.request(2, "tools/call", json{{"name", "echo"}, {"arguments", {{"repo_path", "/r"}}}});
    REQUIRE(probe->gate.wait_entered());
    std::thread releaser([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      probe->gate.release();
    });
    c.session().close();
    releaser.join();
    CHECK(c.replies_with_id(1) == 1);
    CHECK(c.replies_with_id(2) == 1);
  }

  TEST_CASE("tool logs reach the client at or above the level") {
    auto probe = std::make_shared<ToolProbe>();
    probe->gate.release();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    c.call_tool(1, "slow");
    auto logs = c.notifications("notifications/message");
    REQUIRE(logs.size() == 1);
    CHECK(logs[0].at("params").at("data") == "slow done");
    c.call(2, "logging/setLevel", json{{"level", "error"}});
    c.out().clear();
    c.call_tool(3, "slow");
    CHECK(c.notifications("notifications/message").empty());
  }
}

}  // namespace
}  // namespace evo::mcp::testing
