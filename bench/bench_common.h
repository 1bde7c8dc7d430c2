// Shared pieces of the benchmarks: machine facts, percentiles, the small printed table, JSON
// output, peak-RSS readings, temp dirs, and an in-process tool driver that runs tools exactly
// as tools/call does (argument schema check, handler, output schema check).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "content/content.h"
#include "demo/stdio_client.h"
#include "engine/engine.h"
#include "mcp/catalog.h"
#include "mcp/tool_registry.h"

namespace CLI {
class App;
}  // namespace CLI

namespace evo::bench {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The options several benchmarks share, declared and checked the same way in each.
void add_server_option(CLI::App& app, std::string& server);  // --server: the evo-engine binary
void add_objectives_option(CLI::App& app, int& objectives,
                           const std::string& help = "1 or 3");  // --objectives: 1 or 3
void add_sync_option(CLI::App& app, std::string& sync);          // --sync: normal or full
void add_json_option(CLI::App& app, std::string& path);          // --json: where the figures go

// nproc, CPU model, kernel, compiler and the CMake build type the benchmark was built with.
json machine_info();

// Nearest-rank percentile (p in [0, 100]) of `values`; 0 for an empty set.
double percentile(std::vector<double> values, double p);

// p50/p99/mean/max/count of a sample, in the sample's unit.
json summarize(const std::vector<double>& values);

// A small fixed-width table: a title, column names, then rows of already formatted cells.
class Table {
 public:
  Table(std::string title, std::vector<std::string> columns);
  void add(std::vector<std::string> row);
  void print() const;  // to stdout, preceded by the machine line

 private:
  std::string title_;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

std::string fmt(double value, int decimals = 3);

// Writes `doc` (with the machine facts added under "machine") to `path`, creating its parent.
void write_json(const std::string& path, json doc);

// The evo-engine binary built alongside the benchmarks (the one the wire, HTTP and recovery
// benchmarks spawn unless told otherwise).
std::string server_binary();

// Peak and current resident set sizes, in KiB, of this process or of another one.
struct Memory {
  long max_rss_kb = 0;  // getrusage ru_maxrss (this process only; 0 for another)
  long vm_hwm_kb = 0;   // /proc/<pid>/status VmHWM
  long vm_rss_kb = 0;   // /proc/<pid>/status VmRSS
};
Memory memory_of_self();
Memory memory_of(pid_t pid);
// User plus system CPU time a process has used so far, in seconds (clock-tick resolution).
double cpu_seconds_of(pid_t pid);

// A directory under /tmp, removed on destruction unless kept.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "evo-bench");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

// Size in bytes of every file under `dir` (the SQLite database with its WAL).
std::uintmax_t directory_bytes(const std::filesystem::path& dir);

std::shared_ptr<spdlog::logger> quiet_logger();

// Calls one tool and returns its structured result (in-process or over a real client); a
// failing call fails the benchmark.
using ToolCall = std::function<json(const std::string& tool, const json& args)>;

// Runs tools the way tools/call does, in-process, on an engine wired as `evo-engine serve`
// wires it (the MCP content attached: its engine observers run after every commit). A refused
// argument set, a tool error or an output that breaks the schema aborts the benchmark: a
// benchmark of failing calls measures nothing.
class ToolDriver {
 public:
  explicit ToolDriver(engine::Engine& engine);
  ~ToolDriver();
  json call(const std::string& tool, const json& args);
  ToolCall caller() {
    return [this](const std::string& tool, const json& args) { return call(tool, args); };
  }

 private:
  std::unique_ptr<mcp::Catalog> catalog_;
  std::unique_ptr<memory::MemoryWriter> memory_writer_;
  std::unique_ptr<content::Content> content_;
  std::shared_ptr<const mcp::ToolRegistry> registry_;
};

// A real `evo-engine serve --stdio` child, through the demo's MCP client (demo/), with
// each request's round trip timed; any failure fails the benchmark.
class StdioServer {
 public:
  // Spawns argv; the child's stderr goes to `stderr_path`.
  StdioServer(const std::vector<std::string>& argv, const std::string& stderr_path);
  pid_t pid() const { return client_->pid(); }
  json handshake();  // initialize + notifications/initialized
  json request(const std::string& method, json params = json::object());  // its result
  json call_tool(const std::string& name, const json& arguments);         // structuredContent
  // The last call's round trip in ms, from before its request was written until its reply
  // was read and parsed.
  double last_round_trip_ms() const { return last_ms_; }
  int close() { return client_->close(); }  // closes stdin; returns the exit code
  ToolCall caller() {
    return [this](const std::string& tool, const json& args) { return call_tool(tool, args); };
  }

 private:
  std::unique_ptr<demo::StdioClient> client_;
  double last_ms_ = 0.0;
};

[[noreturn]] void fail(const std::string& message);

}  // namespace evo::bench
