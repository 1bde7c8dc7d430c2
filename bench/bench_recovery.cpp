// Benchmark 6 (and the server half of 4): recovery. On a store holding a 100k-evaluation run,
// time a restart until the first evo_get_status answers: in-process (Engine::open, then the
// tool handler) and as a real `evo-engine serve --stdio` child (spawn, initialize, tools/call).
// The child's resident memory after loading the run is read from /proc.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bench/bench_common.h"
#include "bench/scripted_run.h"
#include "store/store.h"

namespace evo::bench {
namespace {

struct Options {
  std::string data_dir;  // an existing store (bench_report --data-dir); built when empty
  std::string server = server_binary();
  int evals = 100000;
  int objectives = 3;
  int repeats = 5;
  bool skip_server = false;
  std::string json_path;
};

struct StoreFacts {
  std::string run_id;
  std::uint64_t last_seq = 0;
  std::uint64_t snapshot_seq = 0;
  std::size_t snapshot_bytes = 0;
};

StoreFacts inspect(const std::string& dir) {
  auto st = store::Store::open(dir, store::SyncMode::kNormal);
  if (!st) fail("store: " + st.error().message);
  StoreFacts f;
  auto latest = (*st)->latest_run();
  if (!latest || !*latest) fail("the store at " + dir + " holds no run");
  f.run_id = **latest;
  auto seq = (*st)->last_seq(f.run_id);
  if (seq) f.last_seq = *seq;
  auto snap = (*st)->latest_snapshot(f.run_id);
  if (snap && *snap) {
    f.snapshot_seq = (*snap)->first;
    f.snapshot_bytes = (*snap)->second.size();
  }
  return f;
}

int run(const Options& o) {
  std::unique_ptr<TempDir> temp;
  std::string dir = o.data_dir;
  if (dir.empty()) {
    temp = std::make_unique<TempDir>("evo-bench-recovery");
    dir = temp->path().string();
    TempDir repo("evo-bench-repo");
    engine::EngineOptions eo;
    eo.data_dir = dir;
    auto engine = engine::Engine::open(eo, quiet_logger());
    if (!engine) fail("engine: " + engine.error().message);
    ToolDriver tools(**engine);
    ScriptOptions so;
    so.objectives = o.objectives;
    so.evals = o.evals;
    std::cerr << "recovery: building a " << o.evals << "-evaluation store\n";
    run_script(tools, so, repo.path().string());
  }
  // In-process: a fresh Engine each time, as a restarted server would have.
  std::vector<double> open_ms;
  std::vector<double> status_ms;
  std::vector<double> total_ms;
  std::uint64_t evals = 0;
  Memory after_load;
  for (int i = 0; i < o.repeats; ++i) {
    const auto t0 = Clock::now();
    engine::EngineOptions eo;
    eo.data_dir = dir;
    auto engine = engine::Engine::open(eo, quiet_logger());
    if (!engine) fail("engine: " + engine.error().message);
    ToolDriver tools(**engine);
    open_ms.push_back(ms_since(t0));
    const auto t1 = Clock::now();
    const json status = tools.call("evo_get_status", json::object());
    status_ms.push_back(ms_since(t1));
    total_ms.push_back(ms_since(t0));
    evals = status.at("total_evals").get<std::uint64_t>();
    if (i == 0) after_load = memory_of_self();
  }

  // A real server process: spawn to the first status reply.
  std::vector<double> spawn_init_ms;
  std::vector<double> spawn_status_ms;
  Memory server_mem;
  for (int i = 0; i < o.repeats && !o.skip_server; ++i) {
    const auto t0 = Clock::now();
    StdioServer server({o.server, "serve", "--stdio", "--data-dir", dir, "--log-level", "warn"},
                       "/dev/null");
    server.handshake();
    spawn_init_ms.push_back(ms_since(t0));
    const json status = server.call_tool("evo_get_status", json::object());
    spawn_status_ms.push_back(ms_since(t0));
    if (status.at("total_evals").get<std::uint64_t>() != evals) fail("status disagrees");
    server_mem = memory_of(server.pid());
    server.close();
  }

  // Read after the timed loads, so the snapshot text read here does not count in their memory.
  const StoreFacts facts = inspect(dir);
  const auto db_bytes = directory_bytes(dir);

  Table table("recovery: restart on a store holding " + std::to_string(evals) + " evaluations",
              {"what", "repeats", "p50 ms", "max ms"});
  auto row = [&](const std::string& name, const std::vector<double>& v) {
    table.add({name, std::to_string(v.size()), fmt(percentile(v, 50), 1),
               fmt(summarize(v).at("max").get<double>(), 1)});
  };
  row("in-process: Engine::open + registry", open_ms);
  row("in-process: first evo_get_status (loads the run)", status_ms);
  row("in-process: total until the status answers", total_ms);
  row("server process: spawn until initialize answers (floor)", spawn_init_ms);
  row("server process: spawn until evo_get_status answers", spawn_status_ms);
  table.print();

  Table facts_table("store and memory after loading", {"figure", "value"});
  facts_table.add({"events in the log", std::to_string(facts.last_seq)});
  facts_table.add({"latest snapshot at event", std::to_string(facts.snapshot_seq)});
  facts_table.add(
      {"events replayed after it", std::to_string(facts.last_seq - facts.snapshot_seq)});
  facts_table.add({"snapshot MiB", fmt(static_cast<double>(facts.snapshot_bytes) / 1048576.0, 1)});
  facts_table.add({"store on disk MiB", fmt(static_cast<double>(db_bytes) / 1048576.0, 1)});
  facts_table.add({"in-process RSS after the first load MiB (VmHWM)",
                   fmt(static_cast<double>(after_load.vm_hwm_kb) / 1024.0, 1)});
  facts_table.add({"server process after loading MiB (VmHWM)",
                   fmt(static_cast<double>(server_mem.vm_hwm_kb) / 1024.0, 1)});
  facts_table.add({"server process after loading MiB (VmRSS)",
                   fmt(static_cast<double>(server_mem.vm_rss_kb) / 1024.0, 1)});
  facts_table.print();
  const double p50 = percentile(spawn_status_ms, 50);
  std::cout << "restart until evo_get_status answers (server process, p50): " << fmt(p50, 1)
            << " ms (target < 1000 ms)\n";

  if (!o.json_path.empty()) {
    write_json(
        o.json_path,
        {{"benchmark", "recovery"},
         {"evals", evals},
         {"store",
          {{"events", facts.last_seq},
           {"snapshot_seq", facts.snapshot_seq},
           {"snapshot_bytes", facts.snapshot_bytes},
           {"bytes", db_bytes}}},
         {"in_process_ms",
          {{"open", summarize(open_ms)},
           {"first_status", summarize(status_ms)},
           {"total", summarize(total_ms)}}},
         {"server_ms",
          {{"initialize", summarize(spawn_init_ms)}, {"first_status", summarize(spawn_status_ms)}}},
         {"memory_kb",
          {{"in_process_after_load_vm_hwm", after_load.vm_hwm_kb},
           {"server_after_load_vm_hwm", server_mem.vm_hwm_kb},
           {"server_after_load_vm_rss", server_mem.vm_rss_kb}}},
         {"targets",
          {{"restart_under_1s", p50 < 1000.0},
           {"server_rss_under_100MiB", server_mem.vm_hwm_kb < 100 * 1024}}}});
  }
  return 0;
}

}  // namespace
}  // namespace evo::bench

int main(int argc, char** argv) {
  evo::bench::Options o;
  CLI::App app{"evo-engine benchmark: restart time on a 100k-evaluation store"};
  app.add_option("--data-dir", o.data_dir, "An existing store (default: build one)");
  evo::bench::add_server_option(app, o.server);
  app.add_option("--evals", o.evals, "Evaluations of the store built when none is given");
  evo::bench::add_objectives_option(app, o.objectives, "Objectives of that store");
  app.add_option("--repeats", o.repeats, "Restarts timed");
  app.add_flag("--skip-server", o.skip_server, "Time the in-process restart only");
  evo::bench::add_json_option(app, o.json_path);
  CLI11_PARSE(app, argc, argv);
  return evo::bench::run(o);
}
