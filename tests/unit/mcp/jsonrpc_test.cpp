// The JSON-RPC 2.0 envelope: every refusal code, id handling, and serialization round trips.
#include "mcp/jsonrpc.h"

#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "mcp/tool.h"

namespace evo::mcp::jsonrpc {
namespace {

using nlohmann::json;

ParseFailure expect_failure(std::string_view raw, std::size_t max = kDefaultMaxMessageBytes) {
  auto r = parse_message(raw, max);
  REQUIRE_MESSAGE(std::holds_alternative<ParseFailure>(r), "accepted: " << std::string(raw));
  return std::get<ParseFailure>(r);
}

Message expect_message(std::string_view raw) {
  auto r = parse_message(raw);
  if (auto* f = std::get_if<ParseFailure>(&r)) FAIL("refused: " << f->error.message);
  return std::get<Message>(r);
}

TEST_SUITE("jsonrpc") {
  TEST_CASE("parse errors answer -32700 with a null id") {
    for (const char* raw : {"", "{", "not json", "{\"jsonrpc\":\"2.0\",}", "\xff\xfe"}) {
      const auto f = expect_failure(raw);
      CHECK(f.error.code == kParseError);
      CHECK_FALSE(f.id.has_value());
      CHECK(f.reply);
    }
  }

  TEST_CASE("invalid requests answer -32600") {
    SUBCASE("batch arrays are not supported") {
      const auto f = expect_failure(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
      CHECK(f.error.code == kInvalidRequest);
      CHECK(f.error.message.find("batch") != std::string::npos);
      CHECK_FALSE(f.id);
    }
    SUBCASE("non-objects") {
      for (const char* raw : {"1", "\"x\"", "null", "true", "[]"}) {
        CHECK(expect_failure(raw).error.code == kInvalidRequest);
      }
    }
    SUBCASE("missing or wrong jsonrpc keeps a readable id") {
      auto f = expect_failure(R"({"id":7,"method":"ping"})");
      CHECK(f.error.code == kInvalidRequest);
      REQUIRE(f.id);
      CHECK(std::get<std::int64_t>(*f.id) == 7);
      f = expect_failure(R"({"jsonrpc":"1.0","id":"a","method":"ping"})");
      CHECK(f.error.code == kInvalidRequest);
      CHECK(std::get<std::string>(*f.id) == "a");
      CHECK(expect_failure(R"({"jsonrpc":2.0,"id":1,"method":"ping"})").error.code ==
            kInvalidRequest);
    }
    SUBCASE("null id is not a missing id") {
      const auto f = expect_failure(R"({"jsonrpc":"2.0","id":null,"method":"ping"})");
      CHECK(f.error.code == kInvalidRequest);
      CHECK_FALSE(f.id);
      CHECK(f.error.message.find("null") != std::string::npos);
      // Without the id member it is a notification.
      CHECK(std::holds_alternative<Notification>(
          expect_message(R"({"jsonrpc":"2.0","method":"x"})")));
    }
    SUBCASE("bad id types") {
      for (const char* raw : {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
                              R"({"jsonrpc":"2.0","id":true,"method":"ping"})",
                              R"({"jsonrpc":"2.0","id":{},"method":"ping"})",
                              R"({"jsonrpc":"2.0","id":[1],"method":"ping"})",
                              R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"})"}) {
        const auto f = expect_failure(raw);
        CHECK(f.error.code == kInvalidRequest);
        CHECK_FALSE(f.id);
      }
    }
    SUBCASE("method must be a string and present") {
      CHECK(expect_failure(R"({"jsonrpc":"2.0","id":1,"method":5})").error.code == kInvalidRequest);
      CHECK(expect_failure(R"({"jsonrpc":"2.0","id":1})").error.code == kInvalidRequest);
      CHECK(expect_failure(R"({"jsonrpc":"2.0"})").error.code == kInvalidRequest);
    }
    SUBCASE("params must be structured") {
      const auto f = expect_failure(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":3})");
      CHECK(f.error.code == kInvalidRequest);
      CHECK(std::get<std::int64_t>(*f.id) == 1);
      // null params are read as absent.
      const auto m = expect_message(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":null})");
      CHECK_FALSE(std::get<Request>(m).params);
    }
    SUBCASE("oversized and over-nested input") {
      const std::string big = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" +
                              std::string(200, 'a') + "\"}}";
      auto f = expect_failure(big, 100);
      CHECK(f.error.code == kInvalidRequest);
      CHECK(f.error.message.find("100-byte limit") != std::string::npos);
      const std::string deep = std::string(10000, '[') + std::string(10000, ']');
      f = expect_failure(deep);
      CHECK(f.error.code == kInvalidRequest);
      CHECK(f.error.message.find("nested") != std::string::npos);
      // Brackets inside strings do not count.
      const std::string in_string = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"s":")" +
                                    std::string(500, '[') + "\"}}";
      CHECK(std::holds_alternative<Request>(expect_message(in_string)));
    }
    SUBCASE("over-nested input keeps an id readable at the top level") {
      const std::string nest = std::string(200, '[') + std::string(200, ']');
      auto f = expect_failure(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"a":)" +
                              nest + "}}");
      CHECK(f.error.message.find("nested") != std::string::npos);
      REQUIRE(f.id);
      CHECK(std::get<std::int64_t>(*f.id) == 7);
      // After the deep member, a string id with escapes and brackets in it.
      f = expect_failure(R"({"jsonrpc":"2.0","method":"x","params":)" + nest +
                         R"(, "id" : "a\"[{b"})");
      REQUIRE(f.id);
      CHECK(std::get<std::string>(*f.id) == "a\"[{b");
      // A nested "id" deep inside params is not the message's id.
      f = expect_failure(R"({"jsonrpc":"2.0","method":"x","params":{"id":3,"d":)" + nest + "}}");
      CHECK_FALSE(f.id);
      // No method: a response, never answered with its own id.
      f = expect_failure(R"({"jsonrpc":"2.0","id":4,"result":)" + nest + "}");
      CHECK_FALSE(f.id);
      // Ids that are no ids stay unreadable; so does a broken envelope.
      f = expect_failure(R"({"jsonrpc":"2.0","id":1.5,"method":"x","params":)" + nest + "}");
      CHECK_FALSE(f.id);
      f = expect_failure(R"({"jsonrpc":"2.0","id":5,"method":"x","params":)" + nest);
      CHECK_FALSE(f.id);
    }
  }

  TEST_CASE("ids: integers and strings, echoed exactly") {
    auto m = expect_message(R"({"jsonrpc":"2.0","id":-9223372036854775808,"method":"a"})");
    CHECK(std::get<std::int64_t>(std::get<Request>(m).id) ==
          std::numeric_limits<std::int64_t>::min());
    m = expect_message(R"({"jsonrpc":"2.0","id":9223372036854775807,"method":"a"})");
    CHECK(id_to_json(std::get<Request>(m).id) == json(std::numeric_limits<std::int64_t>::max()));
    m = expect_message(R"({"jsonrpc":"2.0","id":"1","method":"a"})");
    CHECK(id_to_json(std::get<Request>(m).id) == json("1"));
    CHECK(id_to_json(std::get<Request>(m).id) != json(1));
    CHECK(id_to_string(RequestId{std::string("x")}) == "\"x\"");
    CHECK(id_to_string(RequestId{std::int64_t{5}}) == "5");
  }

  TEST_CASE("responses: exactly one of result and error; malformed ones are not answered") {
    auto m = expect_message(R"({"jsonrpc":"2.0","id":3,"result":{}})");
    CHECK_FALSE(std::get<Response>(m).is_error());
    m = expect_message(R"({"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"x"}})");
    CHECK(std::get<Response>(m).is_error());
    for (const char* raw :
         {R"({"jsonrpc":"2.0","id":3,"result":{},"error":{"code":1,"message":""}})",
          R"({"jsonrpc":"2.0","result":{}})",
          R"({"jsonrpc":"2.0","id":3,"error":{"code":"x","message":""}})",
          R"({"id":3,"result":{}})"}) {
      const auto f = expect_failure(raw);
      CHECK_FALSE(f.reply);
    }
  }

  TEST_CASE("serialization keeps exactly one of result/error and null ids") {
    const json ok = to_json(make_result(RequestId{std::int64_t{1}}, json::object()));
    CHECK(ok == json::parse(R"({"jsonrpc":"2.0","id":1,"result":{}})"));
    const json err = to_json(make_error(std::nullopt, kParseError, "bad"));
    CHECK(err ==
          json::parse(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})"));
    CHECK(dump_compact(json::parse(R"({"a":"x\ny"})")).find('\n') == std::string::npos);
  }

  TEST_CASE("dump_compact never throws on invalid UTF-8") {
    const json j = std::string("ok \xff\xfe end");
    std::string out;
    CHECK_NOTHROW(out = dump_compact(j));
    CHECK(out.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  }

  TEST_CASE("parse -> dump -> parse is stable") {
    static const char* const kValid[] = {
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call",)"
        R"("params":{"name":"x","arguments":{"a":[1,2.5,"s",null,true]}}})",
        R"({"jsonrpc":"2.0","id":"abc","method":"ping"})",
        R"({"jsonrpc":"2.0","method":"notifications/cancelled",)"
        R"("params":{"requestId":4,"reason":"r"}})",
        R"({"jsonrpc":"2.0","id":2,"result":{"x":"\u00e9\ud83d\ude00"}})",
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"m","data":{"k":1}}})",
        R"({"jsonrpc":"2.0","id":5,"method":"m","params":[1,{"a":{}}]})",
        R"({"jsonrpc":"2.0","id":6,"method":"m","params":{"f":1e300,"g":-0.0,"h":12345678901234}})",
    };
    for (const char* raw : kValid) {
      const Message first = expect_message(raw);
      const std::string dumped = dump_compact(to_json(first));
      const Message second = expect_message(dumped);
      CHECK(to_json(second) == to_json(first));
      CHECK(dump_compact(to_json(second)) == dumped);
    }
  }

  TEST_CASE("log levels parse and print as RFC 5424 names") {
    for (const char* name :
         {"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}) {
      const auto level = parse_log_level(name);
      REQUIRE(level);
      CHECK(std::string(to_string(*level)) == name);
    }
    CHECK_FALSE(parse_log_level("WARNING"));
    CHECK_FALSE(parse_log_level("warn"));
    CHECK_FALSE(parse_log_level(""));
    CHECK(LogLevel::kDebug < LogLevel::kEmergency);
  }
}

}  // namespace
}  // namespace evo::mcp::jsonrpc
