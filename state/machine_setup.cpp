// Run set-up: init (with the config rules, validate_config), register_targets and report_seed.
// Called by handle() (machine.cpp); the helpers are in machine_internal.h.
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "core/validate.h"
#include "state/machine_internal.h"
#include "state/replies.h"

namespace evo::state::detail {

using nlohmann::json;

namespace {

Status validate_config(const Config& c) {
  if (c.objectives.empty())
    return invalid("argument 'objectives': must hold at least one objective");
  std::set<std::string> names;
  for (std::size_t i = 0; i < c.objectives.size(); ++i) {
    const auto& name = c.objectives[i].name;
    if (name.empty()) {
      return invalid("argument 'objectives[" + std::to_string(i) + "].name': must not be empty");
    }
    if (!names.insert(name).second) {
      return invalid("argument 'objectives[" + std::to_string(i) + "].name': '" + name +
                     "' is used twice; objective names must be unique");
    }
  }
  if (c.benchmark_cmd.empty()) return invalid("argument 'benchmark_cmd': must not be empty");
  if (c.max_fe < 1) return invalid("argument 'max_fe': must be at least 1");
  if (c.pop_size < 1) return invalid("argument 'pop_size': must be at least 1");
  if (c.top_k_survive < 1) return invalid("argument 'top_k_survive': must be at least 1");
  if (c.parallel_workers < 1) {
    return invalid("argument 'parallel_workers': must be at least 1");
  }
  if (c.synergy_interval < 1) return invalid("argument 'synergy_interval': must be at least 1");
  auto rate_ok = [](double r) { return std::isfinite(r) && r >= 0.0 && r <= 1.0; };
  if (!rate_ok(c.mutation_rate)) return invalid("argument 'mutation_rate': must be in [0, 1]");
  if (!rate_ok(c.structural_rate)) return invalid("argument 'structural_rate': must be in [0, 1]");
  if (c.max_generations && *c.max_generations < 1) {
    return invalid("argument 'max_generations': must be at least 1");
  }
  if (c.max_wall_time_s && !(std::isfinite(*c.max_wall_time_s) && *c.max_wall_time_s > 0)) {
    return invalid("argument 'max_wall_time_s': must be a positive number of seconds");
  }
  if (c.stagnation_generations && *c.stagnation_generations < 1) {
    return invalid("argument 'stagnation_generations': must be at least 1");
  }
  if (c.target_fitness) {
    if (c.target_fitness->size() != c.objectives.size()) {
      return invalid("argument 'target_fitness': must hold one value per objective (" +
                     std::to_string(c.objectives.size()) + "), got " +
                     std::to_string(c.target_fitness->size()));
    }
    for (double v : *c.target_fitness) {
      if (!std::isfinite(v)) return invalid("argument 'target_fitness': values must be finite");
    }
  }
  return {};
}

}  // namespace

Result<Transition> on_init(State& s, const InitCmd& c) {
  if (!s.run_id.empty()) return conflict("run " + s.run_id + " is already initialized");
  if (!is_valid_target_id(c.run_id))
    return invalid("run id '" + c.run_id + "' " + target_id_rule());
  EVO_TRY(validate_config(c.config));
  auto t = commit(s, {RunInitialized{c.run_id, c.config, c.now_ms, c.seed_commit}});
  t.reply = init_reply(s);
  return t;
}

Result<Transition> on_register_targets(State& s, const RegisterTargetsCmd& c) {
  if (s.phase == RunPhase::kDone) return run_finished_error(s);
  if (c.targets.empty()) return invalid("argument 'targets': must hold at least one target");
  std::set<std::string> seen;
  std::vector<TargetSpec> fresh;
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    const auto& t = c.targets[i];
    const std::string at = "argument 'targets[" + std::to_string(i) + "]";
    if (!is_valid_target_id(t.id)) return invalid(at + ".id': '" + t.id + "' " + target_id_rule());
    if (auto p = relative_path_problem(t.file); !p.empty()) return invalid(at + ".file': " + p);
    if (t.function.empty()) return invalid(at + ".function': must not be empty");
    for (char ch : t.function) {
      if (static_cast<unsigned char>(ch) < 0x20) {
        return invalid(at + ".function': must not contain control characters");
      }
    }
    if (!seen.insert(t.id).second) return invalid(at + ".id': '" + t.id + "' appears twice");
    for (const auto& parent : t.derived_from) {
      if (s.target(parent) == nullptr && seen.count(parent) == 0) {
        return invalid(at + ".derived_from': unknown target '" + parent + "'");
      }
    }
    if (const Target* existing = s.target(t.id)) {
      if (existing->file != t.file || existing->function != t.function) {
        return conflict(at + "': target '" + t.id + "' is already registered as " + existing->file +
                        ":" + existing->function);
      }
      continue;
    }
    fresh.push_back(t);
  }
  Transition t;
  if (!fresh.empty()) t = commit(s, {TargetsRegistered{fresh}});
  t.reply = targets_registered_reply(s, c.targets);
  return t;
}

Result<Transition> on_report_seed(State& s, const ReportSeedCmd& c) {
  if (s.phase == RunPhase::kDone) return run_finished_error(s);
  EVO_TRY(validate_fitness(s, c.fitness, "fitness_values"));
  Transition t;
  if (auto seed = s.seed_obj()) {
    if (*seed != c.fitness) {
      return conflict("the seed fitness is already recorded as " + json(*seed).dump() +
                      "; a different value cannot replace it");
    }
  } else {
    t = commit(s, {SeedReported{c.fitness}});
  }
  t.reply = seed_reply(s);
  return t;
}

}  // namespace evo::state::detail
