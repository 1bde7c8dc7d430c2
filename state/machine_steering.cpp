// The orchestrator's steering: freeze and boost a target, record a synergy result.
// Called by handle() (machine.cpp); the helpers are in machine_internal.h.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/validate.h"
#include "selection/selection.h"
#include "state/machine_internal.h"
#include "state/replies.h"

namespace evo::state::detail {

Result<Transition> on_freeze(State& s, const FreezeCmd& c) {
  EVO_TRY(require_not_done(s));
  const Target* t = s.target(c.target_id);
  if (t == nullptr) return unknown_target(s, c.target_id);
  Transition tr;
  if (!t->frozen) tr = commit(s, {TargetFrozen{c.target_id}});
  tr.reply = target_temperature_reply(s, c.target_id);
  return tr;
}

Result<Transition> on_boost(State& s, const BoostCmd& c) {
  EVO_TRY(require_not_done(s));
  const Target* t = s.target(c.target_id);
  if (t == nullptr) return unknown_target(s, c.target_id);
  const double temp = selection::boosted_temperature(t->frozen ? 1.0 : t->temperature);
  auto tr = commit(s, {TargetBoosted{c.target_id, temp}});
  tr.reply = target_temperature_reply(s, c.target_id);
  return tr;
}

Result<Transition> on_record_synergy(State& s, const RecordSynergyCmd& c) {
  EVO_TRY(require_not_done(s));
  if (auto p = branch_name_problem(c.branch); !p.empty()) {
    return invalid("argument 'branch': " + p);
  }
  if (c.target_ids.size() < 2) {
    return invalid("argument 'target_ids': a synergy combines at least two targets");
  }
  for (const auto& tid : c.target_ids) {
    if (s.target(tid) == nullptr) return unknown_target(s, tid);
  }
  if (c.success) EVO_TRY(validate_fitness(s, c.fitness_values, "fitness_values"));
  for (const auto& [tid, f] : c.individual_fitnesses) {
    if (std::find(c.target_ids.begin(), c.target_ids.end(), tid) == c.target_ids.end()) {
      return invalid("argument 'individual_fitnesses': '" + tid + "' is not one of target_ids");
    }
    EVO_TRY(validate_fitness(s, f, "individual_fitnesses." + tid));
  }
  SynergyRecord r;
  r.branch = c.branch;
  r.generation = s.generation;
  r.target_ids = c.target_ids;
  r.fitness_values = c.success ? c.fitness_values : std::vector<double>{};
  r.success = c.success;
  r.individual_fitnesses = c.individual_fitnesses;
  if (c.success && !c.individual_fitnesses.empty()) {
    for (std::size_t i = 0; i < s.config.objectives.size(); ++i) {
      const auto& obj = s.config.objectives[i];
      std::optional<double> best;
      for (const auto& [tid, f] : c.individual_fitnesses) {
        const double v = f[i];
        if (!best || (obj.direction == Direction::kMin ? v < *best : v > *best)) best = v;
      }
      if (!best) continue;
      const double combined = c.fitness_values[i];
      const double gain = obj.direction == Direction::kMin ? *best - combined : combined - *best;
      // Finite inputs can still overflow (1.7e308 - -1.7e308): a non-finite gain would be
      // stored as null and make the run's log undecodable, so the call is refused.
      if (!std::isfinite(gain)) {
        return invalid("argument 'fitness_values[" + std::to_string(i) +
                       "]': the synergy gain of objective '" + obj.name +
                       "' (combined vs the best alone) overflows to infinity; the values "
                       "must differ by at most 1.7976931348623157e308");
      }
      r.synergy_gain[obj.name] = gain;
    }
  }
  Transition t;
  auto existing = std::find_if(s.synergy_records.begin(), s.synergy_records.end(),
                               [&](const SynergyRecord& x) { return x.branch == c.branch; });
  if (existing != s.synergy_records.end()) {
    if (existing->fitness_values != r.fitness_values || existing->success != r.success ||
        existing->target_ids != r.target_ids) {
      return conflict("synergy branch '" + c.branch +
                      "' is already recorded with a different "
                      "result");
    }
    r = *existing;
  } else {
    t = commit(s, {SynergyRecorded{r}});
  }
  t.reply = synergy_reply(r);
  return t;
}

}  // namespace evo::state::detail
