// MCP 2026-07-28 on the session: stateless requests with their own _meta next to a 2025-11-25
// handshake, resultType and cache hints, the new error codes, per-request log levels; and
// requests the server sends the client (sampling, elicitation) matched to their responses.
#include <doctest/doctest.h>

#include <thread>

#include "server/protocol/revision.h"
#include "tests/unit/protocol/test_support.h"

namespace evo::server::testing {
namespace {

std::shared_ptr<const ToolRegistry> registry() {
  return make_registry(fake_tools(std::make_shared<ToolProbe>()));
}

json meta(const std::string& version = "2026-07-28") {
  return json{{"io.modelcontextprotocol/protocolVersion", version},
              {"io.modelcontextprotocol/clientCapabilities", json::object()}};
}

int code_of(const json& reply) {
  return reply.at("error").at("code").get<int>();
}

TEST_SUITE("session.modern") {
  TEST_CASE("a stateless request is served without initialize and carries resultType") {
    Client c(registry());
    const json list = c.call("l", "tools/list", json{{"_meta", meta()}});
    CHECK(list.at("result").at("resultType") == "complete");
    CHECK(list.at("result").at("ttlMs").is_number());
    CHECK(list.at("result").at("cacheScope") == "public");
    CHECK(list.at("result").at("_meta").at("io.modelcontextprotocol/serverInfo").at("name") ==
          "evo-engine");
    const json call =
        c.call("e", "tools/call",
               json{{"name", "echo"}, {"arguments", {{"repo_path", "/r"}}}, {"_meta", meta()}});
    CHECK(call.at("result").at("structuredContent").at("echo").at("repo_path") == "/r");
    CHECK(call.at("result").at("resultType") == "complete");
    // The legacy lifecycle is untouched: a plain request is still refused before initialize.
    CHECK(code_of(c.call(3, "tools/list")) == jsonrpc::kInvalidRequest);
  }

  TEST_CASE("discover lists both eras and the capabilities") {
    Client c(registry());
    const json r = c.call("d", "server/discover", json{{"_meta", meta()}});
    const json& result = r.at("result");
    CHECK(result.at("supportedVersions") ==
          json::parse(R"(["2026-07-28","2025-11-25","2025-06-18","2025-03-26","2024-11-05"])"));
    CHECK(result.at("capabilities").contains("tools"));
    CHECK(result.at("instructions") == "Use the tools.");
    // Lenient: a bare probe is answered too.
    CHECK(c.call("bare", "server/discover").contains("result"));
  }

  TEST_CASE("version, required _meta fields and removed methods get the 2026 errors") {
    Client c(registry());
    const json old = c.call(1, "tools/list", json{{"_meta", meta("2099-01-01")}});
    CHECK(code_of(old) == modern::kUnsupportedProtocolVersion);
    CHECK(old.at("error").at("data").at("requested") == "2099-01-01");
    CHECK(old.at("error").at("data").at("supported").at(0) == "2026-07-28");
    const json no_caps =
        c.call(2, "tools/list",
               json{{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}}}});
    CHECK(code_of(no_caps) == jsonrpc::kInvalidParams);
    json bad_level = meta();
    bad_level["io.modelcontextprotocol/logLevel"] = "loud";
    CHECK(code_of(c.call(3, "tools/list", json{{"_meta", bad_level}})) == jsonrpc::kInvalidParams);
    for (const char* removed : {"ping", "logging/setLevel", "resources/subscribe"}) {
      CHECK(code_of(c.call(removed, removed, json{{"_meta", meta()}})) == jsonrpc::kMethodNotFound);
    }
    CHECK(code_of(c.call(4, "no/such", json{{"_meta", meta()}})) == jsonrpc::kMethodNotFound);
  }

  TEST_CASE("log lines go out only for a request that asked, at its level") {
    Client c(registry());
    json quiet = meta();
    c.call_tool("q", "fail", json::object(), quiet);
    CHECK(c.notifications("notifications/message").empty());
    c.handshake();  // a legacy session on the same connection changes nothing for modern ones
    auto probe = std::make_shared<ToolProbe>();
    Client logged(make_registry(fake_tools(probe)));
    json loud = meta();
    loud["io.modelcontextprotocol/logLevel"] = "debug";
    loud["progressToken"] = "p";
    probe->gate.release();
    const json r = logged.call_tool("s", "slow", json::object(), loud);
    CHECK(r.at("result").at("resultType") == "complete");
    CHECK(logged.notifications("notifications/message").size() == 1);
    CHECK(logged.notifications("notifications/progress").size() == 3);
  }

  TEST_CASE("resource not found is -32002 in 2025-11-25 and -32602 in 2026-07-28") {
    CHECK(modern::translate_error(jsonrpc::Error{-32002, "gone", std::nullopt}).code ==
          jsonrpc::kInvalidParams);
    CHECK(modern::translate_error(jsonrpc::Error{-32601, "x", std::nullopt}).code == -32601);
  }
}

TEST_SUITE("session.client_requests") {
  // A tool that asks the client through ctx.request_client and returns what it got.
  std::shared_ptr<const ToolRegistry> asking_registry() {
    std::vector<ToolDef> tools;
    tools.push_back(ToolDef{
        "ask", "", "Asks the client.", json{{"type", "object"}}, json(),
        [](const json&, ToolContext& ctx) {
          if (!ctx.client_capabilities.contains("sampling")) {
            return ToolOutcome::fail("no sampling");
          }
          const auto reply = ctx.request_client("sampling/createMessage", json{{"maxTokens", 5}});
          if (!reply.result) return ToolOutcome::fail(reply.error);
          return ToolOutcome::ok(json{{"got", *reply.result}});
        }});
    return make_registry(std::move(tools));
  }

  TEST_CASE("a tool's request reaches the client and its response reaches the tool") {
    Client c(asking_registry());
    const json r = c.call(
        0, "initialize",
        json{{"protocolVersion", "2025-11-25"}, {"capabilities", {{"sampling", json::object()}}}});
    REQUIRE(r.contains("result"));
    c.notify("notifications/initialized");
    CHECK(c.session().client_capabilities().contains("sampling"));
    c.request(1, "tools/call", json{{"name", "ask"}, {"arguments", json::object()}});
    REQUIRE(c.out().wait_for([](const std::vector<json>& sent) {
      return std::any_of(sent.begin(), sent.end(), [](const json& m) {
        return m.value("method", "") == "sampling/createMessage";
      });
    }));
    json asked;
    for (const auto& m : c.out().messages()) {
      if (m.value("method", "") == "sampling/createMessage") asked = m;
    }
    CHECK(asked.at("params").at("maxTokens") == 5);
    c.send(json{{"jsonrpc", "2.0"}, {"id", asked.at("id")}, {"result", {{"text", "hi"}}}});
    c.session().drain();
    CHECK(c.reply(1).at("result").at("structuredContent").at("got").at("text") == "hi");
  }

  TEST_CASE("an error response, a client without the capability, a stateless request") {
    Client c(asking_registry());
    c.call(0, "initialize",
           json{{"protocolVersion", "2025-11-25"}, {"capabilities", {{"sampling", {}}}}});
    c.notify("notifications/initialized");
    c.request(1, "tools/call", json{{"name", "ask"}});
    REQUIRE(c.out().wait_for([](const std::vector<json>& sent) {
      return std::any_of(sent.begin(), sent.end(), [](const json& m) {
        return m.value("method", "") == "sampling/createMessage";
      });
    }));
    json asked;
    for (const auto& m : c.out().messages()) {
      if (m.value("method", "") == "sampling/createMessage") asked = m;
    }
    c.send(json{{"jsonrpc", "2.0"},
                {"id", asked.at("id")},
                {"error", {{"code", -1}, {"message", "user said no"}}}});
    c.session().drain();
    const json refused = c.reply(1).at("result");
    CHECK(refused.at("isError") == true);
    CHECK(refused.at("content").at(0).at("text").get<std::string>().find("user said no") !=
          std::string::npos);

    Client plain(asking_registry());
    plain.handshake();
    CHECK(plain.call_tool(2, "ask").at("result").at("isError") == true);

    Client stateless(asking_registry());
    json m = meta();
    m["io.modelcontextprotocol/clientCapabilities"] = {{"sampling", json::object()}};
    const json r = stateless.call_tool(3, "ask", json::object(), m);
    CHECK(r.at("result").at("isError") == true);  // 2026-07-28 has no server-to-client requests
  }

  TEST_CASE("closing the session releases a tool waiting on the client") {
    auto c = std::make_unique<Client>(asking_registry());
    c->call(0, "initialize",
            json{{"protocolVersion", "2025-11-25"}, {"capabilities", {{"sampling", {}}}}});
    c->notify("notifications/initialized");
    c->request(1, "tools/call", json{{"name", "ask"}});
    REQUIRE(c->out().wait_for([](const std::vector<json>& sent) { return sent.size() >= 2; }));
    const auto start = std::chrono::steady_clock::now();
    c->session().close();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
}

}  // namespace
}  // namespace evo::server::testing
