// The Streamable HTTP pieces that need no server: Host/Origin checks, Accept parsing, the bearer
// token, session ids, header decoding, the resumable SSE event buffer, a session's streams and
// message kinds, and the HTTP/1.1 request parser's framing and limits.
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>

#include <set>
#include <thread>

#include "mcp/transport/http/http_message.h"
#include "mcp/transport/http/http_security.h"
#include "mcp/transport/http/http_session.h"
#include "mcp/transport/http/http_stream.h"
#include "mcp/transport/http/http_transport.h"

namespace evo::mcp::transport::http {
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

  TEST_CASE("a reply reaches its request's stream with its kind, read from the typed message") {
    auto logger =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    auto tools = ToolRegistry::create({});
    REQUIRE(tools);
    HttpSession session("s", ServerInfo{}, tools.value(), logger, SessionOptions{}, 16, nullptr);
    const jsonrpc::RequestId one{std::int64_t{1}};
    const jsonrpc::RequestId two{std::string("two")};
    auto first = session.open_request_stream(one);
    auto second = session.open_request_stream(two);
    REQUIRE(first);
    REQUIRE(second);
    session.send_related(jsonrpc::Notification{"notifications/progress", nlohmann::json::object()},
                         one);
    session.send(jsonrpc::make_error(one, jsonrpc::kMethodNotFound, "no"));
    session.send(jsonrpc::make_result(two, nlohmann::json::object()));
    const auto a = first->wait(0, std::chrono::milliseconds(0));
    REQUIRE(a.events.size() == 2);
    CHECK(a.ended);
    CHECK_FALSE(a.events[0].kind.response);
    CHECK(a.events[1].kind.response);
    CHECK(a.events[1].kind.error_code == jsonrpc::kMethodNotFound);
    const auto b = second->wait_first(std::chrono::milliseconds(0));
    REQUIRE(b);
    CHECK(b->only);
    CHECK(b->kind.response);
    CHECK_FALSE(b->kind.error_code);
    CHECK(b->data == R"({"id":"two","jsonrpc":"2.0","result":{}})");
    session.close();
  }
}

TEST_SUITE("http.parser") {
  ParseLimits small_limits() {
    ParseLimits limits;
    limits.max_request_line = 64;
    limits.max_header_count = 4;
    limits.max_header_bytes = 200;
    limits.max_body_bytes = 100;
    return limits;
  }

  // Feeds `raw` one byte at a time (the worst split), returning what was used.
  std::size_t feed_bytewise(RequestParser & p, std::string_view raw) {
    std::size_t used = 0;
    while (used < raw.size() && !p.done() && !p.failed()) used += p.feed(raw.substr(used, 1));
    return used;
  }

  TEST_CASE("a Content-Length request, split anywhere, then a pipelined one") {
    const std::string one =
        "POST /mcp?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Y:  v w \r\n\r\nhello";
    const std::string two = "GET /mcp HTTP/1.1\r\nHost: a\r\n\r\n";
    RequestParser p(small_limits());
    CHECK(feed_bytewise(p, one + two) == one.size());
    REQUIRE(p.done());
    const Request r = p.take();
    CHECK(r.method == "POST");
    CHECK(r.path == "/mcp");
    CHECK(r.target == "/mcp?x=1");
    CHECK(r.body == "hello");
    CHECK(r.get_header_value("x-y") == "v w");
    CHECK(r.keep_alive());
    CHECK(p.feed(two) == two.size());
    REQUIRE(p.done());
    CHECK(p.take().method == "GET");
  }

  TEST_CASE("chunked bodies are de-chunked and held to the body limit before they are read") {
    RequestParser ok(small_limits());
    const std::string chunked =
        "POST /mcp HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n";
    CHECK(feed_bytewise(ok, chunked) == chunked.size());
    REQUIRE(ok.done());
    CHECK(ok.take().body == "hello world");

    // 60 + 60 bytes: the second chunk's size line is refused before its data.
    RequestParser big(small_limits());
    const std::string head = "POST /mcp HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string body = "3c\r\n" + std::string(60, 'a') + "\r\n3c\r\n";
    CHECK(big.feed(head + body) == head.size() + body.size());
    REQUIRE(big.failed());
    CHECK(big.error_status() == 413);
    CHECK(big.error_message() == "Payload Too Large: the body limit is 100 bytes");
    CHECK(big.body_received() == 0);  // the memory is given back

    // A chunk size too large for 64 bits is over the limit too, not a wrap-around.
    RequestParser huge(small_limits());
    huge.feed(head + "fffffffffffffffffffff\r\n");
    CHECK(huge.error_status() == 413);

    RequestParser length(small_limits());
    length.feed("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n");
    CHECK(length.error_status() == 413);
  }

  TEST_CASE("header count and header bytes: 431; a long request line: 414") {
    RequestParser count(small_limits());
    count.feed("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\ne: 5\r\n");
    CHECK(count.error_status() == 431);
    CHECK(count.error_message().find("more than 4 header fields") != std::string::npos);

    RequestParser bytes(small_limits());
    const std::string line = "GET / HTTP/1.1\r\nx: " + std::string(300, 'v');
    // Refused while the line is still coming: it is never buffered whole.
    CHECK(bytes.feed(line) == line.size());
    CHECK(bytes.error_status() == 431);
    CHECK(bytes.error_message().find("over 200 bytes") != std::string::npos);

    // Trailers count against the same limits.
    RequestParser trailers(small_limits());
    trailers.feed(
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nt1: 1\r\nt2: 2\r\nt3: 3\r\n"
        "t4: 4\r\n");
    CHECK(trailers.error_status() == 431);

    RequestParser uri(small_limits());
    uri.feed("GET /" + std::string(100, 'u'));
    CHECK(uri.error_status() == 414);
  }

  TEST_CASE("ambiguous or malformed framing: 400, 501, 505") {
    const auto status_of = [](const std::string& raw) {
      RequestParser p(small_limits());
      p.feed(raw);
      return p.failed() ? p.error_status() : (p.done() ? 0 : -1);
    };
    CHECK(status_of("NONSENSE\r\n") == 400);
    CHECK(status_of("GET / HTTP/2.0\r\n") == 505);
    CHECK(status_of("GET / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n") ==
          400);
    CHECK(status_of("GET / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n") == 400);
    CHECK(status_of("GET / HTTP/1.1\r\nContent-Length: -3\r\n\r\n") == 400);
    CHECK(status_of("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n") == 501);
    CHECK(status_of("GET / HTTP/1.1\r\nA b: c\r\n\r\n") == 400);
    CHECK(status_of("GET / HTTP/1.1\r\na: b\r\n folded\r\n\r\n") == 400);
    CHECK(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == 400);
    CHECK(status_of("\r\nGET / HTTP/1.0\r\n\r\n") == 0);
  }

  TEST_CASE("keep-alive by version and Connection tokens; response heads") {
    Request r;
    r.version = "HTTP/1.1";
    CHECK(r.keep_alive());
    r.headers = {{"Connection", "Upgrade, close"}};
    CHECK_FALSE(r.keep_alive());
    r.version = "HTTP/1.0";
    r.headers = {};
    CHECK_FALSE(r.keep_alive());
    r.headers = {{"connection", "Keep-Alive"}};
    CHECK(r.keep_alive());

    Response res;
    res.status = 413;
    res.set_content("{}", "application/json");
    res.set_header("Retry-After", "1");
    CHECK(format_head(res, false, 5, false) ==
          "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\n"
          "Content-Length: 2\r\nConnection: close\r\nRetry-After: 1\r\n\r\n");
    res.set_chunked_content_provider(
        "text/event-stream", [](ResponseSink&) { return false; }, [](bool) {});
    CHECK(format_head(res, true, 5, true)
              .find("Transfer-Encoding: chunked\r\nKeep-Alive: "
                    "timeout=5\r\n") != std::string::npos);
  }
}

}  // namespace
}  // namespace evo::mcp::transport::http
