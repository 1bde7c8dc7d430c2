// Benchmark 2: select with 10k active individuals x 3 objectives. The run keeps 2500
// survivors per target over 4 targets; each generation brings 10k new evaluations, so every
// measured select ranks 10k survivors plus 10k offspring. Timed twice: the whole evo_step
// select tool call (state machine, event serialization, SQLite commit), and the state machine
// alone (state::handle on a copy of the state), which says where the time goes.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bench/bench_common.h"
#include "bench/scripted_run.h"
#include "state/events.h"
#include "state/machine.h"
#include "wire/replies.h"

namespace evo::bench {
namespace {

struct Options {
  int active = 10000;
  int targets = 4;
  int generations = 4;  // measured selects, after the one that fills the population
  int objectives = 3;
  std::string json_path;
};

int run(const Options& o) {
  TempDir data("evo-bench-select");
  TempDir repo("evo-bench-repo");
  engine::EngineOptions eo;
  eo.data_dir = data.path().string();
  auto engine = engine::Engine::open(eo, quiet_logger());
  if (!engine) fail("engine: " + engine.error().message);
  ToolDriver tools(**engine);

  ScriptOptions so;
  so.objectives = o.objectives;
  so.targets = o.targets;
  so.pop_size = o.active;
  so.top_k = o.active / o.targets;
  so.evals = o.active * (o.generations + 1) + 1;
  so.synergy_interval = 100000;
  FitnessSource source(o.objectives, 4242);
  setup_run(tools.caller(), so, repo.path().string(), source);

  std::vector<double> tool_ms;
  std::vector<double> machine_ms;
  std::vector<double> event_ms;
  std::vector<double> tree_ms;
  std::size_t event_bytes = 0;
  std::size_t reply_bytes = 0;
  std::vector<std::size_t> active_before;
  std::vector<std::size_t> candidates;
  std::cerr << "select: filling " << o.active << " active individuals per generation\n";
  json reply = tools.call("evo_step", {{"phase", "begin_generation"}});
  for (int gen = 0; gen <= o.generations; ++gen) {
    if (reply.at("action") != "dispatch_workers") fail("run ended early: " + reply.dump());
    for (const auto& item : reply.at("items")) {
      const auto& branch = item.at("branch").get_ref<const std::string&>();
      tools.call("evo_step", {{"phase", "code_ready"}, {"branch", branch}});
      tools.call(
          "evo_step",
          {{"phase", "fitness_ready"}, {"branch", branch}, {"fitness_values", source.next()}});
    }
    if (gen > 0) {
      // The state machine alone, on copies of the state as it stands before select.
      state::State before;
      auto copied = (*engine)->read(std::nullopt, [&](const state::State& s) -> Result<json> {
        before = s;
        return json();
      });
      if (!copied) fail("read: " + copied.error().message);
      std::size_t active = 0;
      for (const auto& t : before.targets) active += t.active.size();
      active_before.push_back(active);
      candidates.push_back(active + before.batch.size());
      for (int rep = 0; rep < 3; ++rep) {
        state::State copy = before;
        const auto t0 = Clock::now();
        auto t = state::handle(copy, state::SelectCmd{});
        machine_ms.push_back(ms_since(t0));
        if (!t) fail("select: " + t.error().message);
        // What the engine does next with the transition: each event to JSON text (persist),
        // and, as the baseline, the same text through a nlohmann tree.
        const auto t1 = Clock::now();
        std::size_t bytes = 0;
        for (const auto& e : t->events) bytes += state::event_text(e).size();
        event_ms.push_back(ms_since(t1));
        const auto t2 = Clock::now();
        for (const auto& e : t->events) bytes -= state::event_to_json(e).dump().size();
        tree_ms.push_back(ms_since(t2));
        if (bytes != 0) fail("event_text and nlohmann wrote texts of different sizes");
        for (const auto& e : t->events) bytes += state::event_text(e).size();
        event_bytes = bytes;
        reply_bytes = wire::to_json(t->reply).dump().size();
      }
    }
    const auto t0 = Clock::now();
    tools.call("evo_step", {{"phase", "select"}});
    const double ms = ms_since(t0);
    if (gen > 0) tool_ms.push_back(ms);
    std::cerr << "  generation " << gen << ": select " << fmt(ms, 1) << " ms\n";
    reply = tools.call("evo_step", {{"phase", "reflect_done"}});
  }

  const double p50 = percentile(tool_ms, 50);
  Table table("select: " + std::to_string(active_before.empty() ? 0 : active_before[0]) +
                  " active + " + std::to_string(o.active) + " offspring, " +
                  std::to_string(o.objectives) + " objectives, " + std::to_string(o.targets) +
                  " targets",
              {"what", "samples", "p50 ms", "max ms", "share of the tool call"});
  table.add({"evo_step select (tool call, SQLite commit)", std::to_string(tool_ms.size()), fmt(p50),
             fmt(summarize(tool_ms).at("max").get<double>()), "1.00"});
  table.add({"state::handle(SelectCmd) alone", std::to_string(machine_ms.size()),
             fmt(percentile(machine_ms, 50)), fmt(summarize(machine_ms).at("max").get<double>()),
             fmt(percentile(machine_ms, 50) / p50, 2)});
  table.add({"its events to JSON text, state::event_text (" + std::to_string(event_bytes / 1024) +
                 " KiB)",
             std::to_string(event_ms.size()), fmt(percentile(event_ms, 50)),
             fmt(summarize(event_ms).at("max").get<double>()),
             fmt(percentile(event_ms, 50) / p50, 2)});
  table.add({"the same through a nlohmann tree (baseline)", std::to_string(tree_ms.size()),
             fmt(percentile(tree_ms, 50)), fmt(summarize(tree_ms).at("max").get<double>()),
             fmt(percentile(tree_ms, 50) / p50, 2)});
  table.print();
  std::cout << "select p50: " << fmt(p50, 1) << " ms (target < 50 ms)\n";

  if (!o.json_path.empty()) {
    write_json(o.json_path, {{"benchmark", "select"},
                             {"config",
                              {{"active", o.active},
                               {"targets", o.targets},
                               {"objectives", o.objectives},
                               {"generations", o.generations}}},
                             {"active_before", active_before},
                             {"candidates", candidates},
                             {"tool_call_ms", summarize(tool_ms)},
                             {"state_machine_ms", summarize(machine_ms)},
                             {"event_text_ms", summarize(event_ms)},
                             {"event_to_json_dump_ms", summarize(tree_ms)},
                             {"event_bytes", event_bytes},
                             {"reply_bytes", reply_bytes},
                             {"targets", {{"select_under_50ms", p50 < 50.0}}}});
  }
  return 0;
}

}  // namespace
}  // namespace evo::bench

int main(int argc, char** argv) {
  evo::bench::Options o;
  CLI::App app{"evo-engine benchmark: select over 10k active individuals"};
  app.add_option("--active", o.active, "Active individuals (survivors kept over all targets)");
  app.add_option("--targets", o.targets, "Targets");
  app.add_option("--generations", o.generations, "Measured selects");
  evo::bench::add_objectives_option(app, o.objectives);
  evo::bench::add_json_option(app, o.json_path);
  CLI11_PARSE(app, argc, argv);
  return evo::bench::run(o);
}
