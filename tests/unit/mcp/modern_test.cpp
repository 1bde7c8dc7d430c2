// MCP 2026-07-28 on the session: stateless requests with their own _meta next to a 2025-11-25
// handshake, resultType and cache hints, the new error codes, per-request log levels; and
// requests the server sends the client (sampling, elicitation) matched to their responses.
#include <doctest/doctest.h>

#include <thread>

#include "mcp/catalog.h"
#include "mcp/revision.h"
#include "tests/conformance/fixtures/conformance_fixtures.h"
#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
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

// Waits until the session has asked the client for a sampling/createMessage; returns that
// request.
json wait_for_sampling_request(Client& c) {
  const auto is_sampling = [](const json& m) {
    return m.value("method", "") == "sampling/createMessage";
  };
  REQUIRE(c.out().wait_for([&](const std::vector<json>& sent) {
    return std::any_of(sent.begin(), sent.end(), is_sampling);
  }));
  json asked;
  for (const auto& m : c.out().messages()) {
    if (is_sampling(m)) asked = m;
  }
  return asked;
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
    CHECK(no_caps.at("error").at("message") ==
          "params._meta[\"io.modelcontextprotocol/clientCapabilities\"] is required");
    json caps_list = meta();
    caps_list["io.modelcontextprotocol/clientCapabilities"] = json::array();
    const json bad_caps = c.call(5, "tools/list", json{{"_meta", caps_list}});
    CHECK(code_of(bad_caps) == jsonrpc::kInvalidParams);
    CHECK(bad_caps.at("error").at("message") ==
          "params._meta[\"io.modelcontextprotocol/clientCapabilities\"] must be an object");
    json number_version = meta();
    number_version["io.modelcontextprotocol/protocolVersion"] = 20260728;
    const json bad_version = c.call(6, "tools/list", json{{"_meta", number_version}});
    CHECK(code_of(bad_version) == jsonrpc::kInvalidParams);
    CHECK(bad_version.at("error").at("message") ==
          "params._meta[\"io.modelcontextprotocol/protocolVersion\"] must be a string");
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
    const json asked = wait_for_sampling_request(c);
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
    const json asked = wait_for_sampling_request(c);
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

  // Tools that ask without checking the capability first: one fails without an answer, one
  // manages without.
  std::shared_ptr<const ToolRegistry> needy_registry() {
    std::vector<ToolDef> tools;
    tools.push_back(ToolDef{
        "elicit", "", "Needs elicitation.", json{{"type", "object"}}, json(),
        [](const json&, ToolContext& ctx) {
          const auto reply = ctx.request_client("elicitation/create", json{{"message", "name?"}});
          if (!reply.result) return ToolOutcome::fail(reply.error);
          return ToolOutcome::ok(json{{"got", *reply.result}});
        }});
    tools.push_back(ToolDef{
        "optional", "", "Asks, falls back.", json{{"type", "object"}}, json(),
        [](const json&, ToolContext& ctx) {
          const auto reply = ctx.request_client("sampling/createMessage", json{{"maxTokens", 5}});
          return ToolOutcome::ok(json{{"asked", reply.result.has_value()}});
        }});
    return make_registry(std::move(tools));
  }

  TEST_CASE("2026-07-28: a tool needing an undeclared client capability gets -32021") {
    Client c(needy_registry());
    const json r = c.call_tool("x", "elicit", json::object(), meta());
    REQUIRE(r.contains("error"));
    CHECK(code_of(r) == modern::kMissingRequiredClientCapability);
    CHECK(r.at("error").at("data").at("requiredCapabilities") ==
          json{{"elicitation", json::object()}});
    CHECK(r.at("error").at("message").get<std::string>().find("elicitation") != std::string::npos);
    // Nothing was sent to the client but the reply.
    CHECK(c.out().messages().size() == 1);
    // A tool that manages without the answer keeps its result.
    const json ok = c.call_tool("y", "optional", json::object(), meta());
    CHECK(ok.at("result").at("structuredContent").at("asked") == false);
    // Declared: no -32021 (2026-07-28 still has no server-to-client requests: a tool error).
    json declared = meta();
    declared["io.modelcontextprotocol/clientCapabilities"] = {{"elicitation", json::object()}};
    const json tool_error = c.call_tool("z", "elicit", json::object(), declared);
    CHECK(tool_error.at("result").at("isError") == true);
  }

  TEST_CASE("the conformance fixtures' sampling and elicitation tools give -32021 over 2026") {
    Client c(make_registry(fixtures::conformance_tools()));
    const json sampling = c.call_tool(1, "test_sampling", json{{"prompt", "hi"}}, meta());
    CHECK(code_of(sampling) == modern::kMissingRequiredClientCapability);
    CHECK(sampling.at("error").at("data").at("requiredCapabilities").contains("sampling"));
    const json elicit = c.call_tool(2, "test_elicitation", json{{"message", "hi"}}, meta());
    CHECK(code_of(elicit) == modern::kMissingRequiredClientCapability);
    CHECK(elicit.at("error").at("data").at("requiredCapabilities").contains("elicitation"));
  }

  TEST_CASE("2025-11-25: a client without the capability is not asked; the tool fails") {
    Client c(needy_registry());
    c.handshake();
    const json r = c.call_tool(1, "elicit");
    CHECK(r.at("result").at("isError") == true);
    CHECK(r.at("result").at("content").at(0).at("text").get<std::string>().find(
              "did not declare the 'elicitation' capability") != std::string::npos);
    for (const auto& m : c.out().messages()) CHECK(m.value("method", "") != "elicitation/create");
  }

  TEST_CASE("server/discover does not advertise resources/subscribe, which 2026 removed") {
    Catalog catalog;
    fixtures::add_conformance_fixtures(catalog);
    Client c(make_registry({}));
    catalog.install(c.session());
    const json caps =
        c.call("d", "server/discover", json{{"_meta", meta()}}).at("result").at("capabilities");
    REQUIRE(caps.contains("resources"));
    CHECK_FALSE(caps.at("resources").contains("subscribe"));
    CHECK(caps.at("resources").at("listChanged") == false);
    CHECK(code_of(c.call("s", "resources/subscribe",
                         json{{"uri", "test://static-text"}, {"_meta", meta()}})) ==
          jsonrpc::kMethodNotFound);
    // A 2025-11-25 session still gets it.
    const json init = c.call(0, "initialize", json{{"protocolVersion", "2025-11-25"}});
    CHECK(init.at("result").at("capabilities").at("resources").at("subscribe") == true);
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
}  // namespace evo::mcp::testing
