// nlohmann codecs of the run model (not of the events), shared by json_io.cpp and snapshot.cpp.
// Internal to evo::state: one definition of each codec, so both files write the same JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "state/model.h"

namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& opt) {
    if (opt) {
      j = *opt;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& opt) {
    if (j.is_null()) {
      opt = std::nullopt;
    } else {
      opt = j.get<T>();
    }
  }
};
}  // namespace nlohmann

namespace evo {
NLOHMANN_JSON_SERIALIZE_ENUM(Direction, {{Direction::kMin, "min"}, {Direction::kMax, "max"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Operation, {{Operation::kMutate, "mutate"},
                                         {Operation::kCrossover, "crossover"},
                                         {Operation::kStructural, "structural"},
                                         {Operation::kSynergy, "synergy"}})
}  // namespace evo

namespace evo::policy {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Finding, rule, path, detail)
}  // namespace evo::policy

namespace evo::state {

NLOHMANN_JSON_SERIALIZE_ENUM(PolicyMode, {{PolicyMode::kBoth, "both"},
                                          {PolicyMode::kServer, "server"},
                                          {PolicyMode::kAgent, "agent"},
                                          {PolicyMode::kOff, "off"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Strategy, {{Strategy::kReference, "reference"},
                                        {Strategy::kAdaptive, "adaptive"}})
NLOHMANN_JSON_SERIALIZE_ENUM(BenchmarkFormat, {{BenchmarkFormat::kNumbers, "numbers"},
                                               {BenchmarkFormat::kJson, "json"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ItemState, {{ItemState::kPlanned, "planned"},
                                         {ItemState::kCoded, "coded"},
                                         {ItemState::kApproved, "approved"},
                                         {ItemState::kRejected, "rejected"},
                                         {ItemState::kEvaluated, "evaluated"},
                                         {ItemState::kFailed, "failed"},
                                         {ItemState::kAbandoned, "abandoned"}})
NLOHMANN_JSON_SERIALIZE_ENUM(CodeOutcome, {{CodeOutcome::kNone, "none"},
                                           {CodeOutcome::kAwaitingReview, "awaiting_review"},
                                           {CodeOutcome::kAutoApproved, "auto_approved"},
                                           {CodeOutcome::kAutoRejected, "auto_rejected"},
                                           {CodeOutcome::kCached, "cached"}})
NLOHMANN_JSON_SERIALIZE_ENUM(RunPhase, {{RunPhase::kSetup, "setup"},
                                        {RunPhase::kGenerating, "generating"},
                                        {RunPhase::kReflecting, "reflecting"},
                                        {RunPhase::kDone, "done"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObjectiveSpec, name, direction)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    Config, repo_path, benchmark_cmd, benchmark_format, quick_cmd, objectives, max_fe, pop_size,
    mutation_rate, structural_rate, synergy_interval, top_k_survive, directions, protected_patterns,
    test_patterns, policy_mode, archive_eliminated, manage_refs, max_generations, max_wall_time_s,
    stagnation_generations, target_fitness, seed, strategy, parallel_workers)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Target, id, file, function, description, hint,
                                                impact, lines, derived_from, frozen, temperature,
                                                stagnation, active, local_front, best)
// The fields of Individual, listed once for its JSON codec and for the snapshot writer.
// clang-format 14 re-indents an X-macro list differently on each pass: laid out by hand.
// clang-format off
#define EVO_INDIVIDUAL_DATA_FIELDS(X)                                                   \
  X(branch) X(generation) X(target_id) X(operation) X(is_seed) X(registered_late)      \
  X(parent_branches) X(target_file) X(target_function) X(structural_op) X(state)       \
  X(code_outcome) X(parent_commit) X(commit) X(code_hash) X(changed_files)             \
  X(violations) X(flags) X(reason) X(fitness) X(success) X(cache_of) X(is_new_best)     \
  X(on_front_at_eval) X(evals_at) X(pareto_rank) X(alive) X(eliminated)
// clang-format on
#define EVO_INDIVIDUAL_FIELDS(X) X(id) EVO_INDIVIDUAL_DATA_FIELDS(X)

// As NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT would write them: a missing key reads as
// the field's default.
inline void to_json(nlohmann::json& j, const Individual& ind) {
#define EVO_TO_JSON(f) j[#f] = ind.f;
  EVO_INDIVIDUAL_FIELDS(EVO_TO_JSON)
#undef EVO_TO_JSON
}
inline void from_json(const nlohmann::json& j, Individual& ind) {
  const Individual defaults;
#define EVO_FROM_JSON(f) ind.f = j.value(#f, defaults.f);
  EVO_INDIVIDUAL_FIELDS(EVO_FROM_JSON)
#undef EVO_FROM_JSON
}
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SynergyRecord, branch, generation, target_ids,
                                                fitness_values, success, individual_fitnesses,
                                                synergy_gain)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SelectionSummary, generation, keep, eliminate,
                                                abandoned)

// Every part of the state but its individuals (snapshot headers add them separately).
nlohmann::json state_header_json(const State& s);
// The inverse of state_header_json; throws nlohmann::json::exception on a malformed header.
void read_state_header(const nlohmann::json& j, State& s);
// Rebuilds what a snapshot leaves out because it follows from the rest: the lookup indexes and
// the archive (from its member ids).
Status rebuild_indexes(State& s, const std::vector<std::uint64_t>& archive);

}  // namespace evo::state
