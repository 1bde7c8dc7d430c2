// Shared benchmark helpers. See bench_common.h.
#include "bench/bench_common.h"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>
#include <thread>

#include "engine/tools/common.h"

#ifndef EVO_BENCH_BUILD_TYPE
#define EVO_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef EVO_BENCH_SERVER
#define EVO_BENCH_SERVER "evo-engine"
#endif

namespace evo::bench {

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

long status_field_kb(const std::string& path, const std::string& field) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

std::string machine_line() {
  static const std::string line = [] {
    const json m = machine_info();
    return "machine: " + m.at("cpu").get<std::string>() + ", " +
           std::to_string(m.at("nproc").get<unsigned>()) + " cpus, " +
           m.at("compiler").get<std::string>() + ", build " + m.at("build_type").get<std::string>();
  }();
  return line;
}

}  // namespace

json machine_info() {
  utsname u{};
  uname(&u);
  return {{"nproc", std::thread::hardware_concurrency()},
          {"cpu", cpu_model()},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"compiler", std::string("gcc ") + __VERSION__},
          {"build_type", EVO_BENCH_BUILD_TYPE}};
}

std::string server_binary() {
  return EVO_BENCH_SERVER;
}

void add_server_option(CLI::App& app, std::string& server) {
  app.add_option("--server", server, "The evo-engine binary");
}

void add_objectives_option(CLI::App& app, int& objectives, const std::string& help) {
  app.add_option("--objectives", objectives, help)->check(CLI::IsMember({1, 3}));
}

void add_sync_option(CLI::App& app, std::string& sync) {
  app.add_option("--sync", sync, "SQLite durability")->check(CLI::IsMember({"normal", "full"}));
}

void add_json_option(CLI::App& app, std::string& path) {
  app.add_option("--json", path, "Write the figures here");
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size());
  auto idx = static_cast<std::size_t>(rank);
  if (static_cast<double>(idx) < rank) ++idx;  // ceil: nearest rank
  if (idx > 0) --idx;
  return values[std::min(idx, values.size() - 1)];
}

json summarize(const std::vector<double>& values) {
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return {{"count", values.size()},
          {"p50", percentile(values, 50)},
          {"p99", percentile(values, 99)},
          {"mean", values.empty() ? 0.0 : sum / static_cast<double>(values.size())},
          {"max", values.empty() ? 0.0 : *std::max_element(values.begin(), values.end())}};
}

Table::Table(std::string title, std::vector<std::string> columns)
    : title_(std::move(title)), columns_(std::move(columns)) {}

void Table::add(std::vector<std::string> row) {
  rows_.push_back(std::move(row));
}

void Table::print() const {
  std::vector<std::size_t> width(columns_.size(), 0);
  for (std::size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      out += " " + cell + std::string(width[c] - cell.size(), ' ') + " |";
    }
    std::cout << out << "\n";
  };
  std::cout << "\n## " << title_ << "\n" << machine_line() << "\n\n";
  line(columns_);
  std::string rule = "|";
  for (auto w : width) rule += std::string(w + 2, '-') + "|";
  std::cout << rule << "\n";
  for (const auto& row : rows_) line(row);
  std::cout.flush();
}

std::string fmt(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

void write_json(const std::string& path, json doc) {
  doc["machine"] = machine_info();
  const std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p);
  out << doc.dump(2) << "\n";
  if (!out) fail("cannot write " + path);
  std::cout << "wrote " << path << "\n";
}

Memory memory_of_self() {
  Memory m;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  m.max_rss_kb = ru.ru_maxrss;
  m.vm_hwm_kb = status_field_kb("/proc/self/status", "VmHWM");
  m.vm_rss_kb = status_field_kb("/proc/self/status", "VmRSS");
  return m;
}

Memory memory_of(pid_t pid) {
  Memory m;
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  m.vm_hwm_kb = status_field_kb(path, "VmHWM");
  m.vm_rss_kb = status_field_kb(path, "VmRSS");
  return m;
}

double cpu_seconds_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(in, text);  // one line
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) fail("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::uintmax_t directory_bytes(const std::filesystem::path& dir) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

std::shared_ptr<spdlog::logger> quiet_logger() {
  return std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
}

ToolDriver::ToolDriver(engine::Engine& engine)
    : catalog_(std::make_unique<mcp::Catalog>()),
      memory_writer_(std::make_unique<memory::MemoryWriter>(quiet_logger())) {
  content_ = content::attach(engine, *catalog_, *memory_writer_, quiet_logger());
  auto registry = mcp::ToolRegistry::create(engine::tools::all_tools(engine));
  if (!registry) fail("tool registry: " + registry.error().message);
  registry_ = std::move(registry).value();
}

ToolDriver::~ToolDriver() = default;

json ToolDriver::call(const std::string& tool, const json& args) {
  const mcp::ToolDef* def = registry_->find(tool);
  if (def == nullptr) fail("unknown tool " + tool);
  if (auto problems = registry_->check_arguments(*def, args); !problems.empty()) {
    fail(tool + " refused " + args.dump() + ": " + problems.front());
  }
  mcp::ToolContext ctx;
  mcp::ToolOutcome outcome = def->handler(args, ctx);
  if (outcome.is_error) fail(tool + " " + args.dump() + " failed: " + outcome.error_message);
  if (auto problems = registry_->check_output(*def, outcome.structured); !problems.empty()) {
    fail(tool + " output breaks its schema: " + problems.front());
  }
  return std::move(outcome.structured);
}

StdioServer::StdioServer(const std::vector<std::string>& argv, const std::string& stderr_path) {
  demo::StdioClientOptions options;
  options.stderr_path = stderr_path;
  options.read_timeout = std::chrono::milliseconds(120000);  // a 100k-run restart included
  auto client = demo::StdioClient::start(argv, std::move(options));
  if (!client) fail("spawn " + argv.front() + ": " + client.error().message);
  client_ = std::move(client).value();
}

json StdioServer::handshake() {
  const auto t0 = Clock::now();
  auto result = client_->initialize("evo-bench", "1");
  last_ms_ = ms_since(t0);
  if (!result) fail("initialize: " + result.error().message);
  return std::move(result).value();
}

json StdioServer::request(const std::string& method, json params) {
  const auto t0 = Clock::now();
  auto result = client_->request(method, std::move(params));
  last_ms_ = ms_since(t0);
  if (!result) fail(method + ": " + result.error().message);
  return std::move(result).value();
}

json StdioServer::call_tool(const std::string& name, const json& arguments) {
  const auto t0 = Clock::now();
  auto result = client_->call_tool(name, arguments);
  last_ms_ = ms_since(t0);
  if (!result) fail(name + ": " + result.error().message);
  return std::move(result).value();
}

void fail(const std::string& message) {
  std::cerr << "benchmark failed: " << message << "\n";
  std::exit(1);
}

}  // namespace evo::bench
