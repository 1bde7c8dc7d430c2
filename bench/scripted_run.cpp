// The scripted run. See scripted_run.h.
#include "bench/scripted_run.h"

#include <iostream>

#include "core/rng.h"

namespace evo::bench {

json init_args(const ScriptOptions& o, const std::string& repo_path) {
  json objectives = json::array({{{"name", "time"}, {"direction", "min"}}});
  if (o.objectives >= 3) {
    objectives.push_back({{"name", "throughput"}, {"direction", "max"}});
    objectives.push_back({{"name", "memory"}, {"direction", "min"}});
  }
  return {{"repo_path", repo_path},
          {"benchmark_cmd", "./bench.sh"},
          {"objectives", objectives},
          {"max_fe", o.evals},
          {"pop_size", o.pop_size},
          {"top_k_survive", o.top_k},
          {"synergy_interval", o.synergy_interval},
          {"policy_mode", "off"},
          {"seed", o.seed}};
}

FitnessSource::FitnessSource(int objectives, std::uint64_t seed)
    : objectives_(objectives), state_(seed) {}

std::vector<double> FitnessSource::next() {
  std::vector<double> f;
  for (int k = 0; k < objectives_; ++k) {
    // 53 random bits -> [0, 1), scaled to plausible magnitudes (ms, ops/s, MiB).
    const double u = static_cast<double>(splitmix64(state_) >> 11) * 0x1.0p-53;
    f.push_back(k == 0 ? 10.0 + 90.0 * u : k == 1 ? 1000.0 + 9000.0 * u : 50.0 + 50.0 * u);
  }
  return f;
}

std::string setup_run(const ToolCall& call, const ScriptOptions& o, const std::string& repo_path,
                      FitnessSource& source) {
  const json init = call("evo_init", init_args(o, repo_path));
  json targets = json::array();
  for (int t = 0; t < o.targets; ++t) {
    targets.push_back({{"id", "t" + std::to_string(t)},
                       {"file", "src/module_" + std::to_string(t) + ".cpp"},
                       {"function", "hot_function_" + std::to_string(t)}});
  }
  call("evo_register_targets", {{"targets", targets}});
  call("evo_report_seed", {{"fitness_values", source.next()}});
  return init.at("run_id").get<std::string>();
}

ScriptResult run_script(ToolDriver& tools, const ScriptOptions& o, const std::string& repo_path) {
  ScriptResult r;
  // Sized up front: their growth would otherwise count in the run's peak memory.
  r.fitness_ready.reserve(static_cast<std::size_t>(o.evals));
  r.code_ready.reserve(static_cast<std::size_t>(o.evals));
  const auto start = Clock::now();
  FitnessSource source(o.objectives, o.seed * 7919 + 17);

  r.run_id = setup_run(tools.caller(), o, repo_path, source);
  r.setup_ms = ms_since(start);

  auto timed = [&](const json& args, std::vector<CallSample>& into) {
    const auto t0 = Clock::now();
    json reply = tools.call("evo_step", args);
    const double ms = ms_since(t0);
    into.push_back({r.total_evals, ms});
    return reply;
  };

  std::uint64_t next_progress = 10000;
  json reply = timed({{"phase", "begin_generation"}}, r.plan);
  while (reply.at("action") == "dispatch_workers") {
    for (const auto& item : reply.at("items")) {
      const auto& branch = item.at("branch").get_ref<const std::string&>();
      timed({{"phase", "code_ready"}, {"branch", branch}}, r.code_ready);
      const auto fitness = source.next();
      const auto t0 = Clock::now();
      const json done = tools.call("evo_step", {{"phase", "fitness_ready"},
                                                {"branch", branch},
                                                {"success", true},
                                                {"fitness_values", fitness},
                                                {"raw_output", "bench: " + json(fitness).dump()}});
      const double ms = ms_since(t0);
      r.total_evals = done.at("total_evals").get<std::uint64_t>();
      r.fitness_ready.push_back({r.total_evals, ms});
      if (o.progress && r.total_evals >= next_progress) {
        std::cerr << "  " << r.total_evals << " evaluations, " << fmt(ms_since(start) / 1000.0, 1)
                  << " s\n";
        next_progress += 10000;
      }
    }
    timed({{"phase", "select"}}, r.select);
    reply = timed({{"phase", "reflect_done"}}, r.plan);
    ++r.generations;
  }
  if (reply.at("action") != "done") fail("the scripted run ended on " + reply.dump());
  r.total_ms = ms_since(start);
  return r;
}

std::vector<double> window(const std::vector<CallSample>& samples, std::uint64_t mark,
                           std::uint64_t width) {
  std::vector<double> out;
  for (const auto& s : samples) {
    if (s.evals <= mark && s.evals + width > mark) out.push_back(s.ms);
  }
  return out;
}

std::vector<double> all_ms(const std::vector<CallSample>& samples) {
  std::vector<double> out;
  out.reserve(samples.size());
  for (const auto& s : samples) out.push_back(s.ms);
  return out;
}

}  // namespace evo::bench
