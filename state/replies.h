// What the state machine answers, as typed values: one struct per reply (the `Reply` variant a
// command returns) and per query (status, lineage, run summary). They hold no JSON; their wire
// form, and the exact schema the tools advertise for it, live in wire/replies.h. Field names
// follow the reference protocol (seed 002).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "policy/rules.h"
#include "state/events.h"
#include "state/model.h"

namespace evo::state {

// A fitness as the reference sends it: a number in a single-objective run, an array otherwise;
// nothing (null) when there is none.
struct Score {
  std::vector<double> values;
  bool scalar = false;  // one objective: sent as a number
  bool operator==(const Score&) const = default;
};

// A batch item, as dispatched to a worker.
struct WorkItem {
  std::string branch;
  Operation operation = Operation::kMutate;
  std::string target_id;
  std::vector<std::string> parent_branches;
  std::string target_file;
  std::string target_function;
  std::optional<std::string> structural_op;  // structural items only
};

// --- replies to commands -----------------------------------------------------------------------

struct Initialized {
  std::string run_id;
  std::string repo_path;
  std::vector<ObjectiveSpec> objectives;
  BenchmarkFormat benchmark_format = BenchmarkFormat::kNumbers;
  int max_fe = 0;
  int pop_size = 0;
  std::uint64_t seed = 0;
  std::string seed_commit;
  std::vector<std::string> protected_patterns;
};

struct TargetsAccepted {
  std::uint64_t registered = 0;  // targets named in the call (new or already known)
  std::vector<std::string> target_ids;
  std::uint64_t total_targets = 0;
};

struct SeedRecorded {
  Score seed_obj;
  std::vector<double> seed_obj_values;
  std::vector<std::string> objectives;  // names, in objective order
  std::uint64_t total_evals = 0;
};

struct DispatchWorkers {
  std::string run_id;
  int generation = 0;
  std::uint64_t batch_size = 0;
  std::uint64_t budget_remaining = 0;
  std::vector<ObjectiveSpec> objectives;
  std::string benchmark_cmd;
  BenchmarkFormat benchmark_format = BenchmarkFormat::kNumbers;
  std::vector<WorkItem> items;
};

struct CheckPolicy {
  std::string branch;
  std::string commit;
  std::string parent_commit;
  std::string target_id;
  std::string target_file;
  std::string target_function;
  Operation operation = Operation::kMutate;
  std::vector<std::string> parent_branches;
  std::vector<std::string> changed_files;
  std::string diff;
  bool diff_truncated = false;
  std::vector<std::string> protected_patterns;
  std::vector<policy::Finding> violations;
  std::vector<policy::Finding> flags;
  std::string code_hash;
  PolicyMode policy_mode = PolicyMode::kBoth;
};

struct RunBenchmark {
  std::string branch;
  std::string commit;
  std::string target_id;
  Operation operation = Operation::kMutate;
  std::vector<std::string> parent_branches;
  std::string benchmark_cmd;
  BenchmarkFormat benchmark_format = BenchmarkFormat::kNumbers;
  std::vector<ObjectiveSpec> objectives;
  std::optional<std::string> quick_cmd;  // when the run has one
  std::optional<bool> auto_approved;     // true when review was skipped (policy_mode server)
};

// worker_done for a variant the review refused.
struct Rejected {
  std::string branch;
  std::string reason;
  std::string commit;
  std::vector<policy::Finding> violations;
};

// worker_done for an evaluated (or failed, or cached) variant.
struct WorkerDone {
  std::string branch;
  bool success = false;
  Score fitness;
  std::optional<std::vector<double>> fitness_values;  // null when the evaluation failed
  bool is_new_best = false;
  bool on_pareto_front = false;
  std::uint64_t total_evals = 0;
  std::uint64_t budget_remaining = 0;
  std::optional<bool> cached;           // a cache hit: the fitness of an identical variant
  std::optional<std::string> cache_of;  // that variant's branch
  std::optional<std::string> reason;    // why the evaluation failed
};

// Where the search stands after a selection or at the end; the seed when nothing beat it.
struct BestSoFar {
  std::string best_branch = "seed-baseline";
  Score best_obj;
  std::optional<std::vector<double>> best_obj_values;
};

struct TargetProgress {
  std::string target_id;
  std::string best_branch;
  Score best_obj;
  int stagnation = 0;
  double temperature = 0.0;
  std::uint64_t active_branches = 0;
};

// Percent change of the best over the seed per objective: signed text ("-12.3%") and, in
// `improvement_pct`, a number where positive always means better. Null when unknown.
using ImprovementText = std::optional<std::map<std::string, std::string>>;
using ImprovementPct = std::optional<std::map<std::string, double>>;

struct Reflect : BestSoFar {
  std::string run_id;
  int generation = 0;
  std::vector<std::string> keep;
  std::vector<std::string> eliminate;
  std::vector<std::string> abandoned;
  std::uint64_t pareto_front_size = 0;
  ImprovementText improvement;
  std::vector<TargetProgress> targets;
};

struct Done : BestSoFar {
  std::string run_id;
  std::string reason;
  std::string reason_code;
  int generation = 0;
  std::uint64_t total_evals = 0;
  std::uint64_t pareto_front_size = 0;
  ImprovementText improvement;
  ImprovementPct improvement_pct;
  Score seed_obj;
};

// evo_freeze_target / evo_boost_target.
struct TargetTemperature {
  std::string target_id;
  std::string status;  // "frozen" | "active"
  double temperature = 0.0;
};

struct SynergyAccepted {
  std::string branch;
  int generation = 0;
  std::vector<std::string> target_ids;
  std::optional<std::vector<double>> fitness_values;  // null for a failed combination
  bool success = false;
  std::optional<std::map<std::string, std::vector<double>>> individual_fitnesses;
  std::optional<std::map<std::string, double>> synergy_gain;
};

// Every reply a command can give. The first six are evo_step's actions.
using Reply =
    std::variant<DispatchWorkers, CheckPolicy, RunBenchmark, Rejected, WorkerDone, Reflect, Done,
                 Initialized, TargetsAccepted, SeedRecorded, TargetTemperature, SynergyAccepted>;

// --- queries -----------------------------------------------------------------------------------

struct TargetStatus {
  std::string status;  // "frozen" | "active"
  std::string file;
  std::string function;
  double temperature = 0.0;  // rounded to 2 decimals
  std::optional<std::vector<double>> current_best_obj;
  std::optional<std::string> current_best_branch;
  std::uint64_t pareto_front_size = 0;
  int stagnation = 0;
  std::uint64_t active_branches = 0;
};

struct FrontMember {
  std::string branch;
  std::vector<double> fitness;
  int generation = 0;
  std::string target_id;
};

struct InFlight {
  std::string branch;
  ItemState state = ItemState::kPlanned;
};

struct RunStatus {
  std::string run_id;
  RunPhase phase = RunPhase::kSetup;
  int generation = 0;
  std::uint64_t total_evals = 0;
  std::uint64_t budget_remaining = 0;
  int max_fe = 0;
  std::vector<ObjectiveSpec> objectives;
  std::optional<std::vector<double>> seed_obj;
  std::optional<std::vector<double>> best_obj_overall;
  std::optional<std::string> best_branch_overall;
  std::uint64_t pareto_front_size = 0;
  std::vector<FrontMember> pareto_front;
  ImprovementText improvement;
  std::map<std::string, TargetStatus> targets;
  std::uint64_t batch_size = 0;
  std::vector<InFlight> in_flight;
  int generations_without_improvement = 0;
  std::string repo_path;
  std::int64_t created_at_ms = 0;
  std::optional<std::string> done_reason;  // finished runs only
  std::optional<std::string> done_reason_code;
};

struct LineageEntry {
  std::string branch;
  int generation = 0;
  std::string target_id;
  std::string operation;  // an Operation's name, or "seed"
  std::vector<std::string> parent_branches;
  std::optional<std::vector<double>> fitness;  // null unless evaluated successfully
  std::optional<int> pareto_rank;              // null when unranked
  bool success = false;
  ItemState state = ItemState::kPlanned;
  std::string commit;
  bool alive = false;
  bool eliminated = false;
  std::optional<std::string> cache_of;
  std::optional<std::string> reason;
};

struct Lineage {
  std::string branch;
  std::string run_id;
  std::vector<LineageEntry> lineage;  // the branch, then its ancestors breadth first
  // With include_diff (evo_get_lineage): where an eliminated branch is archived, and the
  // reviewed diff (null when the branch was never reviewed).
  std::optional<std::string> archive_ref;
  std::optional<std::optional<std::string>> diff;
  std::optional<bool> diff_truncated;
};

struct RunSummary : BestSoFar {
  std::string run_id;
  RunPhase phase = RunPhase::kSetup;
  int generation = 0;
  std::uint64_t total_evals = 0;
  int max_fe = 0;
  std::string repo_path;
  std::vector<ObjectiveSpec> objectives;
  std::uint64_t targets = 0;
  std::int64_t created_at_ms = 0;
  std::optional<std::string> done_reason;
};

// A run whose summary cannot be read (its log does not load).
struct UnreadableRun {
  std::string run_id;
  std::string error;
};

// evo_list_runs: every run, oldest first.
struct RunList {
  std::vector<std::variant<RunSummary, UnreadableRun>> runs;
  std::optional<std::string> latest_run;
  std::uint64_t count = 0;
};

// --- builders ----------------------------------------------------------------------------------

Score score(const State& s, const std::vector<double>& fitness);
WorkItem work_item(const Individual& ind);
std::string branch_of(const State& s, std::optional<std::uint64_t> id);
ImprovementText improvement_text(const State& s);

Initialized init_reply(const State& s);
DispatchWorkers dispatch_reply(const State& s);
Done done_reply(const State& s);
struct GitObservation;
CheckPolicy check_policy_reply(const State& s, const Individual& ind, const GitObservation& git);
RunBenchmark run_benchmark_reply(const State& s, const Individual& ind);
Rejected rejected_reply(const Individual& ind);
WorkerDone worker_done_reply(const State& s, const Individual& ind);
Reflect reflect_reply(const State& s);
TargetsAccepted targets_registered_reply(const State& s, const std::vector<TargetSpec>& requested);
SeedRecorded seed_reply(const State& s);
TargetTemperature target_temperature_reply(const State& s, const std::string& target_id);
SynergyAccepted synergy_reply(const SynergyRecord& r);

RunStatus status_of(const State& s);
TargetStatus target_status(const State& s, const Target& t);
Result<Lineage> lineage_of(const State& s, const std::string& branch);
RunSummary summary_of(const State& s);

}  // namespace evo::state
