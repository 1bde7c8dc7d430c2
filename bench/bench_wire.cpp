// Benchmark 3: over the wire. A real client talks to a real `evo-engine serve --stdio` child:
// the round trip of evo_step fitness_ready against a floor, ping on the same server, with the
// two interleaved call by call so drift on a noisy machine hits both alike.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "bench/bench_common.h"
#include "bench/scripted_run.h"

namespace evo::bench {
namespace {

struct Options {
  std::string server = server_binary();
  int calls = 1000;
  int objectives = 3;
  std::string sync = "normal";
  std::string json_path;
  int gap_us = 0;
};

int run(const Options& o) {
  TempDir data("evo-bench-wire");
  TempDir repo("evo-bench-repo");
  StdioServer server({o.server, "serve", "--stdio", "--data-dir", data.path().string(),
                      "--log-level", "warn", "--sync", o.sync},
                     (data.path() / "server.log").string());
  server.handshake();

  // One generation of `calls` items, each coded (auto-approved: policy off) before timing.
  ScriptOptions so;
  so.objectives = o.objectives;
  so.evals = o.calls + 1;
  so.pop_size = o.calls;
  so.synergy_interval = 100000;
  FitnessSource source(o.objectives, 99);
  setup_run(server.caller(), so, repo.path().string(), source);
  const json plan = server.call_tool("evo_step", {{"phase", "begin_generation"}});
  std::vector<std::string> branches;
  std::vector<double> code_ready;
  for (const auto& item : plan.at("items")) {
    branches.push_back(item.at("branch").get<std::string>());
    server.call_tool("evo_step", {{"phase", "code_ready"}, {"branch", branches.back()}});
    code_ready.push_back(server.last_round_trip_ms());
  }
  for (int i = 0; i < 100; ++i) server.request("ping");  // warm-up

  std::vector<double> ping;
  std::vector<double> fitness;
  const double cpu_before = cpu_seconds_of(server.pid());
  const auto wall_before = std::chrono::steady_clock::now();
  for (const auto& branch : branches) {
    if (o.gap_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(o.gap_us));
    server.request("ping");
    ping.push_back(server.last_round_trip_ms());
    const auto values = source.next();
    server.call_tool("evo_step", {{"phase", "fitness_ready"},
                                  {"branch", branch},
                                  {"success", true},
                                  {"fitness_values", values},
                                  {"raw_output", "bench: " + json(values).dump()}});
    fitness.push_back(server.last_round_trip_ms());
    if (o.gap_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(o.gap_us));
  }
  // The server's CPU time over the timed loop, per call (ping and fitness_ready alike): a server
  // that busy-polls for lower latency pays for it here.
  const double cpu_s = cpu_seconds_of(server.pid()) - cpu_before;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double calls = static_cast<double>(ping.size() + fitness.size());
  const Memory mem = memory_of(server.pid());
  server.close();

  const double ping_p50 = percentile(ping, 50);
  const double fit_p50 = percentile(fitness, 50);
  const double ratio = fit_p50 / ping_p50;
  Table table("over the wire: stdio round trips through a real client, sync " + o.sync,
              {"call", "calls", "p50 ms", "p99 ms", "max ms", "p50 / ping p50"});
  auto row = [&](const std::string& name, const std::vector<double>& v) {
    table.add({name, std::to_string(v.size()), fmt(percentile(v, 50)), fmt(percentile(v, 99)),
               fmt(summarize(v).at("max").get<double>()), fmt(percentile(v, 50) / ping_p50, 2)});
  };
  row("ping (floor)", ping);
  row("evo_step fitness_ready", fitness);
  row("evo_step code_ready", code_ready);
  table.print();
  std::cout << "ratio fitness_ready / ping (p50): " << fmt(ratio, 2) << " (target <= 3)\n";
  std::cout << "server CPU over the timed calls: " << fmt(cpu_s * 1000.0 / calls, 3)
            << " ms per call, " << fmt(100.0 * cpu_s / wall_s, 1) << "% of one core\n";

  if (!o.json_path.empty()) {
    write_json(o.json_path,
               {{"benchmark", "wire"},
                {"config",
                 {{"calls", o.calls},
                  {"objectives", o.objectives},
                  {"sync", o.sync},
                  {"gap_us", o.gap_us}}},
                {"ping_ms", summarize(ping)},
                {"fitness_ready_ms", summarize(fitness)},
                {"code_ready_ms", summarize(code_ready)},
                {"ratio_p50", ratio},
                {"server_cpu_ms_per_call", cpu_s * 1000.0 / calls},
                {"server_cpu_share_of_core", cpu_s / wall_s},
                {"server_memory_kb", {{"vm_hwm", mem.vm_hwm_kb}, {"vm_rss", mem.vm_rss_kb}}},
                {"targets", {{"ratio_le_3", ratio <= 3.0}}}});
  }
  return 0;
}

}  // namespace
}  // namespace evo::bench

int main(int argc, char** argv) {
  evo::bench::Options o;
  CLI::App app{"evo-engine benchmark: stdio round trip of fitness_ready against ping"};
  evo::bench::add_server_option(app, o.server);
  app.add_option("--calls", o.calls, "Timed calls of each kind (<= 10000)")
      ->check(CLI::Range(1, 10000));
  evo::bench::add_objectives_option(app, o.objectives);
  evo::bench::add_sync_option(app, o.sync);
  app.add_option("--gap-us", o.gap_us,
                 "Pause before each call, as an agent's calls are spaced (0: back to back)")
      ->check(CLI::Range(0, 1000000));
  evo::bench::add_json_option(app, o.json_path);
  CLI11_PARSE(app, argc, argv);
  return evo::bench::run(o);
}
