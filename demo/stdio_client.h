// A small MCP client over a child process's stdio: newline-delimited JSON-RPC 2.0, one request
// at a time, a deadline on every read, and a teardown that never hangs (close stdin, wait,
// then SIGTERM/SIGKILL).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "subprocess/subprocess.h"

namespace evo::demo {

using subprocess::Child;
using subprocess::Millis;
using subprocess::run_process;
using subprocess::self_executable;
using subprocess::spawn;
using subprocess::SpawnSpec;

using nlohmann::json;

struct StdioClientOptions {
  Millis read_timeout{30000};  // per response
  Millis exit_grace{5000};     // after closing stdin, before SIGTERM (and again before SIGKILL)
  std::string stderr_path;     // where the server's logs go; empty: discarded
  // Called with each notification the server sends (e.g. notifications/message).
  std::function<void(const json& notification)> on_notification;
};

class StdioClient {
 public:
  // Starts argv (the server) with piped stdin/stdout. Does not speak yet. Sets SIGPIPE to
  // SIG_IGN for the whole process, so a server that dies gives EPIPE instead of killing us.
  static Result<std::unique_ptr<StdioClient>> start(const std::vector<std::string>& argv,
                                                    StdioClientOptions options);
  StdioClient(const StdioClient&) = delete;
  StdioClient& operator=(const StdioClient&) = delete;
  ~StdioClient();

  // initialize + notifications/initialized. Returns the initialize result.
  Result<json> initialize(const std::string& client_name, const std::string& client_version);
  // A request and its result; a JSON-RPC error becomes an Error.
  Result<json> request(const std::string& method, json params);
  Status notify(const std::string& method, json params);
  // tools/call: structuredContent on success; an isError result becomes an Error carrying the
  // tool's text (the domain failure, e.g. an illegal transition).
  Result<json> call_tool(const std::string& name, json arguments);

  // Closes stdin and reaps the server (escalating after exit_grace). Returns its exit code;
  // idempotent.
  int close();
  pid_t pid() const { return child_.pid(); }

 private:
  StdioClient(Child child, StdioClientOptions options);
  Status write_message(const json& message);
  // The next complete line from the server, within the read deadline.
  Result<std::string> read_line(std::chrono::steady_clock::time_point deadline);

  Child child_;
  StdioClientOptions options_;
  std::string buffer_;  // bytes read past the last complete line
  std::int64_t next_id_ = 1;
  bool closed_ = false;
  std::optional<int> exit_code_;
};

}  // namespace evo::demo
