// The scripted run: a whole evolution driven in-process through the tool handlers (evo_init,
// evo_register_targets, evo_report_seed, evo_step), as an orchestrator and its workers would
// drive it, with every call timed. policy_mode is "off", so no git repository is read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_common.h"

namespace evo::bench {

struct ScriptOptions {
  int objectives = 1;  // 1: [time min]; 3: [time min, throughput max, memory min]
  int evals = 100000;  // max_fe: the run ends when the budget is spent
  int pop_size = 250;
  int top_k = 5;
  int targets = 4;
  int synergy_interval = 3;
  std::uint64_t seed = 1;
  bool progress = true;  // a line on stderr every 10k evaluations
};

// One timed call and the run's size when it returned (total_evals of the reply).
struct CallSample {
  std::uint64_t evals = 0;
  double ms = 0.0;
};

struct ScriptResult {
  std::string run_id;
  std::vector<CallSample> fitness_ready;
  std::vector<CallSample> code_ready;
  std::vector<CallSample> select;
  std::vector<CallSample> plan;  // begin_generation and reflect_done (which plans)
  double setup_ms = 0.0;         // init, targets, seed
  double total_ms = 0.0;         // the whole scripted run, setup included
  int generations = 0;
  std::uint64_t total_evals = 0;
};

// The evo_init arguments of the scripted run (repo_path must be an existing directory).
json init_args(const ScriptOptions& options, const std::string& repo_path);

// Deterministic benchmark results: uniform values per objective from our own PRNG.
class FitnessSource {
 public:
  FitnessSource(int objectives, std::uint64_t seed);
  std::vector<double> next();

 private:
  int objectives_;
  std::uint64_t state_;
};

// evo_init, evo_register_targets (options.targets of them) and evo_report_seed (from `source`):
// a run ready for its first begin_generation. Returns the run id.
std::string setup_run(const ToolCall& call, const ScriptOptions& options,
                      const std::string& repo_path, FitnessSource& source);

// Plays generations until the run reports done, timing every call.
ScriptResult run_script(ToolDriver& tools, const ScriptOptions& options,
                        const std::string& repo_path);

// Samples whose evals fall in (mark - window, mark], in milliseconds.
std::vector<double> window(const std::vector<CallSample>& samples, std::uint64_t mark,
                           std::uint64_t width);

std::vector<double> all_ms(const std::vector<CallSample>& samples);

}  // namespace evo::bench
