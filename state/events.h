// Events: the durable record of a run. The state machine decides (validating everything
// first) and emits events; apply() folds an event into the state. Replaying the events of a
// run from the start, or from a snapshot, rebuilds exactly the same state. Outcomes that took
// computation or outside facts (selection results, plans, git facts, the RNG state) are stored
// in the events, so replay never recomputes them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "state/model.h"

namespace evo::state {

struct TargetSpec {
  std::string id;
  std::string file;
  std::string function;
  std::string description;
  std::string hint;
  std::string impact = "medium";
  std::string lines;
  std::vector<std::string> derived_from;
};

struct PlannedItem {
  std::string branch;
  Operation operation = Operation::kMutate;
  std::string target_id;
  std::vector<std::string> parent_branches;
  std::string target_file;
  std::string target_function;
  std::string structural_op;
};

struct RunInitialized {
  std::string run_id;
  Config config;
  std::int64_t created_at_ms = 0;
  std::string seed_commit;
};
struct TargetsRegistered {
  std::vector<TargetSpec> targets;
};
struct SeedReported {
  std::vector<double> fitness;
};
struct GenerationPlanned {
  int generation = 0;
  std::vector<PlannedItem> items;
  Rng::State rng_after{};
};
struct CodeReported {
  std::string branch;
  std::optional<PlannedItem> late_item;  // a synergy branch registered on first sight
  std::string parent_commit;
  std::string commit;
  std::string code_hash;
  std::vector<std::string> changed_files;
  std::vector<policy::Finding> violations;
  std::vector<policy::Finding> flags;
  CodeOutcome outcome = CodeOutcome::kAwaitingReview;
  std::optional<std::uint64_t> cache_of;
  std::string reason;
};
struct PolicyDecided {
  std::string branch;
  bool approved = false;
  std::string reason;
};
struct FitnessReported {
  std::string branch;
  bool success = false;
  std::vector<double> fitness;
  std::string raw_output;
  std::string reason;
};
struct TargetUpdate {
  std::string target_id;
  std::vector<std::uint64_t> active;
  std::vector<std::uint64_t> local_front;
  std::optional<std::uint64_t> best;
  int stagnation = 0;
  double temperature = 1.0;
};
struct Selected {
  int generation = 0;
  std::vector<TargetUpdate> targets;
  std::vector<std::pair<std::uint64_t, int>> ranks;
  std::vector<std::uint64_t> eliminated;
  std::vector<std::uint64_t> abandoned;
  int gens_without_improvement = 0;
  SelectionSummary summary;
};
struct ReflectCompleted {
  int generation = 0;
  std::vector<std::uint64_t> abandoned;  // late synergy items given up on (force)
};
struct TargetFrozen {
  std::string target_id;
};
struct TargetBoosted {
  std::string target_id;
  double temperature = 1.0;
};
struct SynergyRecorded {
  SynergyRecord record;
};
struct RunFinished {
  std::string reason_code;
  std::string reason;
  std::vector<std::uint64_t> abandoned;
};

using Event = std::variant<RunInitialized, TargetsRegistered, SeedReported, GenerationPlanned,
                           CodeReported, PolicyDecided, FitnessReported, Selected, ReflectCompleted,
                           TargetFrozen, TargetBoosted, SynergyRecorded, RunFinished>;

// Stable type names used in the store ("run_initialized", ...).
const char* event_type(const Event& event);
nlohmann::json event_to_json(const Event& event);
// event_to_json(event).dump(), written directly for the large Selected event (the rank of
// every candidate, the surviving and eliminated branches: ~800 KiB at 10k active individuals).
std::string event_text(const Event& event);
Result<Event> event_from_json(const std::string& type, const nlohmann::json& data);

// Folds one event into the state. Events are trusted (they were validated when decided).
void apply_event(State& state, const Event& event);

// Full state <-> JSON, for snapshots. from_json rebuilds every index.
nlohmann::json state_to_json(const State& state);
Result<State> state_from_json(const nlohmann::json& j);

nlohmann::json config_to_json(const Config& config);

}  // namespace evo::state
