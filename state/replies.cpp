// Builders for every reply the state machine sends, and for the status/lineage queries.
#include "state/replies.h"

#include <cmath>
#include <cstdio>
#include <deque>
#include <set>

#include "state/machine.h"

namespace evo::state {

Score score(const State& s, const std::vector<double>& fitness) {
  return Score{fitness, s.config.objectives.size() == 1 && fitness.size() == 1};
}

std::string branch_of(const State& s, std::optional<std::uint64_t> id) {
  if (!id || *id >= s.individuals.size()) return {};
  return s.individuals[*id].branch;
}

WorkItem work_item(const Individual& ind) {
  WorkItem item;
  item.branch = ind.branch;
  item.operation = ind.operation;
  item.target_id = ind.target_id;
  item.parent_branches = ind.parent_branches;
  item.target_file = ind.target_file;
  item.target_function = ind.target_function;
  if (!ind.structural_op.empty()) item.structural_op = ind.structural_op;
  return item;
}

namespace {

// Per-objective change of the best over the seed, in percent of |seed|; objectives whose seed
// value is 0 have no percentage. `better_positive` flips minimized objectives so that a
// positive number always means better.
std::vector<std::pair<std::string, double>> improvements(const State& s, bool better_positive) {
  std::vector<std::pair<std::string, double>> out;
  auto seed = s.seed_obj();
  if (!seed || !s.best) return out;
  const auto& best = s.individuals[*s.best].fitness;
  for (std::size_t i = 0; i < s.config.objectives.size() && i < best.size(); ++i) {
    const double seed_val = (*seed)[i];
    if (seed_val == 0.0) continue;
    double pct = (best[i] - seed_val) / std::fabs(seed_val) * 100.0;
    // A denormal (or tiny) seed value makes the ratio overflow: no percentage then, as for 0.
    if (!std::isfinite(pct)) continue;
    if (better_positive && s.config.objectives[i].direction == Direction::kMin) pct = -pct;
    out.emplace_back(s.config.objectives[i].name, pct);
  }
  return out;
}

ImprovementPct improvement_pct(const State& s) {
  auto list = improvements(s, true);
  if (list.empty() && (!s.seed_obj() || !s.best)) return std::nullopt;
  std::map<std::string, double> out;
  for (const auto& [name, pct] : list) out[name] = pct;
  return out;
}

void set_best(const State& s, BestSoFar& b) {
  if (s.best) {
    const auto& best = s.individuals[*s.best];
    b.best_branch = best.branch;
    b.best_obj = score(s, best.fitness);
    b.best_obj_values = best.fitness;
  }
}

}  // namespace

// The reference's shape: {"loss": "-12.3%"} (signed change, not "better").
ImprovementText improvement_text(const State& s) {
  std::map<std::string, std::string> out;
  for (const auto& [name, pct] : improvements(s, false)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f%%", pct);
    out[name] = buf;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

Initialized init_reply(const State& s) {
  Initialized r;
  r.run_id = s.run_id;
  r.repo_path = s.config.repo_path;
  r.objectives = s.config.objectives;
  r.benchmark_format = s.config.benchmark_format;
  r.max_fe = s.config.max_fe;
  r.pop_size = s.config.pop_size;
  r.seed = s.config.seed;
  r.seed_commit = s.seed_commit;
  r.protected_patterns = s.config.protected_patterns;
  return r;
}

DispatchWorkers dispatch_reply(const State& s) {
  DispatchWorkers r;
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    if (!ind.registered_late) r.items.push_back(work_item(ind));
  }
  r.run_id = s.run_id;
  r.generation = s.generation;
  r.batch_size = r.items.size();
  r.budget_remaining = s.budget_remaining();
  r.objectives = s.config.objectives;
  r.benchmark_cmd = s.config.benchmark_cmd;
  r.benchmark_format = s.config.benchmark_format;
  return r;
}

Done done_reply(const State& s) {
  Done r;
  r.run_id = s.run_id;
  r.reason = s.done_reason;
  r.reason_code = s.done_reason_code;
  r.generation = s.generation;
  r.total_evals = s.total_evals;
  r.pareto_front_size = s.archive.size();
  r.improvement = improvement_text(s);
  r.improvement_pct = improvement_pct(s);
  set_best(s, r);
  if (auto seed = s.seed_obj()) r.seed_obj = score(s, *seed);
  return r;
}

CheckPolicy check_policy_reply(const State& s, const Individual& ind, const GitObservation& git) {
  CheckPolicy r;
  r.branch = ind.branch;
  r.commit = ind.commit;
  r.parent_commit = ind.parent_commit;
  r.target_id = ind.target_id;
  r.target_file = ind.target_file;
  r.target_function = ind.target_function;
  r.operation = ind.operation;
  r.parent_branches = ind.parent_branches;
  r.changed_files = ind.changed_files;
  r.diff = git.facts.diff_text;
  r.diff_truncated = git.facts.diff_truncated;
  r.protected_patterns = s.config.protected_patterns;
  r.violations = ind.violations;
  r.flags = ind.flags;
  r.code_hash = ind.code_hash;
  r.policy_mode = s.config.policy_mode;
  return r;
}

RunBenchmark run_benchmark_reply(const State& s, const Individual& ind) {
  RunBenchmark r;
  r.branch = ind.branch;
  r.commit = ind.commit;
  r.target_id = ind.target_id;
  r.operation = ind.operation;
  r.parent_branches = ind.parent_branches;
  r.benchmark_cmd = s.config.benchmark_cmd;
  r.benchmark_format = s.config.benchmark_format;
  r.objectives = s.config.objectives;
  if (!s.config.quick_cmd.empty()) r.quick_cmd = s.config.quick_cmd;
  if (ind.code_outcome == CodeOutcome::kAutoApproved) r.auto_approved = true;
  return r;
}

Rejected rejected_reply(const Individual& ind) {
  return Rejected{ind.branch, ind.reason, ind.commit, ind.violations};
}

WorkerDone worker_done_reply(const State& s, const Individual& ind) {
  WorkerDone r;
  r.branch = ind.branch;
  r.success = ind.success;
  r.fitness = score(s, ind.fitness);
  if (ind.success) r.fitness_values = ind.fitness;
  r.is_new_best = ind.is_new_best;
  r.on_pareto_front = ind.on_front_at_eval;
  r.total_evals = ind.evals_at;
  const auto max_fe = static_cast<std::uint64_t>(s.config.max_fe);
  r.budget_remaining = ind.evals_at >= max_fe ? 0 : max_fe - ind.evals_at;
  if (ind.cache_of) {
    r.cached = true;
    r.cache_of = branch_of(s, ind.cache_of);
  }
  if (!ind.success) r.reason = ind.reason;
  return r;
}

Reflect reflect_reply(const State& s) {
  Reflect r;
  r.run_id = s.run_id;
  r.generation = s.last_selection.generation;
  r.keep = s.last_selection.keep;
  r.eliminate = s.last_selection.eliminate;
  r.abandoned = s.last_selection.abandoned;
  r.pareto_front_size = s.archive.size();
  r.improvement = improvement_text(s);
  set_best(s, r);
  for (const auto& t : s.targets) {
    TargetProgress p;
    p.target_id = t.id;
    p.best_branch = t.best ? branch_of(s, t.best) : std::string("seed-baseline");
    if (t.best) p.best_obj = score(s, s.individuals[*t.best].fitness);
    p.stagnation = t.stagnation;
    p.temperature = t.temperature;
    p.active_branches = t.active.size();
    r.targets.push_back(std::move(p));
  }
  return r;
}

TargetsAccepted targets_registered_reply(const State& s, const std::vector<TargetSpec>& requested) {
  TargetsAccepted r;
  r.registered = requested.size();
  for (const auto& spec : requested) r.target_ids.push_back(spec.id);
  r.total_targets = s.targets.size();
  return r;
}

SeedRecorded seed_reply(const State& s) {
  const Individual* seed = s.find("seed-baseline");
  SeedRecorded r;
  r.seed_obj = score(s, seed->fitness);
  r.seed_obj_values = seed->fitness;
  for (const auto& o : s.config.objectives) r.objectives.push_back(o.name);
  r.total_evals = seed->evals_at;
  return r;
}

TargetTemperature target_temperature_reply(const State& s, const std::string& target_id) {
  const Target* t = s.target(target_id);
  return TargetTemperature{target_id, t->frozen ? "frozen" : "active", t->temperature};
}

SynergyAccepted synergy_reply(const SynergyRecord& r) {
  SynergyAccepted out;
  out.branch = r.branch;
  out.generation = r.generation;
  out.target_ids = r.target_ids;
  if (r.success) out.fitness_values = r.fitness_values;
  out.success = r.success;
  if (!r.individual_fitnesses.empty()) out.individual_fitnesses = r.individual_fitnesses;
  if (!r.synergy_gain.empty()) out.synergy_gain = r.synergy_gain;
  return out;
}

TargetStatus target_status(const State& s, const Target& t) {
  TargetStatus ts;
  ts.status = t.frozen ? "frozen" : "active";
  ts.file = t.file;
  ts.function = t.function;
  ts.temperature = std::round(t.temperature * 100.0) / 100.0;
  if (t.best) {
    ts.current_best_obj = s.individuals[*t.best].fitness;
    ts.current_best_branch = branch_of(s, t.best);
  }
  ts.pareto_front_size = t.local_front.size();
  ts.stagnation = t.stagnation;
  ts.active_branches = t.active.size();
  return ts;
}

RunStatus status_of(const State& s) {
  RunStatus r;
  for (const auto& t : s.targets) r.targets.emplace(t.id, target_status(s, t));
  for (const auto& m : s.archive.members()) {
    const auto& ind = s.individuals[m.id];
    r.pareto_front.push_back(FrontMember{ind.branch, ind.fitness, ind.generation, ind.target_id});
  }
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    if (ind.in_flight()) r.in_flight.push_back(InFlight{ind.branch, ind.state});
  }
  r.run_id = s.run_id;
  r.phase = s.phase;
  r.generation = s.generation;
  r.total_evals = s.total_evals;
  r.budget_remaining = s.budget_remaining();
  r.max_fe = s.config.max_fe;
  r.objectives = s.config.objectives;
  if (auto seed = s.seed_obj()) r.seed_obj = *seed;
  if (s.best) {
    r.best_obj_overall = s.individuals[*s.best].fitness;
    r.best_branch_overall = branch_of(s, s.best);
  }
  r.pareto_front_size = s.archive.size();
  r.improvement = improvement_text(s);
  r.batch_size = s.batch.size();
  r.generations_without_improvement = s.gens_without_improvement;
  r.repo_path = s.config.repo_path;
  r.created_at_ms = s.created_at_ms;
  if (s.phase == RunPhase::kDone) {
    r.done_reason = s.done_reason;
    r.done_reason_code = s.done_reason_code;
  }
  return r;
}

Result<Lineage> lineage_of(const State& s, const std::string& branch) {
  if (s.find(branch) == nullptr) {
    ErrorDetails details;
    details.field = "branch";
    details.branch = branch;
    return make_error(ErrorCode::kNotFound,
                      "argument 'branch': '" + branch + "' is not a branch of run " + s.run_id,
                      std::move(details));
  }
  Lineage out;
  out.branch = branch;
  out.run_id = s.run_id;
  std::set<std::string> visited;
  std::deque<std::string> queue{branch};
  while (!queue.empty()) {
    std::string b = queue.front();
    queue.pop_front();
    if (!visited.insert(b).second) continue;
    const Individual* ind = s.find(b);
    if (ind == nullptr) continue;
    LineageEntry e;
    e.branch = ind->branch;
    e.generation = ind->generation;
    e.target_id = ind->target_id;
    e.operation = ind->is_seed ? std::string("seed") : std::string(to_string(ind->operation));
    e.parent_branches = ind->parent_branches;
    if (ind->success) e.fitness = ind->fitness;
    if (ind->pareto_rank != 0) e.pareto_rank = ind->pareto_rank;
    e.success = ind->success;
    e.state = ind->state;
    e.commit = ind->commit;
    e.alive = ind->alive || ind->is_seed;
    e.eliminated = ind->eliminated;
    if (ind->cache_of) e.cache_of = branch_of(s, ind->cache_of);
    if (!ind->reason.empty()) e.reason = ind->reason;
    out.lineage.push_back(std::move(e));
    for (const auto& p : ind->parent_branches) queue.push_back(p);
  }
  return out;
}

RunSummary summary_of(const State& s) {
  RunSummary r;
  r.run_id = s.run_id;
  r.phase = s.phase;
  r.generation = s.generation;
  r.total_evals = s.total_evals;
  r.max_fe = s.config.max_fe;
  r.repo_path = s.config.repo_path;
  r.objectives = s.config.objectives;
  r.targets = s.targets.size();
  r.created_at_ms = s.created_at_ms;
  set_best(s, r);
  if (s.phase == RunPhase::kDone) r.done_reason = s.done_reason;
  return r;
}

}  // namespace evo::state
