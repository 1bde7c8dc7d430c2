// McpSession lifecycle and dispatch: handshake, version negotiation, error codes on the wire,
// notifications, ids, logging, extension points.
#include <doctest/doctest.h>

#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
namespace {

std::shared_ptr<const ToolRegistry> registry() {
  return make_registry(fake_tools(std::make_shared<ToolProbe>()));
}

TEST_SUITE("session.lifecycle") {
  TEST_CASE("initialize echoes a supported version and declares only what is implemented") {
    for (const char* version : {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}) {
      Client c(registry());
      const json r = c.call(1, "initialize",
                            json{{"protocolVersion", version},
                                 {"capabilities", json::object()},
                                 {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
      const json& result = r.at("result");
      CHECK(result.at("protocolVersion") == version);
      CHECK(result.at("capabilities") ==
            json::parse(R"({"tools":{"listChanged":false},"logging":{}})"));
      CHECK(result.at("serverInfo") ==
            json::parse(R"({"name":"evo-engine","version":"9.9.9","title":"Evo Engine"})"));
      CHECK(result.at("instructions") == "Use the tools.");
      CHECK(c.session().protocol_version() == version);
    }
  }

  TEST_CASE("initialize answers an unknown or missing version with the latest, never an error") {
    Client unknown(registry());
    json r = unknown.call(1, "initialize", json{{"protocolVersion", "1999-01-01"}});
    CHECK(r.at("result").at("protocolVersion") == "2025-11-25");
    Client future(registry());
    r = future.call(1, "initialize", json{{"protocolVersion", "2026-07-28"}});
    CHECK(r.at("result").at("protocolVersion") == "2025-11-25");
    Client missing(registry());
    r = missing.call(1, "initialize");
    CHECK(r.at("result").at("protocolVersion") == "2025-11-25");
    Client wrong_type(registry());
    r = wrong_type.call(1, "initialize",
                        json{{"protocolVersion", 20251125}, {"clientInfo", {{"name", 5}}}});
    CHECK(r.at("result").at("protocolVersion") == "2025-11-25");
  }

  TEST_CASE("initialize twice is refused") {
    Client c(registry());
    c.handshake();
    const json r = c.call(2, "initialize", json{{"protocolVersion", "2025-11-25"}});
    CHECK(error_code(r) == jsonrpc::kInvalidRequest);
  }

  TEST_CASE("requests before initialize: ping works, others are refused, unknown is -32601") {
    Client c(registry());
    CHECK(c.call(1, "ping").at("result") == json::object());
    json r = c.call(2, "tools/list");
    CHECK(error_code(r) == jsonrpc::kInvalidRequest);
    CHECK(r.at("error").at("message").get<std::string>().find("not initialized") !=
          std::string::npos);
    CHECK(error_code(c.call(3, "logging/setLevel", json{{"level", "debug"}})) ==
          jsonrpc::kInvalidRequest);
    CHECK(error_code(c.call(4, "nope")) == jsonrpc::kMethodNotFound);
  }

  TEST_CASE("server/discover from a 2026-07-28 client is answered at once, before initialize") {
    Client c(registry());
    const json probe = json::parse(R"({"jsonrpc":"2.0","id":"discover-1","method":"server/discover",
        "params":{"_meta":{"protocolVersion":"2026-07-28"}}})");
    c.send(probe);
    // Answered on the reading thread: no drain needed.
    const auto sent = c.out().messages();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].at("id") == "discover-1");
    CHECK(sent[0].at("result").at("supportedVersions").at(0) == "2026-07-28");
    CHECK(sent[0].at("result").at("resultType") == "complete");
    // A dual-era client may still go on with the handshake.
    c.handshake();
    CHECK(c.call(5, "ping").contains("result"));
  }

  TEST_CASE("ping answers {} with the id echoed exactly") {
    Client c(registry());
    c.handshake();
    CHECK(c.call(42, "ping") == json::parse(R"({"jsonrpc":"2.0","id":42,"result":{}})"));
    CHECK(c.call("abc", "ping") == json::parse(R"({"jsonrpc":"2.0","id":"abc","result":{}})"));
    CHECK(c.call("42", "ping").at("id") == "42");
    CHECK(c.call(-7, "ping").at("id") == -7);
    CHECK(c.call(0, "ping").at("id") == 0);
  }
}

TEST_SUITE("session.errors") {
  TEST_CASE("envelope errors reach the wire with the right code and id") {
    Client c(registry());
    c.handshake();
    struct Case {
      const char* raw;
      int code;
      json id;
    };
    const Case cases[] = {
        {"{oops", jsonrpc::kParseError, nullptr},
        {R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", jsonrpc::kInvalidRequest, nullptr},
        {"42", jsonrpc::kInvalidRequest, nullptr},
        {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", jsonrpc::kInvalidRequest, nullptr},
        {R"({"jsonrpc":"1.0","id":9,"method":"ping"})", jsonrpc::kInvalidRequest, 9},
        {R"({"id":"s","method":"ping"})", jsonrpc::kInvalidRequest, "s"},
        {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", jsonrpc::kInvalidRequest, nullptr},
        {R"({"jsonrpc":"2.0","id":10,"method":"no/such/method"})", jsonrpc::kMethodNotFound, 10},
        {R"({"jsonrpc":"2.0","id":11,"method":"tools/call","params":[1]})", jsonrpc::kInvalidParams,
         11},
    };
    for (const auto& k : cases) {
      c.out().clear();
      c.send_raw(k.raw);
      c.session().drain();
      const auto sent = c.out().messages();
      REQUIRE_MESSAGE(sent.size() == 1, k.raw);
      CHECK_MESSAGE(error_code(sent[0]) == k.code, k.raw);
      CHECK_MESSAGE(sent[0].at("id") == k.id, k.raw);
      CHECK(valid_outgoing(sent[0]));
    }
  }

  TEST_CASE("oversized messages are refused with a clear error") {
    SessionOptions options;
    options.max_message_bytes = 64;
    Client c(registry(), options);
    c.send_raw(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" +
               std::string(100, 'x') + "\"}}");
    const auto sent = c.out().messages();
    REQUIRE(sent.size() == 1);
    CHECK(error_code(sent[0]) == jsonrpc::kInvalidRequest);
    CHECK(sent[0].at("error").at("message").get<std::string>().find("64-byte limit") !=
          std::string::npos);
  }

  TEST_CASE("notifications never get a reply; unknown ones and responses are ignored") {
    Client c(registry());
    c.handshake();
    c.notify("notifications/initialized");
    c.notify("notifications/whatever", json{{"x", 1}});
    c.notify("tools/list");  // a request method sent as a notification
    c.notify("notifications/cancelled", json{{"requestId", 12345}});
    c.notify("notifications/cancelled", json{{"requestId", nullptr}});
    c.notify("notifications/cancelled");
    c.send_raw(R"({"jsonrpc":"2.0","id":77,"result":{}})");
    c.send_raw(R"({"jsonrpc":"2.0","id":78,"error":{"code":-1,"message":"no"}})");
    c.send_raw(R"({"jsonrpc":"2.0","id":79,"result":{},"error":{"code":1,"message":""}})");
    c.session().drain();
    CHECK(c.out().messages().empty());
  }

  TEST_CASE("a throwing method handler becomes -32603 and the session goes on") {
    Client c(registry());
    c.session().register_method("boom", [](const json&, RequestContext&) -> MethodResult {
      throw std::runtime_error("kaput");
    });
    c.handshake();
    const json r = c.call(1, "boom");
    CHECK(error_code(r) == jsonrpc::kInternalError);
    CHECK(r.at("error").at("message") == "internal error: kaput");
    CHECK(c.call(2, "ping").contains("result"));
  }

  TEST_CASE("a duplicate in-flight id is refused without disturbing the first request") {
    auto probe = std::make_shared<ToolProbe>();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    c.request(5, "tools/call", json{{"name", "slow"}});
    REQUIRE(probe->gate.wait_entered());
    c.request(5, "ping");
    const auto is_error_reply = [](const json& m) { return m.contains("error"); };
    REQUIRE(c.out().wait_for([&](const std::vector<json>& s) {
      return std::any_of(s.begin(), s.end(), is_error_reply);
    }));
    probe->gate.release();
    c.session().drain();
    CHECK(c.replies_with_id(5) == 2);
    for (const auto& m : c.out().messages()) {
      if (m.contains("error")) CHECK(error_code(m) == jsonrpc::kInvalidRequest);
      if (m.contains("result"))
        CHECK(m.at("result").at("structuredContent") == json{{"done", true}});
    }
  }
}

TEST_SUITE("session.logging") {
  TEST_CASE("setLevel filters notifications/message; bad levels are -32602") {
    Client c(registry());
    c.handshake();
    CHECK(c.call(1, "logging/setLevel", json{{"level", "warning"}}).at("result") == json::object());
    CHECK(c.session().log_level() == LogLevel::kWarning);
    c.out().clear();
    c.session().log(LogLevel::kInfo, "hidden");
    c.session().log(LogLevel::kWarning, "shown");
    c.session().log(LogLevel::kEmergency, json{{"k", 1}});
    const auto logs = c.notifications("notifications/message");
    REQUIRE(logs.size() == 2);
    CHECK(logs[0].at("params") ==
          json::parse(R"({"level":"warning","logger":"evo-engine","data":"shown"})"));
    CHECK(logs[1].at("params").at("data") == json{{"k", 1}});
    CHECK_FALSE(logs[0].contains("id"));

    for (const json& bad : {json{{"level", "loud"}}, json{{"level", 3}}, json::object(),
                            json{{"level", "WARNING"}}}) {
      const json r = c.call(2, "logging/setLevel", bad);
      CHECK(error_code(r) == jsonrpc::kInvalidParams);
      c.out().clear();
    }
    CHECK(c.session().log_level() == LogLevel::kWarning);
    CHECK(c.call(3, "logging/setLevel", json{{"level", "debug"}}).contains("result"));
    c.out().clear();
    c.session().log(LogLevel::kDebug, "now visible");
    CHECK(c.notifications("notifications/message").size() == 1);
  }

  TEST_CASE("no log lines before the initialize reply") {
    Client c(registry());
    c.session().log(LogLevel::kEmergency, "too early");
    CHECK(c.out().messages().empty());
    c.call(1, "initialize", json{{"protocolVersion", "2025-11-25"}});
    c.session().log(LogLevel::kError, "after initialize");
    CHECK(c.notifications("notifications/message").size() == 1);
  }
}

TEST_SUITE("session.extension") {
  TEST_CASE("registered methods, notifications and capabilities") {
    Client c(registry());
    int pinged = 0;
    c.session().register_method(
        "prompts/list", [](const json& params, RequestContext& ctx) -> MethodResult {
          if (params.contains("cursor")) {
            return jsonrpc::Error{jsonrpc::kInvalidParams, "no cursors here", std::nullopt};
          }
          return json{{"prompts", json::array()}, {"id_seen", jsonrpc::id_to_json(ctx.id)}};
        });
    c.session().register_notification("notifications/roots/list_changed",
                                      [&pinged](const json&) { ++pinged; });
    c.session().register_notification("notifications/explode", [](const json&) {
      throw std::runtime_error("logged, not swallowed silently, never answered");
    });
    c.session().set_capability("prompts", json{{"listChanged", false}});
    const json init = c.call(1, "initialize", json{{"protocolVersion", "2025-11-25"}});
    CHECK(init.at("result").at("capabilities").at("prompts") == json{{"listChanged", false}});
    c.notify("notifications/initialized");
    CHECK(c.call("p", "prompts/list").at("result").at("id_seen") == "p");
    CHECK(error_code(c.call("q", "prompts/list", json{{"cursor", "x"}})) ==
          jsonrpc::kInvalidParams);
    c.notify("notifications/roots/list_changed");
    c.notify("notifications/explode");
    c.session().drain();
    CHECK(pinged == 1);
    CHECK(c.session().client_ready());
  }

  TEST_CASE("after close, requests get an error and nothing hangs") {
    Client c(registry());
    c.handshake();
    c.session().close();
    c.session().close();  // idempotent
    const json r = c.call(1, "tools/list");
    CHECK(error_code(r) == jsonrpc::kInternalError);
  }
}

}  // namespace
}  // namespace evo::mcp::testing
