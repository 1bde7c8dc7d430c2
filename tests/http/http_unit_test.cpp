// The Streamable HTTP pieces that need no server: Host/Origin checks, Accept parsing, the bearer
// token, session ids, header decoding, the resumable SSE event buffer, and a session's streams.
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>

#include <set>
#include <thread>

#include "server/transport/http_security.h"
#include "server/transport/http_session.h"
#include "server/transport/http_stream.h"
#include "server/transport/http_transport.h"

namespace evo::server::http {
namespace {

TEST_SUITE("http.security") {
  TEST_CASE("Host: loopback names with any port, listed hosts, nothing else") {
    HostPolicy policy;
    for (const char* ok : {"localhost", "localhost:8765", "127.0.0.1:1", "[::1]:80", "LOCALHOST"}) {
      CHECK_MESSAGE(host_allowed(policy, ok), ok);
    }
    for (const char* bad : {"evil.example.com", "evil.example.com:8765", "", "127.0.0.1.evil.com",
                            "localhost:abc", "[::1", "localhost.evil.com:80"}) {
      CHECK_FALSE_MESSAGE(host_allowed(policy, bad), bad);
    }
    policy.hosts.push_back("mcp.internal");
    CHECK(host_allowed(policy, "mcp.internal:9000"));
  }

  TEST_CASE("Origin: loopback origins, listed ones, never null or foreign") {
    HostPolicy policy;
    CHECK(origin_allowed(policy, "http://localhost:3000"));
    CHECK(origin_allowed(policy, "http://127.0.0.1"));
    CHECK(origin_allowed(policy, "https://[::1]:8443"));
    CHECK_FALSE(origin_allowed(policy, "http://evil.example.com"));
    CHECK_FALSE(origin_allowed(policy, "null"));
    CHECK_FALSE(origin_allowed(policy, "http://localhost.evil.com"));
    policy.origins.push_back("https://app.example");
    CHECK(origin_allowed(policy, "https://app.example"));
    CHECK_FALSE(origin_allowed(policy, "https://app.example.evil"));
  }

  TEST_CASE("Accept lists, Content-Type") {
    CHECK(accepts("application/json, text/event-stream", "text/event-stream"));
    CHECK(accepts("text/event-stream;q=0.9,application/json", "application/json"));
    CHECK_FALSE(accepts("*/*", "application/json"));
    CHECK_FALSE(accepts("application/jsonx", "application/json"));
    CHECK(is_json_content_type("application/json; charset=utf-8"));
    CHECK_FALSE(is_json_content_type("text/plain"));
  }

  TEST_CASE("bearer tokens") {
    CHECK(bearer_matches("Bearer s3cret", "s3cret"));
    CHECK(bearer_matches("bearer  s3cret ", "s3cret"));
    CHECK_FALSE(bearer_matches("Bearer s3creT", "s3cret"));
    CHECK_FALSE(bearer_matches("Bearer s3cret2", "s3cret"));
    CHECK_FALSE(bearer_matches("Basic s3cret", "s3cret"));
    CHECK_FALSE(bearer_matches("", "s3cret"));
  }

  TEST_CASE("session ids are 32 hex digits and differ") {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
      const auto id = random_session_id();
      REQUIRE(id);
      CHECK(id->size() == 32);
      CHECK(id->find_first_not_of("0123456789abcdef") == std::string::npos);
      seen.insert(*id);
    }
    CHECK(seen.size() == 100);
  }

  TEST_CASE("Mcp-Name values: plain or base64 sentinel") {
    CHECK(decode_header_value("get_weather") == "get_weather");
    CHECK(decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=") ==
          "Hello, \xe4\xb8\x96\xe7\x95\x8c");
    CHECK(decode_header_value("=?base64?IHBhZGRlZCA=?=") == " padded ");
    CHECK_FALSE(decode_header_value("=?base64?abc?="));
  }

  TEST_CASE("listen addresses") {
    HttpOptions o;
    REQUIRE(parse_listen_address("0.0.0.0:9000", o));
    CHECK(o.host == "0.0.0.0");
    CHECK(o.port == 9000);
    REQUIRE(parse_listen_address("[::1]:81", o));
    CHECK(o.host == "::1");
    CHECK(o.port == 81);
    REQUIRE(parse_listen_address("7000", o));
    CHECK(o.port == 7000);
    REQUIRE(parse_listen_address(":0", o));
    CHECK(o.port == 0);
    CHECK_FALSE(parse_listen_address("host:99999", o));
    CHECK_FALSE(parse_listen_address("host:x1", o));
  }
}

TEST_SUITE("http.stream") {
  TEST_CASE("events are numbered per stream, resumable, bounded") {
    EventStream s("4", 3);
    s.push("a");
    s.push("b");
    auto batch = s.wait(0, std::chrono::milliseconds(0));
    REQUIRE(batch.events.size() == 2);
    CHECK(s.event_id(batch.events[1].seq) == "4-2");
    CHECK_FALSE(batch.ended);
    s.push("c");
    s.push("d");  // "a" falls out of the buffer
    batch = s.wait(0, std::chrono::milliseconds(0));
    CHECK(batch.gap);
    CHECK(batch.events.front().data == "b");
    batch = s.wait(2, std::chrono::milliseconds(0));  // resume after "4-2"
    REQUIRE(batch.events.size() == 2);
    CHECK(batch.events[0].data == "c");
    s.push("reply", true);
    s.push("after the end");  // dropped
    batch = s.wait(4, std::chrono::milliseconds(0));
    CHECK(batch.ended);
    REQUIRE(batch.events.size() == 1);
    CHECK(batch.events[0].data == "reply");
  }

  TEST_CASE("a waiting reader wakes on push; one reader at a time") {
    EventStream s("1", 10);
    std::thread pusher([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      s.push("x", true);
    });
    const auto first = s.wait_first(std::chrono::seconds(5));
    pusher.join();
    REQUIRE(first);
    CHECK(first->only);
    CHECK(s.attach());
    CHECK_FALSE(s.attach());
    s.detach(1);
    CHECK(s.drained());
  }

  TEST_CASE("event ids and framing") {
    CHECK(parse_event_id("12-7") == std::make_pair(std::string("12"), std::uint64_t{7}));
    CHECK_FALSE(parse_event_id("12-"));
    CHECK_FALSE(parse_event_id("nodash"));
    CHECK_FALSE(parse_event_id("1-2x"));
    CHECK(format_event("3-0", "", 1000) == "id: 3-0\nretry: 1000\ndata: \n\n");
  }
}

TEST_SUITE("http.session") {
  TEST_CASE("a duplicate request id and a closed session are told apart") {
    auto logger =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    auto tools = ToolRegistry::create({});
    REQUIRE(tools);
    HttpSession session("s", ServerInfo{}, tools.value(), logger, SessionOptions{}, 16, nullptr);
    CHECK(session.open_request_stream(jsonrpc::RequestId{std::int64_t{1}}) != nullptr);
    CHECK(session.open_request_stream(jsonrpc::RequestId{std::int64_t{1}}) == nullptr);
    CHECK_FALSE(session.closed());  // the null above meant "duplicate"
    session.close();
    CHECK(session.closed());
    CHECK(session.open_request_stream(jsonrpc::RequestId{std::int64_t{2}}) == nullptr);
    CHECK(session.standalone() == nullptr);  // a GET on it gets 404, not a stream that never ends
  }
}

}  // namespace
}  // namespace evo::server::http
