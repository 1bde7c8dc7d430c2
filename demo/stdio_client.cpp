// A small MCP client over a child process's stdio. See stdio_client.h.
#include "demo/stdio_client.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "core/strings.h"

namespace evo::demo {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kProtocolVersion = "2025-11-25";
constexpr std::size_t kMaxLineBytes = 64u << 20;

Error transport_error(std::string message) {
  return make_error(ErrorCode::kInternal, "MCP server: " + std::move(message));
}

std::string text_of(const json& result) {
  std::string text;
  const auto content = result.find("content");
  if (content == result.end() || !content->is_array()) return text;
  for (const auto& block : *content) {
    const auto t = block.find("text");
    if (t == block.end() || !t->is_string()) continue;
    if (!text.empty()) text += "\n";
    text += t->get<std::string>();
  }
  return text;
}

}  // namespace

StdioClient::StdioClient(Child child, StdioClientOptions options)
    : child_(std::move(child)), options_(std::move(options)) {}

StdioClient::~StdioClient() {
  close();
}

Result<std::unique_ptr<StdioClient>> StdioClient::start(const std::vector<std::string>& argv,
                                                        StdioClientOptions options) {
  // A server that dies must give EPIPE on write, not kill the demo.
  ::signal(SIGPIPE, SIG_IGN);
  SpawnSpec spec;
  spec.argv = argv;
  spec.pipe_stdin = true;
  spec.stderr_path = options.stderr_path.empty() ? "/dev/null" : options.stderr_path;
  EVO_ASSIGN_OR_RETURN(Child child, spawn(spec));
  return std::unique_ptr<StdioClient>(new StdioClient(std::move(child), std::move(options)));
}

Status StdioClient::write_message(const json& message) {
  if (closed_) return transport_error("the connection is closed");
  std::string line;
  try {
    line = message.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return transport_error(std::string("cannot encode a message: ") + e.what());
  }
  line += '\n';
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(child_.stdin_fd(), line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return transport_error(std::string("write failed: ") + errno_text(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<std::string> StdioClient::read_line(Clock::time_point deadline) {
  char chunk[65536];
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (buffer_.size() > kMaxLineBytes) return transport_error("a reply line is too long");
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    if (left <= 0) {
      return transport_error("no reply within " + std::to_string(options_.read_timeout.count()) +
                             " ms");
    }
    pollfd pfd{child_.stdout_fd(), POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) {
      return transport_error(std::string("poll failed: ") + errno_text(errno));
    }
    if (ready <= 0) continue;
    const ssize_t n = ::read(child_.stdout_fd(), chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      const auto code = child_.poll_exit();
      return transport_error("the server closed its stdout" +
                             (code ? " (exit code " + std::to_string(*code) + ")" : std::string()));
    } else if (errno != EINTR) {
      return transport_error(std::string("read failed: ") + errno_text(errno));
    }
  }
}

Result<json> StdioClient::request(const std::string& method, json params) {
  const std::int64_t id = next_id_++;
  json message{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  EVO_TRY(write_message(message));
  const auto deadline = Clock::now() + options_.read_timeout;
  for (;;) {
    EVO_ASSIGN_OR_RETURN(auto line, read_line(deadline));
    if (line.empty()) continue;
    json reply = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded() || !reply.is_object()) {
      return transport_error("a line on stdout is not a JSON object: " + line.substr(0, 200));
    }
    const auto method_it = reply.find("method");
    const auto id_it = reply.find("id");
    if (method_it != reply.end()) {
      if (id_it == reply.end()) {
        if (options_.on_notification) options_.on_notification(reply);
      } else {
        // A request from the server: this client offers no methods.
        EVO_TRY(write_message({{"jsonrpc", "2.0"},
                               {"id", *id_it},
                               {"error", {{"code", -32601}, {"message", "method not found"}}}}));
      }
      continue;
    }
    if (id_it == reply.end() || !id_it->is_number_integer() || id_it->get<std::int64_t>() != id) {
      continue;  // not ours (a late reply to an abandoned request)
    }
    if (const auto err = reply.find("error"); err != reply.end()) {
      const auto msg = err->find("message");
      const auto code = err->find("code");
      return make_error(
          ErrorCode::kInvalidArgument,
          method + " failed: JSON-RPC error " +
              (code != err->end() ? code->dump() : std::string("?")) + ": " +
              (msg != err->end() && msg->is_string() ? msg->get<std::string>() : err->dump()));
    }
    const auto result = reply.find("result");
    if (result == reply.end()) return transport_error("a reply has neither result nor error");
    return *result;
  }
}

Status StdioClient::notify(const std::string& method, json params) {
  return write_message({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

Result<json> StdioClient::initialize(const std::string& client_name,
                                     const std::string& client_version) {
  EVO_ASSIGN_OR_RETURN(
      auto result, request("initialize",
                           {{"protocolVersion", kProtocolVersion},
                            {"capabilities", json::object()},
                            {"clientInfo", {{"name", client_name}, {"version", client_version}}}}));
  EVO_TRY(notify("notifications/initialized", json::object()));
  return result;
}

Result<json> StdioClient::call_tool(const std::string& name, json arguments) {
  EVO_ASSIGN_OR_RETURN(
      auto result, request("tools/call", {{"name", name}, {"arguments", std::move(arguments)}}));
  if (!result.is_object()) return transport_error("tools/call returned a non-object result");
  const auto is_error = result.find("isError");
  if (is_error != result.end() && is_error->is_boolean() && is_error->get<bool>()) {
    return make_error(ErrorCode::kInvalidArgument, name + ": " + text_of(result));
  }
  if (const auto sc = result.find("structuredContent"); sc != result.end()) return *sc;
  json parsed = json::parse(text_of(result), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return transport_error(name + " returned no structured content");
  return parsed;
}

int StdioClient::close() {
  if (closed_) return exit_code_.value_or(-1);
  closed_ = true;
  child_.close_stdin();  // EOF: the server finishes queued work and exits
  exit_code_ = child_.reap(options_.exit_grace);
  return *exit_code_;
}

}  // namespace evo::demo
