// StdioTransport over real pipes and files: framing, over-long lines, CRLF, EOF with work still
// queued, and stdin redirected from a regular file (which epoll cannot watch).
#include "mcp/transport/stdio_transport.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
namespace {
using transport::StdioOptions;
using transport::StdioTransport;

std::vector<ToolDef> transport_tools() {
  std::vector<ToolDef> tools;
  tools.push_back(ToolDef{"sleepy", "", "Sleeps a little, then answers.", json{{"type", "object"}},
                          json(), [](const json&, ToolContext&) {
                            std::this_thread::sleep_for(std::chrono::milliseconds(150));
                            return ToolOutcome::ok(json{{"slept", true}});
                          }});
  return tools;
}

struct RunResult {
  std::vector<std::string> lines;
  int exit_code = -1;
};

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::vector<std::string> split_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < output.size()) {
    const auto end = output.find('\n', start);
    REQUIRE_MESSAGE(end != std::string::npos, "output must end every message with a newline");
    lines.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Runs a transport + session with `in_fd` as its input; collects everything written.
RunResult run_with_input_fd(int in_fd, StdioOptions options,
                            const std::function<void()>& feed = {}) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  std::string output;
  std::thread reader([&] {
    char buf[4096];
    for (;;) {
      const auto n = ::read(out[0], buf, sizeof(buf));
      if (n <= 0) break;
      output.append(buf, static_cast<std::size_t>(n));
    }
  });
  RunResult result;
  {
    options.handle_signals = false;
    StdioTransport transport(quiet_logger(), options, in_fd, out[1]);
    ::close(out[1]);  // the transport holds its own duplicate
    McpSession session(Client::default_info(), make_registry(transport_tools()), transport,
                       quiet_logger());
    std::thread writer;
    if (feed) writer = std::thread(feed);
    result.exit_code = transport.run(session);
    if (writer.joinable()) writer.join();
  }
  reader.join();
  ::close(out[0]);
  result.lines = split_lines(output);
  return result;
}

RunResult run_with_input(const std::string& input, StdioOptions options = {}) {
  int in[2];
  REQUIRE(::pipe(in) == 0);
  auto result = run_with_input_fd(in[0], options, [&] {
    write_all(in[1], input);
    ::close(in[1]);
  });
  ::close(in[0]);
  return result;
}

std::string handshake_lines() {
  return R"({"jsonrpc":"2.0","id":0,"method":"initialize",)"
         R"("params":{"protocolVersion":"2025-11-25"}})"
         "\n"
         R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
         "\n";
}

json find_reply(const std::vector<std::string>& lines, const json& id) {
  for (const auto& line : lines) {
    const json m = json::parse(line);
    if (m.contains("id") && m.at("id") == id) return m;
  }
  FAIL("no reply with id " << id.dump());
  return json();
}

TEST_SUITE("transport.stdio") {
  TEST_CASE("one message per line, each valid JSON-RPC, exit 0 on EOF") {
    const auto r =
        run_with_input(handshake_lines() + R"({"jsonrpc":"2.0","id":1,"method":"ping"})"
                                           "\n"
                                           R"({"jsonrpc":"2.0","id":"two","method":"tools/list"})"
                                           "\n"
                                           R"({"jsonrpc":"2.0","id":3,"method":"nope"})"
                                           "\n");
    CHECK(r.exit_code == 0);
    REQUIRE(r.lines.size() == 4);
    for (const auto& line : r.lines) {
      CHECK(line.find('\n') == std::string::npos);
      CHECK(valid_outgoing(json::parse(line)));
    }
    CHECK(find_reply(r.lines, 0).at("result").at("protocolVersion") == "2025-11-25");
    CHECK(find_reply(r.lines, 1).at("result") == json::object());
    CHECK(find_reply(r.lines, "two").at("result").at("tools").at(0).at("name") == "sleepy");
    CHECK(find_reply(r.lines, 3).at("error").at("code") == jsonrpc::kMethodNotFound);
  }

  TEST_CASE("an over-long line is refused and skipped; the next line is served") {
    StdioOptions options;
    options.max_line_bytes = 256;
    const std::string huge = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" +
                             std::string(200000, 'y') + "\"}}\n";
    const auto r = run_with_input(huge + R"({"jsonrpc":"2.0","id":2,"method":"ping"})"
                                         "\n",
                                  options);
    REQUIRE(r.lines.size() == 2);
    const json refused = json::parse(r.lines[0]);
    CHECK(refused.at("id").is_null());
    CHECK(refused.at("error").at("code") == jsonrpc::kInvalidRequest);
    CHECK(refused.at("error").at("message").get<std::string>().find("256-byte limit") !=
          std::string::npos);
    CHECK(json::parse(r.lines[1]).at("id") == 2);
  }

  TEST_CASE("a line nested past the depth limit is refused with its top-level id") {
    // issue 16: the refusal used to carry "id": null although the id was readable.
    const std::string deep = R"({"jsonrpc":"2.0","id":"deep-1","method":"tools/call","params":)" +
                             std::string(300, '[') + std::string(300, ']') + "}\n";
    const auto r = run_with_input(handshake_lines() + deep +
                                  R"({"jsonrpc":"2.0","id":2,"method":"ping"})"
                                  "\n");
    CHECK(r.exit_code == 0);
    const json refused = find_reply(r.lines, "deep-1");
    CHECK(refused.at("error").at("code") == jsonrpc::kInvalidRequest);
    CHECK(refused.at("error").at("message").get<std::string>().find("nested deeper than 128") !=
          std::string::npos);
    CHECK(find_reply(r.lines, 2).at("result") == json::object());
    for (const auto& line : r.lines) {
      const json m = json::parse(line);
      if (m.contains("id")) CHECK_FALSE(m.at("id").is_null());
    }
  }

  TEST_CASE("CRLF, blank lines, bad bytes and a last line without newline") {
    const auto r = run_with_input("\r\n   \n" + handshake_lines() +
                                  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n"
                                  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"p\xff\"}\n"
                                  "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
    REQUIRE(r.lines.size() == 4);
    CHECK(find_reply(r.lines, 1).contains("result"));
    const json bad = json::parse(r.lines[2]);
    CHECK(bad.at("error").at("code") == jsonrpc::kParseError);
    CHECK(find_reply(r.lines, 3).contains("result"));
  }

  TEST_CASE("EOF while a tool runs: the reply is still written before run() returns") {
    const auto r = run_with_input(
        handshake_lines() +
        R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sleepy"}})"
        "\n"
        R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"sleepy"}})"
        "\n");
    CHECK(r.exit_code == 0);
    CHECK(find_reply(r.lines, 1).at("result").at("structuredContent") == json{{"slept", true}});
    CHECK(find_reply(r.lines, 2).contains("result"));
  }

  TEST_CASE("stdin redirected from a regular file") {
    char path[] = "/tmp/evo_stdio_test_XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    write_all(fd, handshake_lines() + R"({"jsonrpc":"2.0","id":1,"method":"ping"})"
                                      "\n");
    ::close(fd);
    const int in = ::open(path, O_RDONLY);
    REQUIRE(in >= 0);
    const auto r = run_with_input_fd(in, {});
    ::close(in);
    ::unlink(path);
    CHECK(r.exit_code == 0);
    REQUIRE(r.lines.size() == 2);
    CHECK(find_reply(r.lines, 1).at("result") == json::object());
  }

  TEST_CASE("a closed output ends the run with exit code 1 instead of SIGPIPE") {
    int in[2];
    int out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    ::close(out[0]);  // nobody will read our output
    StdioOptions options;
    options.handle_signals = false;
    StdioTransport transport(quiet_logger(), options, in[0], out[1]);
    ::close(out[1]);
    McpSession session(Client::default_info(), make_registry(transport_tools()), transport,
                       quiet_logger());
    std::thread writer([&] {
      write_all(in[1], R"({"jsonrpc":"2.0","id":1,"method":"ping"})"
                       "\n");
      // Left open: the transport must stop on the write failure, not wait for EOF.
    });
    CHECK(transport.run(session) == 1);
    writer.join();
    ::close(in[1]);
    ::close(in[0]);
  }
}

}  // namespace
}  // namespace evo::mcp::testing
