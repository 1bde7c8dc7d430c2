// The run model: configuration, targets, individuals (batch items and their lifecycle) and
// the whole run state. Plain data; the state machine in machine.h is the only writer.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/domain.h"
#include "core/rng.h"
#include "policy/rules.h"
#include "selection/selection.h"
#include "state/id_index.h"

namespace evo::state {

enum class PolicyMode { kBoth, kServer, kAgent, kOff };
enum class BenchmarkFormat { kNumbers, kJson };
// Wire spellings, indexed by enumerator (the one place each is written).
inline constexpr std::array<std::string_view, 4> kPolicyModeNames{"both", "server", "agent", "off"};
inline constexpr std::array<std::string_view, 2> kBenchmarkFormatNames{"numbers", "json"};
const char* to_string(PolicyMode m);
const char* to_string(BenchmarkFormat f);
std::optional<PolicyMode> parse_policy_mode(std::string_view s);
std::optional<BenchmarkFormat> parse_benchmark_format(std::string_view s);
// How the next generation is planned and who survives (selection/README.md).
// kReference: Evo-anything's algorithm, bit for bit (kept so a run can be compared with it).
// kAdaptive: the composing, budget-aware strategy. The struct default is kReference so that a
// stored config without the field (written before strategies existed) decodes, and replays
// and resumes, exactly as before; evo_init defaults a new run to kAdaptive.
enum class Strategy { kReference, kAdaptive };
inline constexpr std::array<std::string_view, 2> kStrategyNames{"reference", "adaptive"};
const char* to_string(Strategy s);
std::optional<Strategy> parse_strategy(std::string_view s);

struct ObjectiveSpec {
  std::string name;
  Direction direction = Direction::kMin;
};

struct Config {
  std::string repo_path;
  std::string benchmark_cmd;
  BenchmarkFormat benchmark_format = BenchmarkFormat::kNumbers;
  std::string quick_cmd;
  std::vector<ObjectiveSpec> objectives;
  int max_fe = 500;
  int pop_size = 8;
  double mutation_rate = 0.5;
  double structural_rate = 0.2;
  int synergy_interval = 3;
  int top_k_survive = 5;
  std::vector<std::string> directions;
  std::vector<std::string> protected_patterns;
  std::vector<std::string> test_patterns;
  PolicyMode policy_mode = PolicyMode::kBoth;
  bool archive_eliminated = true;
  bool manage_refs = true;
  std::optional<int> max_generations;
  std::optional<double> max_wall_time_s;
  std::optional<int> stagnation_generations;
  std::optional<std::vector<double>> target_fitness;
  std::uint64_t seed = 0;
  Strategy strategy = Strategy::kReference;
  int parallel_workers = 1;  // workers the user runs at once; sizes the default pop_size

  std::vector<Direction> directions_vector() const;
};

struct Target {
  std::string id;
  std::string file;
  std::string function;
  std::string description;
  std::string hint;
  std::string impact = "medium";
  std::string lines;
  std::vector<std::string> derived_from;
  bool frozen = false;
  double temperature = 1.0;
  int stagnation = 0;
  std::vector<std::uint64_t> active;       // surviving individual ids, ascending
  std::vector<std::uint64_t> local_front;  // non-dominated subset of `active`, ascending
  std::optional<std::uint64_t> best;       // representative of local_front
};

// Lifecycle of a batch item: planned -> coded -> approved | rejected -> evaluated | failed.
// abandoned: still in flight when select ran with force, or when the run stopped.
enum class ItemState { kPlanned, kCoded, kApproved, kRejected, kEvaluated, kFailed, kAbandoned };
inline constexpr std::array<std::string_view, 7> kItemStateNames{
    "planned", "coded", "approved", "rejected", "evaluated", "failed", "abandoned"};
const char* to_string(ItemState s);
std::optional<ItemState> parse_item_state(std::string_view s);

// How code_ready concluded, so a re-report gets the same reply.
enum class CodeOutcome { kNone, kAwaitingReview, kAutoApproved, kAutoRejected, kCached };

struct Individual {
  // Strings and vectors first, then the scalars packed together: with 100k individuals in
  // memory, padding between mixed members costs megabytes.
  std::string branch;
  std::string target_id;  // "<a>+<b>" for synergy
  std::vector<std::string> parent_branches;
  std::string target_file;
  std::string target_function;
  std::string structural_op;
  std::string parent_commit;  // what the change was diffed against
  std::string commit;         // the reviewed commit, pinned at code_ready
  std::string code_hash;
  std::vector<std::string> changed_files;
  std::vector<policy::Finding> violations;
  std::vector<policy::Finding> flags;
  std::string reason;           // rejection / failure reason
  std::vector<double> fitness;  // set when evaluated successfully
  // The benchmark's raw output is not kept here: nothing reads it back, and at up to 2 KB per
  // individual it would dominate a long run's memory. It stays in the fitness_reported event.
  std::optional<std::uint64_t> cache_of;
  std::uint64_t id = 0;        // creation order; 0 is the seed
  std::uint64_t evals_at = 0;  // total_evals right after this evaluation
  int generation = 0;
  int pareto_rank = 0;  // set by select; 0 = never ranked
  Operation operation = Operation::kMutate;
  ItemState state = ItemState::kPlanned;
  CodeOutcome code_outcome = CodeOutcome::kNone;
  bool is_seed = false;
  bool registered_late = false;  // a synergy branch first seen at code_ready
  bool success = false;
  bool is_new_best = false;
  bool on_front_at_eval = false;
  bool alive = false;  // in its target's active population
  bool eliminated = false;

  bool in_flight() const {
    return state == ItemState::kPlanned || state == ItemState::kCoded ||
           state == ItemState::kApproved;
  }
};

struct SynergyRecord {
  std::string branch;
  int generation = 0;
  std::vector<std::string> target_ids;
  std::vector<double> fitness_values;
  bool success = false;
  std::map<std::string, std::vector<double>> individual_fitnesses;
  std::map<std::string, double> synergy_gain;  // per objective name; positive = helps
};

enum class RunPhase { kSetup, kGenerating, kReflecting, kDone };
inline constexpr std::array<std::string_view, 4> kRunPhaseNames{"setup", "generating", "reflecting",
                                                                "done"};
const char* to_string(RunPhase p);
std::optional<RunPhase> parse_run_phase(std::string_view s);

// The outcome of the last select, kept so a repeated select gets the same reply.
struct SelectionSummary {
  int generation = -1;
  std::vector<std::string> keep;
  std::vector<std::string> eliminate;
  std::vector<std::string> abandoned;
};

struct State {
  std::string run_id;
  Config config;
  std::int64_t created_at_ms = 0;
  std::string seed_commit;  // HEAD at evo_init; the seed-baseline individual's commit
  RunPhase phase = RunPhase::kSetup;
  std::string done_reason;       // human sentence
  std::string done_reason_code;  // max_fe | max_generations | max_wall_time | stagnation |
                                 // target_fitness | stopped | no_active_targets
  int generation = 0;            // the generation being worked on (selected ones are < this)
  std::uint64_t total_evals = 0;
  std::vector<Target> targets;  // registration order (planning order)
  std::unordered_map<std::string, std::size_t> target_index;
  // index == id. A deque: it grows without moving what it holds, so a large run never needs
  // its old and new storage at once, and references to individuals stay valid.
  std::deque<Individual> individuals;
  IdIndex by_branch;                 // branch -> id (read through find())
  std::vector<std::uint64_t> batch;  // ids of the current generation's items
  // code_hash -> the first successful evaluation of that code (read through cache_hit()).
  IdIndex cache;
  selection::ParetoArchive archive;
  std::optional<std::uint64_t> best;  // representative of the global front
  std::vector<SynergyRecord> synergy_records;
  Rng::State rng{};
  int gens_without_improvement = 0;
  int last_reflected_generation = -1;
  SelectionSummary last_selection;
  std::uint64_t event_seq = 0;  // events applied so far

  const Individual* find(std::string_view branch) const;
  Individual* find(std::string_view branch);
  // The evaluated original whose in-scope code has this hash, if any.
  std::optional<std::uint64_t> cache_hit(std::string_view code_hash) const;
  // Appends an individual with this branch and indexes it; returns it.
  Individual& add_individual(const std::string& branch);
  // Makes `ind` the cache's original for its code hash unless the hash has one already.
  void remember_in_cache(const Individual& ind);
  // Rebuilds by_branch and cache from the individuals (after a snapshot is read). The cache's
  // original for a code hash is its first successful evaluation, as replay would have it.
  void reindex();
  const Target* target(const std::string& id) const;
  Target* target(const std::string& id);
  std::optional<std::vector<double>> seed_obj() const;
  std::uint64_t budget_remaining() const;
};

}  // namespace evo::state
