// The prompts/resources/completion catalog installed on a session: lists, reads, templates,
// argument checks, completion limits, subscriptions and their notifications.
#include "mcp/catalog.h"

#include <doctest/doctest.h>

#include "tests/conformance/fixtures/conformance_fixtures.h"
#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
namespace {

int code_of(const json& reply) {
  return reply.at("error").at("code").get<int>();
}

struct Fixture {
  Catalog catalog;
  std::unique_ptr<Client> client;
  Fixture() {
    fixtures::add_conformance_fixtures(catalog);
    client = std::make_unique<Client>(make_registry(fixtures::conformance_tools()));
    catalog.install(client->session());
    client->handshake();
  }
};

TEST_SUITE("catalog") {
  TEST_CASE("capabilities and lists") {
    Catalog catalog;
    fixtures::add_conformance_fixtures(catalog);
    Client c(make_registry({}));
    catalog.install(c.session());
    const json init = c.call(0, "initialize", json{{"protocolVersion", "2025-11-25"}});
    const json caps = init.at("result").at("capabilities");
    CHECK(caps.at("prompts") == json{{"listChanged", false}});
    CHECK(caps.at("resources") == json{{"subscribe", true}, {"listChanged", false}});
    CHECK(caps.contains("completions"));
    const json prompts = c.call(1, "prompts/list").at("result").at("prompts");
    CHECK(prompts.size() == 4);
    for (const auto& p : prompts) CHECK(p.at("description").is_string());
    const json resources = c.call(2, "resources/list").at("result").at("resources");
    CHECK(resources.size() == 3);
    const json templates = c.call(3, "resources/templates/list").at("result");
    CHECK(templates.at("resourceTemplates").at(0).at("uriTemplate") == "test://template/{id}/data");
    CHECK(code_of(c.call(4, "prompts/list", json{{"cursor", "bogus"}})) == jsonrpc::kInvalidParams);
  }

  TEST_CASE("an empty catalog declares nothing") {
    Catalog catalog;
    Client c(make_registry({}));
    catalog.install(c.session());
    const json caps = c.call(0, "initialize", json{{"protocolVersion", "2025-11-25"}})
                          .at("result")
                          .at("capabilities");
    CHECK_FALSE(caps.contains("prompts"));
    CHECK_FALSE(caps.contains("resources"));
    CHECK_FALSE(caps.contains("completions"));
    CHECK(code_of(c.call(1, "prompts/list")) == jsonrpc::kMethodNotFound);
  }

  TEST_CASE("prompts/get substitutes arguments and refuses missing ones") {
    Fixture f;
    const json got = f.client->call(1, "prompts/get",
                                    json{{"name", "test_prompt_with_arguments"},
                                         {"arguments", {{"arg1", "a"}, {"arg2", "b"}}}});
    CHECK(got.at("result").at("messages").at(0).at("content").at("text") ==
          "Prompt with arguments: arg1='a', arg2='b'");
    CHECK(code_of(f.client->call(2, "prompts/get",
                                 json{{"name", "test_prompt_with_arguments"},
                                      {"arguments", {{"arg1", "a"}}}})) == jsonrpc::kInvalidParams);
    CHECK(code_of(f.client->call(3, "prompts/get", json{{"name", "nope"}})) ==
          jsonrpc::kInvalidParams);
    CHECK(code_of(f.client->call(
              4, "prompts/get", json{{"name", "test_simple_prompt"}, {"arguments", {{"x", 1}}}})) ==
          jsonrpc::kInvalidParams);
  }

  TEST_CASE("resources/read: static, binary, templated, unknown") {
    Fixture f;
    const json text = f.client->call(1, "resources/read", json{{"uri", "test://static-text"}});
    CHECK(text.at("result").at("contents").at(0).at("mimeType") == "text/plain");
    const json blob = f.client->call(2, "resources/read", json{{"uri", "test://static-binary"}});
    CHECK(blob.at("result").at("contents").at(0).at("blob").is_string());
    const json templ =
        f.client->call(3, "resources/read", json{{"uri", "test://template/123/data"}});
    const auto body =
        json::parse(templ.at("result").at("contents").at(0).at("text").get<std::string>());
    CHECK(body.at("id") == "123");
    const json missing = f.client->call(4, "resources/read", json{{"uri", "test://nothing"}});
    CHECK(code_of(missing) == -32002);
    CHECK(missing.at("error").at("data").at("uri") == "test://nothing");
    // The same miss from a 2026-07-28 request is -32602.
    const json modern_missing =
        f.client->call(5, "resources/read",
                       json{{"uri", "test://nothing"},
                            {"_meta",
                             {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                              {"io.modelcontextprotocol/clientCapabilities", json::object()}}}});
    CHECK(code_of(modern_missing) == jsonrpc::kInvalidParams);
  }

  TEST_CASE("uri templates match one segment per variable") {
    CHECK(match_uri_template("a://t/{id}/data", "a://t/7/data")->at("id") == "7");
    CHECK_FALSE(match_uri_template("a://t/{id}/data", "a://t/7/x/data"));
    CHECK_FALSE(match_uri_template("a://t/{id}/data", "a://t//data"));
    CHECK_FALSE(match_uri_template("a://t/{id}", "a://t/7/more"));
    const auto two = match_uri_template("x://{a}-{b}", "x://1-2");
    REQUIRE(two);
    CHECK(two->at("a") == "1");
    CHECK(two->at("b") == "2");
  }

  TEST_CASE("completion/complete filters by prefix and caps at 100") {
    Fixture f;
    const json r = f.client->call(
        1, "completion/complete",
        json{{"ref", {{"type", "ref/prompt"}, {"name", "test_prompt_with_arguments"}}},
             {"argument", {{"name", "arg1"}, {"value", "par"}}}});
    CHECK(r.at("result").at("completion").at("values") == json::array({"paris", "park", "party"}));
    CHECK(r.at("result").at("completion").at("hasMore") == false);
    CHECK(code_of(f.client->call(2, "completion/complete",
                                 json{{"ref", {{"type", "ref/prompt"}, {"name", "nope"}}},
                                      {"argument", {{"name", "a"}, {"value", ""}}}})) ==
          jsonrpc::kInvalidParams);

    Catalog big;
    big.add_prompt(PromptDef{"many",
                             "",
                             "d",
                             {{"x", "", false}},
                             [](const StringMap&) -> Result<json> { return json::object(); },
                             [](const std::string&, const std::string&, const StringMap&) {
                               return std::vector<std::string>(150, "v");
                             }});
    const auto result = big.complete(json{{"ref", {{"type", "ref/prompt"}, {"name", "many"}}},
                                          {"argument", {{"name", "x"}, {"value", ""}}}});
    const json& completion = std::get<json>(result).at("completion");
    CHECK(completion.at("values").size() == 100);
    CHECK(completion.at("total") == 150);
    CHECK(completion.at("hasMore") == true);
  }

  TEST_CASE("subscribers get notifications/resources/updated until they unsubscribe") {
    Fixture f;
    CHECK(f.client->call(1, "resources/subscribe", json{{"uri", "test://watched-resource"}})
              .at("result") == json::object());
    CHECK(code_of(f.client->call(2, "resources/subscribe", json{{"uri", "test://unknown"}})) ==
          -32002);
    f.catalog.resource_updated("test://watched-resource");
    f.catalog.resource_updated("test://static-text");
    auto updates = f.client->notifications("notifications/resources/updated");
    REQUIRE(updates.size() == 1);
    CHECK(updates[0].at("params").at("uri") == "test://watched-resource");
    f.client->call(3, "resources/unsubscribe", json{{"uri", "test://watched-resource"}});
    f.catalog.resource_updated("test://watched-resource");
    CHECK(f.client->notifications("notifications/resources/updated").size() == 1);
    // A closed session is forgotten: no notification reaches it.
    f.client->call(4, "resources/subscribe", json{{"uri", "test://watched-resource"}});
    f.client->session().close();
    f.catalog.resource_updated("test://watched-resource");
    CHECK(f.client->notifications("notifications/resources/updated").size() == 1);
  }
}

TEST_SUITE("fixtures") {
  TEST_CASE("fixture tools send their content blocks without structuredContent") {
    Fixture f;
    const json r = f.client->call_tool(1, "test_simple_text");
    CHECK(r.at("result").at("content").at(0).at("text") ==
          "This is a simple text response for testing.");
    CHECK_FALSE(r.at("result").contains("structuredContent"));
    const json mixed = f.client->call_tool(2, "test_multiple_content_types");
    CHECK(mixed.at("result").at("content").size() == 3);
    const json err = f.client->call_tool(3, "test_error_handling");
    CHECK(err.at("result").at("isError") == true);
    // No sampling capability declared: the tool says so instead of asking.
    const json sampling = f.client->call_tool(4, "test_sampling", json{{"prompt", "p"}});
    CHECK(sampling.at("result").at("isError") == true);
  }
}

}  // namespace
}  // namespace evo::mcp::testing
