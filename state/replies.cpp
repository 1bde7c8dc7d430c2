// Builders for every reply the state machine sends, and for the status/lineage queries.
#include "state/replies.h"

#include <cmath>
#include <cstdio>
#include <deque>
#include <set>

namespace evo::state {

using nlohmann::json;

json fitness_value(const State& s, const std::vector<double>& fitness) {
  if (fitness.empty()) return nullptr;
  if (s.config.objectives.size() == 1 && fitness.size() == 1) return fitness[0];
  return fitness;
}

json objectives_json(const State& s) {
  json arr = json::array();
  for (const auto& o : s.config.objectives) {
    arr.push_back({{"name", o.name}, {"direction", to_string(o.direction)}});
  }
  return arr;
}

std::string branch_of(const State& s, std::optional<std::uint64_t> id) {
  if (!id || *id >= s.individuals.size()) return {};
  return s.individuals[*id].branch;
}

json item_json(const Individual& ind) {
  json j{{"branch", ind.branch},           {"operation", to_string(ind.operation)},
         {"target_id", ind.target_id},     {"parent_branches", ind.parent_branches},
         {"target_file", ind.target_file}, {"target_function", ind.target_function}};
  if (!ind.structural_op.empty()) j["structural_op"] = ind.structural_op;
  return j;
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
}  // namespace

// The reference's shape: {"loss": "-12.3%"} (signed change, not "better").
json improvement_json(const State& s) {
  json out = json::object();
  for (const auto& [name, pct] : improvements(s, false)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f%%", pct);
    out[name] = buf;
  }
  return out.empty() ? json(nullptr) : out;
}

namespace {
json improvement_pct(const State& s) {
  auto list = improvements(s, true);
  if (list.empty() && (!s.seed_obj() || !s.best)) return nullptr;
  json out = json::object();
  for (const auto& [name, pct] : list) out[name] = pct;
  return out;
}

void add_best(const State& s, json& j) {
  if (s.best) {
    const auto& best = s.individuals[*s.best];
    j["best_branch"] = best.branch;
    j["best_obj"] = fitness_value(s, best.fitness);
    j["best_obj_values"] = best.fitness;
  } else {
    j["best_branch"] = "seed-baseline";
    j["best_obj"] = nullptr;
    j["best_obj_values"] = nullptr;
  }
}
}  // namespace

json init_reply(const State& s) {
  return {{"status", "initialized"},
          {"run_id", s.run_id},
          {"repo_path", s.config.repo_path},
          {"objectives", objectives_json(s)},
          {"benchmark_format", to_string(s.config.benchmark_format)},
          {"max_fe", s.config.max_fe},
          {"pop_size", s.config.pop_size},
          {"seed", s.config.seed},
          {"seed_commit", s.seed_commit},
          {"protected_patterns", s.config.protected_patterns}};
}

json dispatch_reply(const State& s) {
  json items = json::array();
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    if (!ind.registered_late) items.push_back(item_json(ind));
  }
  return {{"action", "dispatch_workers"},
          {"run_id", s.run_id},
          {"generation", s.generation},
          {"batch_size", items.size()},
          {"budget_remaining", s.budget_remaining()},
          {"objectives", objectives_json(s)},
          {"benchmark_cmd", s.config.benchmark_cmd},
          {"benchmark_format", to_string(s.config.benchmark_format)},
          {"items", items}};
}

json done_reply(const State& s) {
  json j{{"action", "done"},
         {"run_id", s.run_id},
         {"reason", s.done_reason},
         {"reason_code", s.done_reason_code},
         {"generation", s.generation},
         {"total_evals", s.total_evals},
         {"pareto_front_size", s.archive.size()},
         {"improvement", improvement_json(s)},
         {"improvement_pct", improvement_pct(s)}};
  add_best(s, j);
  auto seed = s.seed_obj();
  j["seed_obj"] = seed ? fitness_value(s, *seed) : json(nullptr);
  return j;
}

namespace {
json findings_json(const std::vector<policy::Finding>& findings) {
  json arr = json::array();
  for (const auto& f : findings) {
    arr.push_back({{"rule", f.rule}, {"path", f.path}, {"detail", f.detail}});
  }
  return arr;
}
}  // namespace

json check_policy_reply(const State& s, const Individual& ind, const GitObservation& git) {
  return {{"action", "check_policy"},
          {"branch", ind.branch},
          {"commit", ind.commit},
          {"parent_commit", ind.parent_commit},
          {"target_id", ind.target_id},
          {"target_file", ind.target_file},
          {"target_function", ind.target_function},
          {"operation", to_string(ind.operation)},
          {"parent_branches", ind.parent_branches},
          {"changed_files", ind.changed_files},
          {"diff", git.facts.diff_text},
          {"diff_truncated", git.facts.diff_truncated},
          {"protected_patterns", s.config.protected_patterns},
          {"violations", findings_json(ind.violations)},
          {"flags", findings_json(ind.flags)},
          {"code_hash", ind.code_hash},
          {"policy_mode", to_string(s.config.policy_mode)}};
}

json run_benchmark_reply(const State& s, const Individual& ind) {
  json j{{"action", "run_benchmark"},
         {"branch", ind.branch},
         {"commit", ind.commit},
         {"target_id", ind.target_id},
         {"operation", to_string(ind.operation)},
         {"parent_branches", ind.parent_branches},
         {"benchmark_cmd", s.config.benchmark_cmd},
         {"benchmark_format", to_string(s.config.benchmark_format)},
         {"objectives", objectives_json(s)}};
  if (!s.config.quick_cmd.empty()) j["quick_cmd"] = s.config.quick_cmd;
  if (ind.code_outcome == CodeOutcome::kAutoApproved) j["auto_approved"] = true;
  return j;
}

json rejected_reply(const Individual& ind) {
  return {{"action", "worker_done"}, {"branch", ind.branch},
          {"rejected", true},        {"reason", ind.reason},
          {"commit", ind.commit},    {"violations", findings_json(ind.violations)}};
}

json worker_done_reply(const State& s, const Individual& ind) {
  json j{{"action", "worker_done"},
         {"branch", ind.branch},
         {"success", ind.success},
         {"fitness", fitness_value(s, ind.fitness)},
         {"fitness_values", ind.success ? json(ind.fitness) : json(nullptr)},
         {"is_new_best", ind.is_new_best},
         {"on_pareto_front", ind.on_front_at_eval},
         {"total_evals", ind.evals_at},
         {"budget_remaining", ind.evals_at >= static_cast<std::uint64_t>(s.config.max_fe)
                                  ? 0
                                  : static_cast<std::uint64_t>(s.config.max_fe) - ind.evals_at}};
  if (ind.cache_of) {
    j["cached"] = true;
    j["cache_of"] = branch_of(s, ind.cache_of);
  }
  if (!ind.success) j["reason"] = ind.reason;
  return j;
}

json reflect_reply(const State& s) {
  json j{{"action", "reflect"},
         {"run_id", s.run_id},
         {"generation", s.last_selection.generation},
         {"keep", s.last_selection.keep},
         {"eliminate", s.last_selection.eliminate},
         {"abandoned", s.last_selection.abandoned},
         {"pareto_front_size", s.archive.size()},
         {"improvement", improvement_json(s)}};
  add_best(s, j);
  json targets = json::array();
  for (const auto& t : s.targets) {
    json tj{{"target_id", t.id},
            {"best_branch", t.best ? branch_of(s, t.best) : std::string("seed-baseline")},
            {"best_obj", t.best ? fitness_value(s, s.individuals[*t.best].fitness) : json(nullptr)},
            {"stagnation", t.stagnation},
            {"temperature", t.temperature},
            {"active_branches", t.active.size()}};
    targets.push_back(std::move(tj));
  }
  j["targets"] = targets;
  return j;
}

json targets_registered_reply(const State& s, const std::vector<TargetSpec>& requested) {
  json ids = json::array();
  for (const auto& spec : requested) ids.push_back(spec.id);
  return {
      {"registered", requested.size()}, {"target_ids", ids}, {"total_targets", s.targets.size()}};
}

json seed_reply(const State& s) {
  const Individual* seed = s.find("seed-baseline");
  json names = json::array();
  for (const auto& o : s.config.objectives) names.push_back(o.name);
  return {{"seed_obj", fitness_value(s, seed->fitness)},
          {"seed_obj_values", seed->fitness},
          {"objectives", names},
          {"total_evals", seed->evals_at}};
}

json target_temperature_reply(const State& s, const std::string& target_id) {
  const Target* t = s.target(target_id);
  return {{"target_id", target_id},
          {"status", t->frozen ? "frozen" : "active"},
          {"temperature", t->temperature}};
}

json synergy_reply(const SynergyRecord& r) {
  json gain = r.synergy_gain.empty() ? json(nullptr) : json(r.synergy_gain);
  return {{"branch", r.branch},
          {"generation", r.generation},
          {"target_ids", r.target_ids},
          {"fitness_values", r.success ? json(r.fitness_values) : json(nullptr)},
          {"success", r.success},
          {"individual_fitnesses",
           r.individual_fitnesses.empty() ? json(nullptr) : json(r.individual_fitnesses)},
          {"synergy_gain", gain}};
}

json status_json(const State& s) {
  json targets = json::object();
  for (const auto& t : s.targets) {
    targets[t.id] = {
        {"status", t.frozen ? "frozen" : "active"},
        {"file", t.file},
        {"function", t.function},
        {"temperature", std::round(t.temperature * 100.0) / 100.0},
        {"current_best_obj", t.best ? json(s.individuals[*t.best].fitness) : json(nullptr)},
        {"current_best_branch", t.best ? json(branch_of(s, t.best)) : json(nullptr)},
        {"pareto_front_size", t.local_front.size()},
        {"stagnation", t.stagnation},
        {"active_branches", t.active.size()}};
  }
  json front = json::array();
  for (const auto& m : s.archive.members()) {
    const auto& ind = s.individuals[m.id];
    front.push_back({{"branch", ind.branch},
                     {"fitness", ind.fitness},
                     {"generation", ind.generation},
                     {"target_id", ind.target_id}});
  }
  json in_flight = json::array();
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    if (ind.in_flight())
      in_flight.push_back({{"branch", ind.branch}, {"state", to_string(ind.state)}});
  }
  auto seed = s.seed_obj();
  json j{{"run_id", s.run_id},
         {"phase", to_string(s.phase)},
         {"generation", s.generation},
         {"total_evals", s.total_evals},
         {"budget_remaining", s.budget_remaining()},
         {"max_fe", s.config.max_fe},
         {"objectives", objectives_json(s)},
         {"seed_obj", seed ? json(*seed) : json(nullptr)},
         {"best_obj_overall", s.best ? json(s.individuals[*s.best].fitness) : json(nullptr)},
         {"best_branch_overall", s.best ? json(branch_of(s, s.best)) : json(nullptr)},
         {"pareto_front_size", s.archive.size()},
         {"pareto_front", front},
         {"improvement", improvement_json(s)},
         {"targets", targets},
         {"batch_size", s.batch.size()},
         {"in_flight", in_flight},
         {"generations_without_improvement", s.gens_without_improvement},
         {"repo_path", s.config.repo_path},
         {"created_at_ms", s.created_at_ms}};
  if (s.phase == RunPhase::kDone) {
    j["done_reason"] = s.done_reason;
    j["done_reason_code"] = s.done_reason_code;
  }
  return j;
}

Result<json> lineage_json(const State& s, const std::string& branch) {
  if (s.find(branch) == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "argument 'branch': '" + branch + "' is not a branch of run " + s.run_id);
  }
  json lineage = json::array();
  std::set<std::string> visited;
  std::deque<std::string> queue{branch};
  while (!queue.empty()) {
    std::string b = queue.front();
    queue.pop_front();
    if (!visited.insert(b).second) continue;
    const Individual* ind = s.find(b);
    if (ind == nullptr) continue;
    json entry{{"branch", ind->branch},
               {"generation", ind->generation},
               {"target_id", ind->target_id},
               {"operation", ind->is_seed ? "seed" : to_string(ind->operation)},
               {"parent_branches", ind->parent_branches},
               {"fitness", ind->success ? json(ind->fitness) : json(nullptr)},
               {"pareto_rank", ind->pareto_rank == 0 ? json(nullptr) : json(ind->pareto_rank)},
               {"success", ind->success},
               {"state", to_string(ind->state)},
               {"commit", ind->commit},
               {"alive", ind->alive || ind->is_seed},
               {"eliminated", ind->eliminated}};
    if (ind->cache_of) entry["cache_of"] = branch_of(s, ind->cache_of);
    if (!ind->reason.empty()) entry["reason"] = ind->reason;
    lineage.push_back(std::move(entry));
    for (const auto& p : ind->parent_branches) queue.push_back(p);
  }
  return json{{"branch", branch}, {"run_id", s.run_id}, {"lineage", lineage}};
}

json run_summary_json(const State& s) {
  json j{{"run_id", s.run_id},
         {"phase", to_string(s.phase)},
         {"generation", s.generation},
         {"total_evals", s.total_evals},
         {"max_fe", s.config.max_fe},
         {"repo_path", s.config.repo_path},
         {"objectives", objectives_json(s)},
         {"targets", s.targets.size()},
         {"created_at_ms", s.created_at_ms}};
  add_best(s, j);
  if (s.phase == RunPhase::kDone) j["done_reason"] = s.done_reason;
  return j;
}

}  // namespace evo::state
