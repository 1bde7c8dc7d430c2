// Benchmark 5: HTTP concurrency. A real `evo-engine serve --http 127.0.0.1:0` child and 32
// concurrent clients (threads, each its own keep-alive connection and MCP session) that report
// fitness_ready for the items of a prepared run, generation after generation. The baseline is
// the same 32 clients calling ping on the same server. Afterwards every report must have been
// counted exactly once: the total_evals the replies carried are exactly before+1 .. before+N,
// evo_get_status agrees, nothing is left in flight, and every branch's lineage says evaluated.
#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <regex>
#include <thread>

#include "bench/bench_common.h"
#include "bench/scripted_run.h"
#include "subprocess/subprocess.h"

namespace evo::bench {
namespace {

struct Options {
  std::string server = server_binary();
  int clients = 32;
  int pop_size = 10000;  // items per generation (evo_init's maximum)
  int generations = 2;   // timed generations: clients x ... reports = pop_size x generations
  int objectives = 3;
  std::string sync = "normal";
  std::string json_path;
};

constexpr const char* kProtocolVersion = "2025-11-25";

// One MCP session over one keep-alive connection.
class HttpMcp {
 public:
  HttpMcp(int port, const std::string& name) : cli_("127.0.0.1", port) {
    cli_.set_keep_alive(true);
    cli_.set_tcp_nodelay(true);
    cli_.set_read_timeout(std::chrono::seconds(60));
    const json init{{"jsonrpc", "2.0"},
                    {"id", 0},
                    {"method", "initialize"},
                    {"params",
                     {{"protocolVersion", kProtocolVersion},
                      {"capabilities", json::object()},
                      {"clientInfo", {{"name", name}, {"version", "1"}}}}}};
    auto res = cli_.Post("/mcp", base_headers(), init.dump(), "application/json");
    if (!res || res->status != 200) fail(name + ": initialize failed" + status_of(res));
    session_ = res->get_header_value("Mcp-Session-Id");
    if (session_.empty()) fail(name + ": no Mcp-Session-Id");
    const json note{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
    res = cli_.Post("/mcp", headers(), note.dump(), "application/json");
    if (!res || res->status != 202) fail(name + ": notifications/initialized" + status_of(res));
  }

  // A request and its result; a JSON-RPC error or a tool error fails the benchmark.
  json request(const std::string& method, json params) {
    const std::int64_t id = next_id_++;
    const json message{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
    auto res = cli_.Post("/mcp", headers(), message.dump(), "application/json");
    if (!res || res->status != 200) fail(method + " failed" + status_of(res));
    const json reply = parse_reply(*res, id);
    if (!reply.contains("result")) fail(method + " failed: " + reply.dump());
    return reply.at("result");
  }

  json call_tool(const std::string& name, json arguments) {
    json result = request("tools/call", {{"name", name}, {"arguments", std::move(arguments)}});
    if (result.value("isError", false)) fail(name + ": " + result.dump());
    return std::move(result.at("structuredContent"));
  }

 private:
  static std::string status_of(const httplib::Result& res) {
    if (!res) return ": " + httplib::to_string(res.error());
    return ": HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 300);
  }

  static httplib::Headers base_headers() {
    return {{"Accept", "application/json, text/event-stream"}};
  }

  httplib::Headers headers() const {
    auto h = base_headers();
    h.emplace("Mcp-Session-Id", session_);
    h.emplace("MCP-Protocol-Version", kProtocolVersion);
    return h;
  }

  // The reply to request `id`: the body itself (plain JSON), or the matching SSE data line.
  static json parse_reply(const httplib::Response& res, std::int64_t id) {
    if (res.get_header_value("Content-Type").rfind("text/event-stream", 0) != 0) {
      return json::parse(res.body, nullptr, false);
    }
    std::size_t pos = 0;
    while ((pos = res.body.find("data: ", pos)) != std::string::npos) {
      const auto end = res.body.find('\n', pos);
      const json m = json::parse(res.body.substr(pos + 6, end - pos - 6), nullptr, false);
      if (m.is_object() && m.value("id", std::int64_t{-1}) == id) return m;
      pos = end;
    }
    return json();
  }

  httplib::Client cli_;
  std::string session_;
  std::int64_t next_id_ = 1;
};

// The server child: started on a free port, stopped with SIGTERM (it finishes queued work).
class HttpServerProcess {
 public:
  HttpServerProcess(const Options& o, const std::filesystem::path& data) {
    log_ = (data / "server.log").string();
    subprocess::SpawnSpec spec;
    spec.argv = {
        o.server, "serve", "--http",      "127.0.0.1:0", "--data-dir", (data / "db").string(),
        "--sync", o.sync,  "--log-level", "info"};
    spec.stderr_path = log_;
    auto child = subprocess::spawn(spec);
    if (!child) fail("spawn: " + child.error().message);
    child_ = std::move(child).value();
    const std::regex url(R"(http://127\.0\.0\.1:(\d+)/mcp)");
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      std::ifstream in(log_);
      std::smatch m;
      for (std::string line; std::getline(in, line);) {
        if (std::regex_search(line, m, url)) {
          port_ = std::stoi(m[1].str());
          return;
        }
      }
      if (child_.poll_exit()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    fail("the server did not print its URL; see " + log_);
  }
  ~HttpServerProcess() { stop(); }
  HttpServerProcess(const HttpServerProcess&) = delete;
  HttpServerProcess& operator=(const HttpServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return child_.pid(); }
  int stop() {
    if (child_.pid() > 0 && !child_.poll_exit()) ::kill(child_.pid(), SIGTERM);
    return child_.reap(std::chrono::milliseconds(10000));
  }

 private:
  subprocess::Child child_;
  std::string log_;
  int port_ = 0;
};

// A timed phase: `clients` threads take work items 0..count-1 in turn; each call is timed.
struct Phase {
  std::vector<double> ms;
  double wall_ms = 0.0;
  double calls_per_s() const { return static_cast<double>(ms.size()) / (wall_ms / 1000.0); }
};

template <typename Work>
Phase run_phase(std::vector<std::unique_ptr<HttpMcp>>& clients, std::size_t count, Work work) {
  Phase phase;
  std::vector<std::vector<double>> per_client(clients.size());
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (std::size_t c = 0; c < clients.size(); ++c) {
    threads.emplace_back([&, c] {
      per_client[c].reserve(count / clients.size() + 1);
      for (std::size_t i = next++; i < count; i = next++) {
        const auto t0 = Clock::now();
        work(*clients[c], i);
        per_client[c].push_back(ms_since(t0));
      }
    });
  }
  for (auto& t : threads) t.join();
  phase.wall_ms = ms_since(start);
  for (const auto& v : per_client) phase.ms.insert(phase.ms.end(), v.begin(), v.end());
  return phase;
}

int run(const Options& o) {
  TempDir data("evo-bench-http");
  TempDir repo("evo-bench-repo");
  HttpServerProcess server(o, data.path());
  HttpMcp orchestrator(server.port(), "orchestrator");
  std::vector<std::unique_ptr<HttpMcp>> clients;
  for (int c = 0; c < o.clients; ++c) {
    clients.push_back(std::make_unique<HttpMcp>(server.port(), "worker-" + std::to_string(c)));
  }

  ScriptOptions so;
  so.objectives = o.objectives;
  so.pop_size = o.pop_size;
  so.evals = o.pop_size * o.generations + 1;  // seed + every report: the last reflect ends it
  so.synergy_interval = 100000;
  FitnessSource source(o.objectives, 5);
  const ToolCall call = [&](const std::string& tool, const json& args) {
    return orchestrator.call_tool(tool, args);
  };
  setup_run(call, so, repo.path().string(), source);
  const auto before = call("evo_get_status", json::object()).at("total_evals").get<std::uint64_t>();

  // Pre-drawn fitness values, so the clients share no generator.
  const auto total = static_cast<std::size_t>(o.pop_size) * static_cast<std::size_t>(o.generations);
  std::vector<std::vector<double>> values(total);
  for (auto& v : values) v = source.next();

  // Warm-up and baseline: ping, as many calls as there will be reports.
  run_phase(clients, 2000, [](HttpMcp& c, std::size_t) { c.request("ping", json::object()); });
  Phase ping =
      run_phase(clients, total, [](HttpMcp& c, std::size_t) { c.request("ping", json::object()); });

  Phase code{};
  Phase fitness{};
  std::vector<std::string> branches;
  std::vector<std::uint64_t> totals(total, 0);
  std::cerr << "http: " << o.clients << " clients, " << total << " reports\n";
  json plan = call("evo_step", {{"phase", "begin_generation"}});
  for (int g = 0; g < o.generations; ++g) {
    if (plan.at("action") != "dispatch_workers") fail("run ended early: " + plan.dump());
    const std::size_t first = branches.size();
    for (const auto& item : plan.at("items")) branches.push_back(item.at("branch"));
    const std::size_t n = branches.size() - first;
    const Phase c = run_phase(clients, n, [&](HttpMcp& cl, std::size_t i) {
      cl.call_tool("evo_step", {{"phase", "code_ready"}, {"branch", branches[first + i]}});
    });
    const Phase f = run_phase(clients, n, [&](HttpMcp& cl, std::size_t i) {
      const auto& v = values[first + i];
      const json done = cl.call_tool("evo_step", {{"phase", "fitness_ready"},
                                                  {"branch", branches[first + i]},
                                                  {"success", true},
                                                  {"fitness_values", v},
                                                  {"raw_output", "bench: " + json(v).dump()}});
      totals[first + i] = done.at("total_evals").get<std::uint64_t>();
    });
    code.ms.insert(code.ms.end(), c.ms.begin(), c.ms.end());
    code.wall_ms += c.wall_ms;
    fitness.ms.insert(fitness.ms.end(), f.ms.begin(), f.ms.end());
    fitness.wall_ms += f.wall_ms;
    call("evo_step", {{"phase", "select"}});
    plan = call("evo_step", {{"phase", "reflect_done"}});
  }
  if (branches.size() != total) fail("expected " + std::to_string(total) + " items");

  // Every report counted exactly once.
  std::vector<std::uint64_t> sorted = totals;
  std::sort(sorted.begin(), sorted.end());
  bool once = true;
  for (std::size_t i = 0; i < sorted.size(); ++i) once = once && sorted[i] == before + i + 1;
  const json status = call("evo_get_status", json::object());
  const auto final_evals = status.at("total_evals").get<std::uint64_t>();
  const bool status_ok =
      final_evals == before + total && status.value("in_flight", json::array()).empty();
  std::atomic<std::size_t> not_evaluated{0};
  run_phase(clients, total, [&](HttpMcp& c, std::size_t i) {
    const json lin = c.call_tool("evo_get_lineage", {{"branch", branches[i]}});
    if (lin.at("lineage").at(0).at("state") != "evaluated") ++not_evaluated;
  });
  const bool counted_once = once && status_ok && not_evaluated == 0;
  const Memory mem = memory_of(server.pid());
  const int exit_code = server.stop();

  const double ratio_tput = fitness.calls_per_s() / ping.calls_per_s();
  const double ratio_p99 = percentile(fitness.ms, 99) / percentile(ping.ms, 99);
  Table table("HTTP concurrency: " + std::to_string(o.clients) +
                  " clients over Streamable HTTP (keep-alive), sync " + o.sync,
              {"call", "calls", "calls/s", "p50 ms", "p99 ms", "max ms", "calls/s / ping",
               "p99 / ping p99"});
  auto row = [&](const std::string& name, const Phase& p) {
    table.add({name, std::to_string(p.ms.size()), fmt(p.calls_per_s(), 0),
               fmt(percentile(p.ms, 50)), fmt(percentile(p.ms, 99)),
               fmt(summarize(p.ms).at("max").get<double>()),
               fmt(p.calls_per_s() / ping.calls_per_s(), 2),
               fmt(percentile(p.ms, 99) / percentile(ping.ms, 99), 2)});
  };
  row("ping (baseline)", ping);
  row("evo_step fitness_ready", fitness);
  row("evo_step code_ready", code);
  table.print();
  std::cout << "fitness_ready: " << fmt(fitness.calls_per_s(), 0) << " calls/s (target >= 5000), "
            << fmt(ratio_tput, 2) << " x ping\n"
            << "every report counted exactly once: " << (counted_once ? "yes" : "NO") << " ("
            << total << " reports, total_evals " << before << " -> " << final_evals
            << ", replies' totals distinct and contiguous: " << (once ? "yes" : "no")
            << ", lineages not evaluated: " << not_evaluated.load() << ")\n"
            << "server exit code on SIGTERM: " << exit_code << "\n";

  if (!o.json_path.empty()) {
    write_json(
        o.json_path,
        {{"benchmark", "http"},
         {"config",
          {{"clients", o.clients},
           {"pop_size", o.pop_size},
           {"generations", o.generations},
           {"objectives", o.objectives},
           {"sync", o.sync}}},
         {"ping", {{"calls_per_s", ping.calls_per_s()}, {"ms", summarize(ping.ms)}}},
         {"fitness_ready", {{"calls_per_s", fitness.calls_per_s()}, {"ms", summarize(fitness.ms)}}},
         {"code_ready", {{"calls_per_s", code.calls_per_s()}, {"ms", summarize(code.ms)}}},
         {"ratio_calls_per_s", ratio_tput},
         {"ratio_p99", ratio_p99},
         {"check",
          {{"reports", total},
           {"total_evals_before", before},
           {"total_evals_after", final_evals},
           {"reply_totals_distinct_and_contiguous", once},
           {"lineages_not_evaluated", not_evaluated.load()},
           {"counted_exactly_once", counted_once}}},
         {"server_memory_kb", {{"vm_hwm", mem.vm_hwm_kb}, {"vm_rss", mem.vm_rss_kb}}},
         {"server_exit_code", exit_code},
         {"targets",
          {{"calls_per_s_ge_5000", fitness.calls_per_s() >= 5000.0},
           {"counted_exactly_once", counted_once}}}});
  }
  return counted_once ? 0 : 1;
}

}  // namespace
}  // namespace evo::bench

int main(int argc, char** argv) {
  evo::bench::Options o;
  CLI::App app{"evo-engine benchmark: 32 concurrent clients over Streamable HTTP"};
  evo::bench::add_server_option(app, o.server);
  app.add_option("--clients", o.clients, "Concurrent clients (each its own session)")
      ->check(CLI::Range(1, 60));
  app.add_option("--pop-size", o.pop_size, "Items per generation")->check(CLI::Range(1, 10000));
  app.add_option("--generations", o.generations, "Generations reported")->check(CLI::Range(1, 100));
  evo::bench::add_objectives_option(app, o.objectives);
  evo::bench::add_sync_option(app, o.sync);
  evo::bench::add_json_option(app, o.json_path);
  CLI11_PARSE(app, argc, argv);
  return evo::bench::run(o);
}
