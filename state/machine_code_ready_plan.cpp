// What the git edge must know before code_ready and fitness_ready, read without changing the
// state (machine.h): prepare_code_ready (a synergy branch seen for the first time is planned
// here from its name, parse_synergy_branch), scope_of, and pins_commit.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "core/validate.h"
#include "state/machine_internal.h"

namespace evo::state {

using detail::illegal;
using detail::invalid;
using detail::run_finished_error;

std::optional<std::vector<std::string>> parse_synergy_branch(const std::string& branch,
                                                             int generation) {
  // gen-<N>/synergy/<a>+<b>...-<i>, N <= generation
  if (branch.rfind("gen-", 0) != 0) return std::nullopt;
  const auto slash = branch.find('/');
  if (slash == std::string::npos || slash == 4) return std::nullopt;
  const std::string num = branch.substr(4, slash - 4);
  if (num.size() > 9 || !std::all_of(num.begin(), num.end(), ::isdigit)) return std::nullopt;
  if (std::stoi(num) > generation) return std::nullopt;
  const std::string rest = branch.substr(slash + 1);
  if (rest.rfind("synergy/", 0) != 0) return std::nullopt;
  std::string combo = rest.substr(8);
  const auto dash = combo.rfind('-');
  if (dash == std::string::npos || dash + 1 == combo.size()) return std::nullopt;
  const std::string idx = combo.substr(dash + 1);
  if (!std::all_of(idx.begin(), idx.end(), ::isdigit)) return std::nullopt;
  std::vector<std::string> ids = SynergyKey::parse(combo.substr(0, dash)).target_ids;
  if (ids.size() < 2) return std::nullopt;
  for (const auto& id : ids) {
    if (!is_valid_target_id(id)) return std::nullopt;
  }
  return ids;
}

policy::Scope scope_of(const State& s, const Individual& ind) {
  policy::Scope scope;
  scope.op = ind.operation;
  if (ind.operation == Operation::kSynergy) {
    for (const auto& id : SynergyKey::parse(ind.target_id).target_ids) {
      if (const Target* t = s.target(id)) {
        scope.files.push_back(t->file);
        if (!t->function.empty()) scope.functions.push_back(t->function);
      }
    }
  } else {
    if (!ind.target_file.empty()) scope.files.push_back(ind.target_file);
    if (!ind.target_function.empty()) scope.functions.push_back(ind.target_function);
  }
  std::sort(scope.files.begin(), scope.files.end());
  scope.files.erase(std::unique(scope.files.begin(), scope.files.end()), scope.files.end());
  return scope;
}

Result<CodeReadyPlan> prepare_code_ready(const State& s, const std::string& branch) {
  if (s.run_id.empty()) {
    return make_error(ErrorCode::kNotFound, "the run is not initialized: call evo_init first");
  }
  if (s.phase == RunPhase::kDone) return run_finished_error(s);
  if (s.phase == RunPhase::kSetup) {
    return illegal("no generation is in progress: call begin_generation first");
  }
  if (auto p = branch_name_problem(branch); !p.empty()) return invalid("argument 'branch': " + p);
  CodeReadyPlan plan;
  plan.branch = branch;
  plan.uses_git = s.config.policy_mode != PolicyMode::kOff;
  const Individual* ind = s.find(branch);
  Individual late;
  if (ind == nullptr) {
    auto ids = parse_synergy_branch(branch, s.generation);
    if (!ids) {
      return make_error(ErrorCode::kNotFound,
                        "argument 'branch': '" + branch + "' was not planned in generation " +
                            std::to_string(s.generation) + " of run " + s.run_id +
                            " (only synergy branches gen-N/synergy/<a>+<b>-<i> may be "
                            "registered at code_ready)");
    }
    PlannedItem item;
    item.branch = branch;
    item.operation = Operation::kSynergy;
    SynergyKey key;
    for (std::size_t i = 0; i < ids->size(); ++i) {
      const Target* t = s.target((*ids)[i]);
      if (t == nullptr) {
        return make_error(ErrorCode::kNotFound,
                          "argument 'branch': synergy branch names unknown "
                          "target '" +
                              (*ids)[i] + "'");
      }
      key.target_ids.push_back(t->id);
      item.parent_branches.push_back(t->best ? s.individuals[*t->best].branch : "seed-baseline");
    }
    item.target_id = key.str();
    plan.late_item = item;
    late.operation = Operation::kSynergy;
    late.target_id = item.target_id;
    late.parent_branches = item.parent_branches;
    ind = &late;
  } else {
    const bool current = std::find(s.batch.begin(), s.batch.end(), ind->id) != s.batch.end();
    if (ind->is_seed || !current) {
      return illegal("branch '" + branch + "' belongs to generation " +
                     std::to_string(ind->generation) +
                     ", which has been selected; only items "
                     "of generation " +
                     std::to_string(s.generation) + " accept code_ready");
    }
  }
  plan.parent_branch = ind->parent_branches.empty() ? "seed-baseline" : ind->parent_branches[0];
  if (const Individual* parent = s.find(plan.parent_branch)) plan.parent_commit = parent->commit;
  plan.scope = scope_of(s, *ind);
  return plan;
}

bool pins_commit(const State& s, const std::string& branch) {
  const Individual* ind = s.find(branch);
  return ind != nullptr && !ind->commit.empty();
}

}  // namespace evo::state
