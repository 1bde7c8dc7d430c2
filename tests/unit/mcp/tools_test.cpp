// tools/list pagination and tools/call: reply shapes, argument validation messages, domain
// failures, throwing handlers, registry checks.
#include <doctest/doctest.h>

#include <set>

#include "mcp/schema_validator.h"
#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
namespace {

std::shared_ptr<const ToolRegistry> registry() {
  return make_registry(fake_tools(std::make_shared<ToolProbe>()));
}

std::vector<ToolDef> numbered_tools(int n) {
  std::vector<ToolDef> tools;
  for (int i = 0; i < n; ++i) {
    tools.push_back(ToolDef{"t" + std::to_string(i), "", "Tool " + std::to_string(i),
                            json{{"type", "object"}}, json(),
                            [](const json&, ToolContext&) { return ToolOutcome::ok({}); }});
  }
  return tools;
}

TEST_SUITE("tools.list") {
  TEST_CASE("entries carry name, title, description, inputSchema, outputSchema") {
    Client c(registry());
    c.handshake();
    const json r = c.call(1, "tools/list");
    const json& tools = r.at("result").at("tools");
    REQUIRE(tools.size() == 6);
    CHECK_FALSE(r.at("result").contains("nextCursor"));
    const json& echo = tools.at(0);
    CHECK(echo.at("name") == "echo");
    CHECK(echo.at("title") == "Echo");
    CHECK(echo.at("description") == "Returns its arguments.");
    CHECK(echo.at("inputSchema") == echo_input_schema());
    CHECK(echo.at("outputSchema") == echo_output_schema());
    for (const auto& t : tools) {
      CHECK(t.at("inputSchema").at("type") == "object");
      CHECK(t.contains("description"));
    }
    // No title or outputSchema given: omitted rather than sent empty.
    CHECK_FALSE(tools.at(1).contains("title"));
    CHECK_FALSE(tools.at(1).contains("outputSchema"));
  }

  TEST_CASE("pagination with page size 2 walks every tool once") {
    SessionOptions options;
    options.page_size = 2;
    Client c(make_registry(numbered_tools(5)), options);
    c.handshake();
    std::vector<std::string> names;
    std::optional<json> cursor;
    int pages = 0;
    for (int id = 1; id < 10; ++id) {
      json params = json::object();
      if (cursor) params["cursor"] = *cursor;
      const json r = c.call(id, "tools/list", params);
      const json& result = r.at("result");
      ++pages;
      for (const auto& t : result.at("tools")) names.push_back(t.at("name").get<std::string>());
      CHECK(result.at("tools").size() <= 2);
      const auto next = result.find("nextCursor");
      if (next == result.end()) break;
      CHECK(next->is_string());
      cursor = *next;
    }
    CHECK(pages == 3);
    CHECK(names == std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"});
  }

  TEST_CASE("an exact multiple of the page size ends without a cursor") {
    SessionOptions options;
    options.page_size = 2;
    Client c(make_registry(numbered_tools(4)), options);
    c.handshake();
    const json first = c.call(1, "tools/list");
    const json second =
        c.call(2, "tools/list", json{{"cursor", first.at("result").at("nextCursor")}});
    CHECK(second.at("result").at("tools").size() == 2);
    CHECK_FALSE(second.at("result").contains("nextCursor"));
  }

  TEST_CASE("bad cursors are -32602") {
    SessionOptions options;
    options.page_size = 2;
    Client c(make_registry(numbered_tools(5)), options);
    c.handshake();
    int id = 1;
    for (const json& bad : {json("garbage"), json(""), json("c:"), json("c:99"), json("c:-1"),
                            json("c:0"), json("c:+2"), json("c:2x"), json(2), json::object()}) {
      const json r = c.call(id++, "tools/list", json{{"cursor", bad}});
      CHECK_MESSAGE(error_code(r) == jsonrpc::kInvalidParams, bad.dump());
    }
    // An explicit null cursor is the first page.
    CHECK(c.call(id, "tools/list", json{{"cursor", nullptr}}).contains("result"));
  }
}

TEST_SUITE("tools.call") {
  TEST_CASE("success: text block mirrors structuredContent") {
    Client c(registry());
    c.handshake();
    const json args{{"repo_path", "/tmp/r\xc3\xa9po"}, {"mutation_rate", 0.5}};
    const json r = c.call_tool(7, "echo", args);
    const json& result = r.at("result");
    CHECK(result.at("structuredContent") == json{{"echo", args}});
    REQUIRE(result.at("content").size() == 1);
    CHECK(result.at("content").at(0).at("type") == "text");
    CHECK(json::parse(tool_text(r)) == result.at("structuredContent"));
    CHECK(tool_text(r) == jsonrpc::dump_compact(result.at("structuredContent")));
    CHECK_FALSE(is_tool_error(r));
  }

  TEST_CASE("missing arguments mean {}") {
    Client c(registry());
    c.handshake();
    CHECK(c.call_tool(1, "plain").at("result").at("structuredContent") == json::object());
    CHECK(c.call_tool(2, "plain", json(nullptr)).contains("result"));
  }

  TEST_CASE("unknown tool and malformed calls are JSON-RPC -32602") {
    Client c(registry());
    c.handshake();
    json r = c.call_tool(1, "nope");
    CHECK(error_code(r) == jsonrpc::kInvalidParams);
    CHECK(r.at("error").at("message") == "unknown tool 'nope'");
    CHECK(error_code(c.call(2, "tools/call")) == jsonrpc::kInvalidParams);
    CHECK(error_code(c.call(3, "tools/call", json{{"name", 5}})) == jsonrpc::kInvalidParams);
    CHECK(error_code(c.call_tool(4, "echo", json::array())) == jsonrpc::kInvalidParams);
    CHECK(error_code(c.call_tool(5, "echo", json("x"))) == jsonrpc::kInvalidParams);
  }

  TEST_CASE("unknown argument names are refused first, by name, with the allowed list") {
    Client c(registry());
    c.handshake();
    json r = c.call_tool(1, "echo", json{{"repo_path", "/r"}, {"foo", 1}});
    CHECK(is_tool_error(r));
    CHECK(tool_text(r) ==
          "unknown argument 'foo' (allowed: count, label, mutation_rate, objectives, repo_path, "
          "tags)");
    CHECK_FALSE(r.at("result").contains("structuredContent"));
    r = c.call_tool(2, "echo", json{{"zz", 1}, {"aa", 2}, {"mutation_rate", 7}});
    CHECK(tool_text(r).rfind("unknown arguments 'aa', 'zz' (allowed: ", 0) == 0);
    r = c.call_tool(3, "plain", json{{"x", 1}});
    CHECK(tool_text(r) == "unknown argument 'x' (allowed: none)");
  }

  TEST_CASE("schema violations name the field and the rule") {
    Client c(registry());
    c.handshake();
    struct Case {
      json args;
      std::string message;
    };
    const Case cases[] = {
        {json::object(), "argument 'repo_path' is required"},
        {{{"repo_path", "/r"}, {"mutation_rate", 1.5}}, "argument 'mutation_rate': must be <= 1"},
        {{{"repo_path", "/r"}, {"mutation_rate", -0.25}}, "argument 'mutation_rate': must be >= 0"},
        {{{"repo_path", "/r"}, {"count", 0}}, "argument 'count': must be >= 1"},
        {{{"repo_path", "/r"}, {"count", "3"}},
         "argument 'count': must be of type integer, got string"},
        {{{"repo_path", "/r"}, {"count", 2.5}},
         "argument 'count': must be of type integer, got number"},
        {{{"repo_path", 5}}, "argument 'repo_path': must be of type string, got number"},
        {{{"repo_path", ""}}, "argument 'repo_path': must be at least 1 character(s) long"},
        {{{"repo_path", "/r"}, {"label", "Bad Label"}},
         "argument 'label': must match pattern '^[a-z]+$'"},
        {{{"repo_path", "/r"}, {"tags", {"a", "b", "c", "d"}}},
         "argument 'tags': must have at most 3 item(s)"},
        {{{"repo_path", "/r"}, {"tags", {"a", 1}}},
         "argument 'tags[1]': must be of type string, got number"},
        {{{"repo_path", "/r"}, {"objectives", json::array()}},
         "argument 'objectives': must have at least 1 item(s)"},
        {{{"repo_path", "/r"}, {"objectives", {{{"name", "speed"}, {"direction", "up"}}}}},
         "argument 'objectives[0].direction': must be one of min, max"},
        {{{"repo_path", "/r"},
          {"objectives", {{{"name", "speed"}, {"direction", "min"}}, {{"name", "x"}}}}},
         "argument 'objectives[1].direction' is required"},
        {{{"repo_path", "/r"},
          {"objectives", {{{"name", "s"}, {"direction", "min"}, {"weight", 2}}}}},
         "unknown argument 'objectives[0].weight' (allowed: direction, name)"},
    };
    int id = 1;
    for (const auto& k : cases) {
      const json r = c.call_tool(id++, "echo", k.args);
      REQUIRE_MESSAGE(r.contains("result"), k.args.dump());
      CHECK_MESSAGE(is_tool_error(r), k.args.dump());
      CHECK_MESSAGE(tool_text(r) == k.message, k.args.dump());
      CHECK(r.at("result").at("content").size() == 1);
      CHECK_FALSE(r.at("result").contains("structuredContent"));
    }
  }

  TEST_CASE("several violations are all reported") {
    Client c(registry());
    c.handshake();
    const json r = c.call_tool(1, "echo", json{{"mutation_rate", 2}, {"count", 0}});
    const std::string text = tool_text(r);
    CHECK(text.find("argument 'repo_path' is required") != std::string::npos);
    CHECK(text.find("argument 'mutation_rate': must be <= 1") != std::string::npos);
    CHECK(text.find("argument 'count': must be >= 1") != std::string::npos);
  }

  TEST_CASE("long strings are refused before std::regex sees them") {
    Client c(registry());
    c.handshake();
    const json r =
        c.call_tool(1, "echo", json{{"repo_path", "/r"}, {"label", std::string(100000, 'a')}});
    CHECK(is_tool_error(r));
    CHECK(tool_text(r).find("argument 'label': is 100000 characters long") != std::string::npos);
    // Fields without a pattern may be long.
    const json ok = c.call_tool(2, "echo", json{{"repo_path", std::string(100000, 'a')}});
    CHECK_FALSE(is_tool_error(ok));
  }

  TEST_CASE("domain failure: isError with the message, no structuredContent") {
    Client c(registry());
    c.handshake();
    const json r = c.call_tool(1, "fail");
    CHECK(is_tool_error(r));
    CHECK(tool_text(r) == "run 'r1': illegal transition from 'evaluating' to 'planning'");
    CHECK_FALSE(r.at("result").contains("structuredContent"));
  }

  TEST_CASE("a throwing handler becomes isError 'internal error: ...' and the server lives") {
    Client c(registry());
    c.handshake();
    const json r = c.call_tool(1, "throw");
    CHECK(is_tool_error(r));
    CHECK(tool_text(r) == "internal error: boom");
    CHECK(c.call(2, "ping").contains("result"));
  }

  TEST_CASE("output that breaks the outputSchema is reported, not sent") {
    Client c(registry());
    c.handshake();
    const json r = c.call_tool(1, "bad_output");
    CHECK(is_tool_error(r));
    CHECK(tool_text(r).find("does not match its outputSchema") != std::string::npos);
    CHECK(tool_text(r).find("output field 'echo' is required") != std::string::npos);
  }

  TEST_CASE(
      "a failure's members go out as structuredContent, a refusal's through refusal_content") {
    std::vector<ToolDef> tools;
    ToolDef t{"strict",
              "",
              "Fails with members.",
              json{{"type", "object"},
                   {"properties", {{"n", {{"type", "integer"}}}}},
                   {"additionalProperties", false}},
              json{{"type", "object"}},
              [](const json&, ToolContext&) {
                return ToolOutcome::fail("no: rule x", json{{"error", {{"rule", "x"}}}});
              }};
    t.refusal_content = [](const std::string& message) { return json{{"refused", message}}; };
    tools.push_back(std::move(t));
    Client c(make_registry(std::move(tools)));
    c.handshake();
    const json failed = c.call_tool(1, "strict");
    CHECK(tool_text(failed) == "no: rule x");
    CHECK(failed.at("result").at("structuredContent") == json{{"error", {{"rule", "x"}}}});
    const json refused = c.call_tool(2, "strict", json{{"n", "seven"}});
    CHECK(is_tool_error(refused));
    CHECK(refused.at("result").at("structuredContent") == json{{"refused", tool_text(refused)}});
  }

  TEST_CASE("output exact by construction is advertised but not checked again per call") {
    const auto tool = [](bool exact) {
      ToolDef t{"out",
                "",
                "Breaks its schema.",
                json{{"type", "object"}},
                json{{"type", "object"},
                     {"properties", {{"n", {{"type", "integer"}}}}},
                     {"required", {"n"}}},
                [](const json&, ToolContext&) {
                  return ToolOutcome::ok(json{{"m", 1}});
                }};
      t.output_exact_by_construction = exact;
      std::vector<ToolDef> tools;
      tools.push_back(std::move(t));
      return tools;
    };
    Client checked(make_registry(tool(false)));
    checked.handshake();
    CHECK(is_tool_error(checked.call_tool(1, "out")));
    Client trusted(make_registry(tool(true)));
    trusted.handshake();
    const json r = trusted.call_tool(1, "out");
    CHECK_FALSE(is_tool_error(r));
    CHECK(r.at("result").at("structuredContent") == json{{"m", 1}});
    const json listed = trusted.call(2, "tools/list", json::object());
    CHECK(listed.at("result").at("tools").at(0).contains("outputSchema"));
  }

  TEST_CASE("invalid UTF-8 in a tool's output cannot break the reply") {
    std::vector<ToolDef> tools;
    tools.push_back(ToolDef{"bytes", "", "Returns raw bytes.", json{{"type", "object"}}, json(),
                            [](const json&, ToolContext&) {
                              return ToolOutcome::ok(json{{"diff", std::string("a\xff\xfe b")}});
                            }});
    Client c(make_registry(std::move(tools)));
    c.handshake();
    const json r = c.call_tool(1, "bytes");
    CHECK(tool_text(r).find("\xef\xbf\xbd") != std::string::npos);
  }
}

TEST_SUITE("tools.registry") {
  TEST_CASE("bad definitions are refused at startup, naming the tool") {
    auto make = [](std::string name, json input, json output = json()) {
      std::vector<ToolDef> tools;
      tools.push_back(ToolDef{std::move(name), "", "d", std::move(input), std::move(output),
                              [](const json&, ToolContext&) { return ToolOutcome::ok({}); }});
      return ToolRegistry::create(std::move(tools));
    };
    const json obj{{"type", "object"}};
    CHECK(make("ok.name-1_x", obj).ok());
    CHECK_FALSE(make("", obj).ok());
    CHECK_FALSE(make("has space", obj).ok());
    CHECK_FALSE(make(std::string(129, 'a'), obj).ok());
    CHECK(make(std::string(128, 'a'), obj).ok());
    CHECK_FALSE(make("t", json{{"type", "string"}}).ok());
    CHECK_FALSE(make("t", json::object()).ok());
    CHECK_FALSE(make("t", obj, json{{"type", "array"}}).ok());
    CHECK_FALSE(make("t", json{{"type", "object"}, {"properties", {{"a", {{"type", 5}}}}}}).ok());
    CHECK_FALSE(
        make("t", json{{"type", "object"}, {"properties", {{"a", {{"pattern", "("}}}}}}).ok());

    auto dup = numbered_tools(2);
    dup[1].name = dup[0].name;
    const auto r = ToolRegistry::create(std::move(dup));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("duplicate") != std::string::npos);

    auto no_handler = numbered_tools(1);
    no_handler[0].handler = nullptr;
    CHECK_FALSE(ToolRegistry::create(std::move(no_handler)).ok());
    auto no_description = numbered_tools(1);
    no_description[0].description.clear();
    CHECK_FALSE(ToolRegistry::create(std::move(no_description)).ok());
  }

  TEST_CASE("cursors are only the ones we issue") {
    CHECK(decode_cursor(json(encode_cursor(3)), 5) == std::optional<std::size_t>(3));
    CHECK_FALSE(decode_cursor(json(encode_cursor(5)), 5));
    CHECK_FALSE(decode_cursor(json("c:18446744073709551616"), 5));
  }
}

}  // namespace
}  // namespace evo::mcp::testing
