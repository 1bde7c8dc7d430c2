// Benchmarks 1 and 4: per-report cost as the run grows, and memory. A scripted run drives the
// engine in-process through the tool handlers with SQLite durability on; fitness_ready is timed
// at every call and summarized around 1k, 10k and 100k evaluations. The same run gives the
// peak RSS. A bare SQLite commit of one event, measured in the same process, is the floor.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bench/bench_common.h"
#include "bench/scripted_run.h"
#include "state/events.h"
#include "store/store.h"

namespace evo::bench {
namespace {

struct Options {
  ScriptOptions script;
  std::string sync = "normal";
  std::uint64_t snapshot_every = 0;  // 0: the engine's default
  std::vector<std::uint64_t> marks{1000, 10000, 100000};
  std::uint64_t window = 500;
  int floor_samples = 1000;
  std::string data_dir;  // keep the store here (for the recovery benchmark)
  std::string json_path;
  bool verify = false;
};

// The durability floor: one event row appended and committed by a bare Store, no state work.
std::vector<double> commit_floor(store::SyncMode sync, int samples) {
  TempDir dir("evo-bench-floor");
  auto st = store::Store::open(dir.path().string(), sync);
  if (!st) fail("floor store: " + st.error().message);
  auto& s = **st;
  const std::string data =
      R"({"branch":"gen-12/t1/mutate-3","fitness":[42.5,5000.25,75.125],"raw_output":)"
      R"("bench: [42.5,5000.25,75.125]","reason":"","success":true})";
  std::vector<double> out;
  for (int i = 1; i <= samples; ++i) {
    const auto t0 = Clock::now();
    auto tx = s.write();
    if (!tx) fail("floor: begin");
    if (!s.append_event("floor-run", static_cast<std::uint64_t>(i), "fitness_reported", data)
             .ok()) {
      fail("floor: append");
    }
    if (!tx->commit().ok()) fail("floor: commit");
    out.push_back(ms_since(t0));
  }
  return out;
}

// A restarted engine (snapshot plus the events after it) must hold exactly the live state.
void verify_recovery(engine::Engine& live, const engine::EngineOptions& options) {
  auto restarted = engine::Engine::open(options, quiet_logger());
  if (!restarted) fail("verify: " + restarted.error().message);
  auto dump = [](engine::Engine& e) {
    json out;
    auto r = e.read(std::nullopt, [&](const state::State& s) -> Result<json> {
      out = state::state_to_json(s);
      return json();
    });
    if (!r) fail("verify: " + r.error().message);
    return out;
  };
  if (dump(live) != dump(**restarted))
    fail("verify: the recovered state differs from the live one");
  std::cerr << "verify: the recovered state equals the live one\n";
}

int run(const Options& o) {
  std::unique_ptr<TempDir> temp;
  std::filesystem::path data_dir;
  if (o.data_dir.empty()) {
    temp = std::make_unique<TempDir>("evo-bench-report");
    data_dir = temp->path();
  } else {
    data_dir = o.data_dir;
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  TempDir repo("evo-bench-repo");  // evo_init wants an existing directory; git is never read

  engine::EngineOptions eo;
  eo.data_dir = data_dir.string();
  eo.sync = o.sync == "full" ? store::SyncMode::kFull : store::SyncMode::kNormal;
  if (o.snapshot_every != 0) eo.snapshot_every = o.snapshot_every;
  auto engine = engine::Engine::open(eo, quiet_logger());
  if (!engine) fail("engine: " + engine.error().message);
  ToolDriver tools(**engine);

  std::cerr << "report: " << o.script.evals << " evaluations, " << o.script.objectives
            << " objective(s), sync " << o.sync << "\n";
  const ScriptResult r = run_script(tools, o.script, repo.path().string());
  const Memory mem = memory_of_self();
  if (o.verify) verify_recovery(**engine, eo);
  const auto floor = commit_floor(eo.sync, o.floor_samples);
  const double floor_p50 = percentile(floor, 50);

  Table table(
      "per-report cost: fitness_ready through the tool handler, " +
          std::to_string(o.script.objectives) + " objective(s), " +
          std::to_string(o.script.targets) + " targets, sync " + o.sync,
      {"at evals", "calls", "p50 ms", "p99 ms", "max ms", "p50 / p50@first", "p50 / commit floor"});
  json marks = json::array();
  double first_p50 = 0.0;
  double last_p50 = 0.0;
  for (const auto mark : o.marks) {
    if (mark > r.total_evals) continue;
    const auto fr = window(r.fitness_ready, mark, o.window);
    const auto cr = window(r.code_ready, mark, o.window);
    const double p50 = percentile(fr, 50);
    if (first_p50 == 0.0) first_p50 = p50;
    last_p50 = p50;
    table.add({std::to_string(mark), std::to_string(fr.size()), fmt(p50), fmt(percentile(fr, 99)),
               fmt(summarize(fr).at("max").get<double>()), fmt(p50 / first_p50, 2),
               fmt(p50 / floor_p50, 2)});
    marks.push_back(
        {{"mark", mark}, {"fitness_ready_ms", summarize(fr)}, {"code_ready_ms", summarize(cr)}});
  }
  table.print();

  auto sum = [](const std::vector<CallSample>& v) {
    double t = 0;
    for (const auto& s : v) t += s.ms;
    return t;
  };
  const double fr_total = sum(r.fitness_ready);
  const auto db_bytes = directory_bytes(data_dir);
  Table run_table("the whole scripted run", {"figure", "value"});
  run_table.add({"evaluations", std::to_string(r.total_evals)});
  run_table.add({"generations (each: plan + select)", std::to_string(r.generations)});
  run_table.add({"total s", fmt(r.total_ms / 1000.0, 2)});
  run_table.add({"  in fitness_ready s", fmt(fr_total / 1000.0, 2)});
  run_table.add({"  in code_ready s", fmt(sum(r.code_ready) / 1000.0, 2)});
  run_table.add({"  in select s", fmt(sum(r.select) / 1000.0, 2)});
  run_table.add({"  in begin_generation/reflect_done s", fmt(sum(r.plan) / 1000.0, 2)});
  run_table.add(
      {"select p50 / max ms", fmt(percentile(all_ms(r.select), 50)) + " / " +
                                  fmt(summarize(all_ms(r.select)).at("max").get<double>())});
  run_table.add({"commit floor p50 / p99 ms", fmt(floor_p50) + " / " + fmt(percentile(floor, 99))});
  run_table.add({"store on disk MiB", fmt(static_cast<double>(db_bytes) / 1048576.0, 1)});
  run_table.add({"peak RSS MiB (ru_maxrss)", fmt(static_cast<double>(mem.max_rss_kb) / 1024.0, 1)});
  run_table.add({"peak RSS MiB (VmHWM)", fmt(static_cast<double>(mem.vm_hwm_kb) / 1024.0, 1)});
  run_table.add({"RSS at end MiB (VmRSS)", fmt(static_cast<double>(mem.vm_rss_kb) / 1024.0, 1)});
  run_table.print();

  const double ratio = first_p50 > 0.0 ? last_p50 / first_p50 : 0.0;
  json doc{{"benchmark", "report"},
           {"config",
            {{"objectives", o.script.objectives},
             {"evals", o.script.evals},
             {"pop_size", o.script.pop_size},
             {"top_k_survive", o.script.top_k},
             {"targets", o.script.targets},
             {"sync", o.sync},
             {"snapshot_every", eo.snapshot_every},
             {"window", o.window}}},
           {"marks", marks},
           {"p50_last_over_first", ratio},
           {"total_s", r.total_ms / 1000.0},
           {"phases_s",
            {{"setup", r.setup_ms / 1000.0},
             {"fitness_ready", fr_total / 1000.0},
             {"code_ready", sum(r.code_ready) / 1000.0},
             {"select", sum(r.select) / 1000.0},
             {"plan", sum(r.plan) / 1000.0}}},
           {"select_ms", summarize(all_ms(r.select))},
           {"plan_ms", summarize(all_ms(r.plan))},
           {"fitness_ready_ms_all", summarize(all_ms(r.fitness_ready))},
           {"generations", r.generations},
           {"total_evals", r.total_evals},
           {"commit_floor_ms", summarize(floor)},
           {"store_bytes", db_bytes},
           {"memory_kb",
            {{"ru_maxrss", mem.max_rss_kb}, {"vm_hwm", mem.vm_hwm_kb}, {"vm_rss", mem.vm_rss_kb}}},
           {"data_dir", o.data_dir.empty() ? json(nullptr) : json(data_dir.string())}};
  if (r.total_evals >= 100000) {
    const double p50 = last_p50;
    doc["targets"] = {{"p50_at_100k_le_0.2ms", p50 <= 0.2},
                      {"p50_ratio_le_1.5", ratio <= 1.5},
                      {"run_under_60s", r.total_ms < 60000.0},
                      {"peak_rss_under_100MiB", mem.vm_hwm_kb < 100 * 1024}};
  }
  if (!o.json_path.empty()) write_json(o.json_path, doc);
  return 0;
}

}  // namespace
}  // namespace evo::bench

int main(int argc, char** argv) {
  evo::bench::Options o;
  CLI::App app{"evo-engine benchmark: per-report cost as the run grows, and peak memory"};
  evo::bench::add_objectives_option(app, o.script.objectives);
  app.add_option("--evals", o.script.evals, "Evaluations (max_fe)");
  app.add_option("--pop-size", o.script.pop_size, "Items per generation");
  app.add_option("--top-k", o.script.top_k, "top_k_survive");
  app.add_option("--targets", o.script.targets, "Targets");
  evo::bench::add_sync_option(app, o.sync);
  app.add_option("--snapshot-every", o.snapshot_every, "Events between snapshots (0: default)");
  app.add_option("--marks", o.marks, "Evaluation counts to summarize at")->delimiter(',');
  app.add_option("--window", o.window, "Calls summarized at each mark");
  app.add_option("--floor-samples", o.floor_samples, "Bare commits timed for the floor");
  app.add_option("--data-dir", o.data_dir, "Keep the store here (emptied first)");
  evo::bench::add_json_option(app, o.json_path);
  app.add_flag(
      "--verify", o.verify,
      "After the run, check that a restarted engine recovers the same state (memory-heavy)");
  bool quiet = false;
  app.add_flag("--quiet", quiet, "No progress lines");
  CLI11_PARSE(app, argc, argv);
  o.script.progress = !quiet;
  return evo::bench::run(o);
}
