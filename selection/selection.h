// Pure selection algorithms: NSGA-II non-dominated sorting and crowding distance, survivor
// selection, parent selection, generation planning, temperature updates. No I/O, no clock;
// randomness only through the caller's evo::Rng. Ties are always broken by ascending id, so
// the same inputs and RNG state give the same output on every platform.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/rng.h"

namespace evo::selection {

using Fitness = std::vector<double>;

// An individual as selection sees it. `id` is a stable, unique, monotonically assigned number
// (creation order); it is the tie-breaker everywhere.
struct Candidate {
  std::uint64_t id = 0;
  Fitness fitness;
};

// True iff a is at least as good as b on every objective and strictly better on one.
// Sizes of a, b and dirs must match.
bool dominates(const Fitness& a, const Fitness& b, const std::vector<Direction>& dirs);

// True iff a is at least as good as b on every objective (weak dominance, includes equality).
bool weakly_dominates(const Fitness& a, const Fitness& b, const std::vector<Direction>& dirs);

// Fast non-dominated sort. Returns fronts (rank 1 first) as indices into `cands`; within a
// front, indices are ordered by ascending candidate id.
std::vector<std::vector<std::size_t>> non_dominated_sort(const std::vector<Candidate>& cands,
                                                         const std::vector<Direction>& dirs);

// Crowding distance of each member of `front` (indices into cands), aligned with `front`.
// Boundary members, and every member of a front of size <= 2, get +infinity.
std::vector<double> crowding_distance(const std::vector<Candidate>& cands,
                                      const std::vector<std::size_t>& front,
                                      const std::vector<Direction>& dirs);

struct SurvivorResult {
  std::vector<std::uint64_t> keep;       // ordered: by rank, then crowding (desc), then id
  std::vector<std::uint64_t> eliminate;  // ordered by ascending id
  // Pareto rank (1-based) of every candidate that was ranked, aligned with `ranked_ids`.
  std::vector<std::uint64_t> ranked_ids;
  std::vector<int> ranks;
};

// NSGA-II survivor selection of one population: accept whole fronts while they fit in top_k,
// then fill the rest of the last front by crowding distance (desc, ties by id). Candidates
// whose id is in `never_eliminate` (global Pareto front members) are always kept, even beyond
// top_k. top_k >= 1.
SurvivorResult select_survivors(const std::vector<Candidate>& cands, std::size_t top_k,
                                const std::vector<Direction>& dirs,
                                const std::vector<std::uint64_t>& never_eliminate);

// The non-dominated subset (ids, ascending) of cands.
std::vector<std::uint64_t> pareto_front_ids(const std::vector<Candidate>& cands,
                                            const std::vector<Direction>& dirs);

// Representative of a set: best on the first objective, ties by ascending id.
// Returns nullopt for an empty set.
std::optional<std::uint64_t> representative(const std::vector<Candidate>& cands,
                                            const std::vector<Direction>& dirs);

// Rank-weighted choice of an ordered (better, worse) parent pair from `cands`: candidates are
// ordered by (rank asc, crowding desc, id asc) and weighted 1/(i+1+n). Two distinct members.
// nullopt when fewer than two candidates.
std::optional<std::pair<std::uint64_t, std::uint64_t>> rank_weighted_pair(
    const std::vector<Candidate>& cands, const std::vector<Direction>& dirs, Rng& rng);

// Incremental global Pareto archive. A new point is compared only against the current front,
// never against the whole history. Points equal on every objective to a member are both kept.
class ParetoArchive {
 public:
  explicit ParetoArchive(std::vector<Direction> dirs = {});

  struct InsertResult {
    bool on_front = false;                 // the new point is non-dominated
    std::vector<std::uint64_t> displaced;  // ids that left the front because of it
  };
  InsertResult insert(std::uint64_t id, const Fitness& fitness);

  bool contains(std::uint64_t id) const;
  std::size_t size() const { return members_.size(); }
  // Members ordered by ascending id.
  const std::vector<Candidate>& members() const { return members_; }
  const std::vector<Direction>& directions() const { return dirs_; }

 private:
  // Drops a member; insert() uses it to replace an id's old fitness. No-op when absent.
  void erase(std::uint64_t id);

  std::vector<Direction> dirs_;
  std::vector<Candidate> members_;  // sorted by id
};

// --- Generation planning -------------------------------------------------------------------

struct TargetPlanInput {
  std::string id;
  double temperature = 1.0;
  int stagnation = 0;
  bool active = true;  // frozen targets get nothing
};

struct PlannedOp {
  std::string target_id;  // for synergy: "<a>+<b>" (a < b in the input order)
  Operation op = Operation::kMutate;
  int count = 0;
};

struct PlanParams {
  int pop_size = 8;
  double mutation_rate = 0.5;
  double structural_rate = 0.2;
  int synergy_interval = 3;
  int generation = 0;
};

// Temperature-weighted split of pop_size over active targets (each active target gets
// max(1, round(pop_size * weight)) variants). Structural ops take round(n * rate) of a target's
// slots; the rate doubles (capped at 0.5) when the target has stagnated >= 3 generations.
// The rest splits into mutate = max(1, round(rest * mutation_rate)) and crossover = rest - mutate.
// Synergy: every synergy_interval generations (generation > 0) one op per pair of active
// targets. Order of the result: targets in input order, and per target structural, crossover,
// mutate; synergy pairs last. Rounding is half away from zero (std::round).
std::vector<PlannedOp> plan_generation(const std::vector<TargetPlanInput>& targets,
                                       const PlanParams& params);

// Temperature after a select: frozen -> 0; front expanded (stagnation 0) -> min(2, t + 0.3);
// stagnation >= 3 -> max(0.2, t - 0.2); otherwise unchanged.
double next_temperature(double temperature, int stagnation, bool frozen);

// Boost: min(3, t + 1).
double boosted_temperature(double temperature);

// --- The adaptive strategy's pure rules (selection/README.md) --------------------------------

// The operators a target slot can get, in this order everywhere below.
inline constexpr std::size_t kOperatorCount = 3;  // mutate, crossover, structural
Operation operator_at(std::size_t index);
std::size_t operator_index(Operation op);  // synergy has none: returns kOperatorCount

// What recent evaluations say about each operator: tries and wins (a child strictly better
// than its first parent), indexed by operator_index.
struct OperatorStats {
  std::array<int, kOperatorCount> tries{};
  std::array<int, kOperatorCount> wins{};
};

// Operator weights from credit: each operator's Laplace-smoothed win rate (wins+1)/(tries+2),
// normalized, with a floor of 0.1 each so no operator is starved of the trials that would
// rehabilitate it. `heat` in [0, 1] (stagnation) moves up to half of the mass onto structural
// operations: the temperature increase of a stagnating run. Sums to 1.
std::array<double, kOperatorCount> operator_weights(const OperatorStats& stats, double heat);

// An index drawn with probability proportional to weights (all >= 0, sum > 0).
std::size_t draw_weighted(const std::array<double, kOperatorCount>& weights, Rng& rng);

// Exactly `slots` slots over the active targets in proportion to their temperatures, by
// largest remainder (all-zero temperatures count as equal). Remainder ties go to the target
// at or after position generation % n_active, so equal targets take turns when slots < targets.
// Returns one count per input target (0 for inactive ones).
std::vector<int> split_slots(const std::vector<TargetPlanInput>& targets, int slots,
                             int generation);

// Stagnation heat: 0 while the run improves, 1 after `restart_after` generations without.
double stagnation_heat(int gens_without_improvement, int restart_after);

// Generations without improvement after which the adaptive strategy restarts its search
// around the archive (explores at full heat): max(4, 48 / pop_size), so a wide batch, which
// samples more per generation, gives up on a basin sooner in generations.
int restart_after(int pop_size);

// Probability that a slot's parent is drawn from the population (binary tournament) rather
// than the current best combined individual: 0 while improving, up to 0.6 at full heat.
double explore_probability(double heat);

// The default pop_size for a budget and a declared parallelism: enough variants per
// generation to keep every worker busy, and otherwise few, because with a small budget each
// sequential decision counts: clamp(max_fe / 100, 1, 8) raised to parallel_workers, capped
// at 10000.
int default_pop_size(int max_fe, int parallel_workers);

}  // namespace evo::selection
