// The evolution state machine. handle() validates a command against the current state and,
// only when it is legal, emits events, applies them and builds the reply. An illegal command
// returns an error naming the branch, its state and the allowed next phases, and leaves the
// state untouched. Time, run ids and git facts arrive as command fields: nothing here reads a
// clock, a disk or a repository.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "policy/diff_facts.h"
#include "policy/rules.h"
#include "state/events.h"
#include "state/model.h"
#include "state/replies.h"

namespace evo::state {

struct InitCmd {
  std::string run_id;
  Config config;
  std::int64_t now_ms = 0;
  std::string seed_commit;
};
struct RegisterTargetsCmd {
  std::vector<TargetSpec> targets;
};
struct ReportSeedCmd {
  std::vector<double> fitness;
};
struct BeginGenerationCmd {
  std::int64_t now_ms = 0;
  bool legacy = false;  // evo_next_batch: also closes a pending reflect phase
};
// What the git edge observed for code_ready. `read` is false when the run does not use git.
struct GitObservation {
  bool read = false;
  std::string commit;         // branch tip
  std::string parent_commit;  // what the tip was diffed against
  policy::DiffFacts facts;
  std::string code_hash;  // blob ids of the in-scope files at the tip
};
struct CodeReadyCmd {
  std::string branch;
  GitObservation git;
};
struct PolicyPassCmd {
  std::string branch;
};
struct PolicyFailCmd {
  std::string branch;
  std::string reason;
};
struct FitnessReadyCmd {
  std::string branch;
  std::optional<std::vector<double>> fitness;
  bool success = true;
  std::optional<Operation> operation;
  std::optional<std::string> target_id;
  std::optional<std::vector<std::string>> parent_branches;
  std::string raw_output;
  std::string reason;
  // The branch tip now, when the run pins commits (empty: the branch no longer exists).
  std::optional<std::string> observed_commit;
};
struct SelectCmd {
  bool force = false;
};
struct ReflectDoneCmd {
  bool force = false;
  std::int64_t now_ms = 0;
};
struct FreezeCmd {
  std::string target_id;
};
struct BoostCmd {
  std::string target_id;
};
struct RecordSynergyCmd {
  std::string branch;
  std::vector<std::string> target_ids;
  std::vector<double> fitness_values;
  bool success = true;
  std::map<std::string, std::vector<double>> individual_fitnesses;
};
struct StopCmd {
  std::string reason;
};

using Command = std::variant<InitCmd, RegisterTargetsCmd, ReportSeedCmd, BeginGenerationCmd,
                             CodeReadyCmd, PolicyPassCmd, PolicyFailCmd, FitnessReadyCmd, SelectCmd,
                             ReflectDoneCmd, FreezeCmd, BoostCmd, RecordSynergyCmd, StopCmd>;

struct Transition {
  std::vector<Event> events;  // empty for an idempotent repeat
  Reply reply;
};

// Validates, emits, applies. On error `state` is unchanged.
Result<Transition> handle(State& state, const Command& command);

// What the git edge must observe before code_ready can be decided.
struct CodeReadyPlan {
  std::string branch;
  bool uses_git = true;
  std::string parent_branch;
  std::string parent_commit;  // pinned commit of the parent; empty when it must be resolved
  policy::Scope scope;        // what the variant may touch: the policy review and the content hash
  std::optional<PlannedItem> late_item;  // synergy branch seen for the first time
};
Result<CodeReadyPlan> prepare_code_ready(const State& state, const std::string& branch);

// True when fitness_ready must be checked against the branch's current tip.
bool pins_commit(const State& state, const std::string& branch);

// What an item may touch, the one answer for every use: the policy review of code_ready, its
// content hash (policy::content_files over the diff), evo_check_cache by branch, and the
// tests. mutate/crossover/structural: the target file and function; synergy: the combined
// targets' files and functions. Files sorted, without duplicates.
policy::Scope scope_of(const State& state, const Individual& ind);

// Fitness validation shared by every entry point: one finite value per objective.
Status validate_fitness(const State& state, const std::vector<double>& fitness,
                        const std::string& field);

// The synergy branch pattern gen-<N>/synergy/<a>+<b>[+<c>...]-<i>; returns the target ids.
std::optional<std::vector<std::string>> parse_synergy_branch(const std::string& branch,
                                                             int generation);

}  // namespace evo::state
