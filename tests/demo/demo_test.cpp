// demo: the scripted workers' variation operators (pure) and the stdio MCP client against tiny
// shell-script servers (framing, notifications, timeouts, teardown).
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "demo/mutation.h"
#include "demo/stdio_client.h"

using namespace evo;
using namespace evo::demo;

namespace {

const std::string kModel =
    "\"\"\"doc\"\"\"\n"
    "\n"
    "def other():\n"
    "    kp = 9.0\n"
    "\n"
    "\n"
    "def gains(scale=1):\n"
    "    \"\"\"The tuning.\"\"\"\n"
    "    kp = 0.8  # proportional\n"
    "\n"
    "    ki=5e-2\n"
    "    label = 'x'\n"
    "    kd = 0.1 + kp\n"
    "    if kp == 1.0:\n"
    "        pass\n"
    "    return kp, ki\n"
    "\n"
    "\n"
    "LIMIT = 3.0\n";

}  // namespace

TEST_SUITE("demo.mutation") {
  TEST_CASE("parameters come from the target function's body only") {
    auto parsed = parse_params(kModel, "gains");
    REQUIRE(parsed.ok());
    REQUIRE(parsed->params.size() == 2);
    CHECK(parsed->params[0].name == "kp");
    CHECK(parsed->params[0].value == doctest::Approx(0.8));
    CHECK(parsed->params[1].name == "ki");
    CHECK(parsed->params[1].value == doctest::Approx(0.05));
  }

  TEST_CASE("rendering rewrites the literals and nothing else") {
    auto parsed = parse_params(kModel, "gains");
    REQUIRE(parsed.ok());
    const std::string out = render_params(*parsed, {1.25, 0.5});
    CHECK(out.find("    kp = 1.25  # proportional\n") != std::string::npos);
    CHECK(out.find("    ki=0.5\n") != std::string::npos);
    CHECK(out.find("def other():\n    kp = 9.0\n") != std::string::npos);
    CHECK(out.find("LIMIT = 3.0\n") != std::string::npos);
    CHECK(out.size() == kModel.size());  // "0.8" -> "1.25", "5e-2" -> "0.5"
    // A rendered file renders back to itself: same values, same bytes.
    auto again = parse_params(out, "gains");
    REQUIRE(again.ok());
    CHECK(render_params(*again, again->values()) == out);
  }

  TEST_CASE("missing functions and functions without numbers are errors") {
    CHECK_FALSE(parse_params(kModel, "nope").ok());
    CHECK_FALSE(parse_params("def f():\n    return 1\n", "f").ok());
    CHECK_FALSE(parse_params(kModel, "gain").ok());  // a prefix is not the name
  }

  TEST_CASE("literals always read back as floats") {
    CHECK(format_literal(2.0) == "2.0");
    CHECK(format_literal(0.123456) == "0.1235");
    CHECK(format_literal(1e-7) == "1e-07");
  }

  TEST_CASE("mutate changes exactly one parameter, deterministically") {
    auto parsed = parse_params(kModel, "gains");
    REQUIRE(parsed.ok());
    Rng a(7);
    Rng b(7);
    const Variation va = mutate(*parsed, a);
    const Variation vb = mutate(*parsed, b);
    CHECK(va.values == vb.values);
    int changed = 0;
    for (std::size_t i = 0; i < va.values.size(); ++i) {
      if (format_literal(va.values[i]) != format_literal(parsed->params[i].value)) ++changed;
    }
    CHECK(changed == 1);
  }

  TEST_CASE("crossover differs from both parents") {
    auto pa = parse_params(kModel, "gains");
    REQUIRE(pa.ok());
    auto pb = parse_params(render_params(*pa, {2.0, 0.3}), "gains");
    REQUIRE(pb.ok());
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      Rng rng(seed);
      const auto child = render_params(*pa, crossover(*pa, *pb, rng).values);
      CHECK(child != render_params(*pa, pa->values()));
      CHECK(child != render_params(*pa, pb->values()));
    }
  }
}

TEST_SUITE("demo.stdio_client") {
  // A "server" that answers the first request after a notification, then waits for EOF.
  const char* kEchoServer =
      "read line; "
      "printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\","
      "\"params\":{\"level\":\"info\",\"data\":\"hi\"}}'; "
      "printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"ok\":true}}'; "
      "cat >/dev/null";

  TEST_CASE("a request gets its result; notifications go to the callback") {
    int notes = 0;
    StdioClientOptions options;
    options.on_notification = [&](const nlohmann::json&) { ++notes; };
    auto client = StdioClient::start({"/bin/sh", "-c", kEchoServer}, options);
    REQUIRE(client.ok());
    auto result = (*client)->request("ping", nlohmann::json::object());
    REQUIRE(result.ok());
    CHECK(result->at("ok") == true);
    CHECK(notes == 1);
    CHECK((*client)->close() == 0);
    CHECK((*client)->close() == 0);  // idempotent
  }

  TEST_CASE("a silent server times out, and teardown escalates") {
    StdioClientOptions options;
    options.read_timeout = std::chrono::milliseconds(200);
    options.exit_grace = std::chrono::milliseconds(200);
    // Ignores EOF on stdin and SIGTERM: only SIGKILL ends it.
    auto client =
        StdioClient::start({"/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"}, options);
    REQUIRE(client.ok());
    const auto started = std::chrono::steady_clock::now();
    auto result = (*client)->request("ping", nlohmann::json::object());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("no reply within 200 ms") != std::string::npos);
    CHECK((*client)->close() == 128 + 9);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  }

  TEST_CASE("a server that exits is an error, not a hang") {
    auto client = StdioClient::start({"/bin/sh", "-c", "exit 3"}, {});
    REQUIRE(client.ok());
    auto result = (*client)->request("ping", nlohmann::json::object());
    REQUIRE_FALSE(result.ok());
    CHECK((*client)->close() == 3);
  }

  TEST_CASE("tool errors carry the server's text") {
    const char* server =
        "read line; "
        "printf '%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"isError\":true,"
        "\"content\":[{\"type\":\"text\",\"text\":\"illegal_transition: nope\"}]}}'; "
        "cat >/dev/null";
    auto client = StdioClient::start({"/bin/sh", "-c", server}, {});
    REQUIRE(client.ok());
    auto result = (*client)->call_tool("evo_step", {{"phase", "select"}});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == "evo_step: illegal_transition: nope");
  }
}
