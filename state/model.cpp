// Small accessors of the run model.
#include "state/model.h"

#include <algorithm>

namespace evo::state {

std::vector<Direction> Config::directions_vector() const {
  std::vector<Direction> dirs;
  dirs.reserve(objectives.size());
  for (const auto& o : objectives) dirs.push_back(o.direction);
  return dirs;
}

namespace {
// The names arrays hold string literals, so data() is NUL-terminated.
template <typename E, std::size_t N>
const char* name_of(const std::array<std::string_view, N>& names, E value) {
  return names.at(static_cast<std::size_t>(value)).data();
}
template <typename E, std::size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}
}  // namespace

const char* to_string(ItemState s) {
  return name_of(kItemStateNames, s);
}
const char* to_string(RunPhase p) {
  return name_of(kRunPhaseNames, p);
}
const char* to_string(PolicyMode m) {
  return name_of(kPolicyModeNames, m);
}
const char* to_string(BenchmarkFormat f) {
  return name_of(kBenchmarkFormatNames, f);
}
const char* to_string(Strategy s) {
  return name_of(kStrategyNames, s);
}
std::optional<Strategy> parse_strategy(std::string_view s) {
  return parse_name<Strategy>(kStrategyNames, s);
}
std::optional<ItemState> parse_item_state(std::string_view s) {
  return parse_name<ItemState>(kItemStateNames, s);
}
std::optional<RunPhase> parse_run_phase(std::string_view s) {
  return parse_name<RunPhase>(kRunPhaseNames, s);
}
std::optional<PolicyMode> parse_policy_mode(std::string_view s) {
  return parse_name<PolicyMode>(kPolicyModeNames, s);
}
std::optional<BenchmarkFormat> parse_benchmark_format(std::string_view s) {
  return parse_name<BenchmarkFormat>(kBenchmarkFormatNames, s);
}

namespace {
// The keys IdIndex reads back from the individuals.
auto branch_of(const std::deque<Individual>& all) {
  return [&all](std::uint64_t id) -> const std::string& { return all[id].branch; };
}
auto code_hash_of(const std::deque<Individual>& all) {
  return [&all](std::uint64_t id) -> const std::string& { return all[id].code_hash; };
}
}  // namespace

const Individual* State::find(std::string_view branch) const {
  const auto id = by_branch.find(branch, branch_of(individuals));
  return id ? &individuals[*id] : nullptr;
}

Individual* State::find(std::string_view branch) {
  const auto id = by_branch.find(branch, branch_of(individuals));
  return id ? &individuals[*id] : nullptr;
}

std::optional<std::uint64_t> State::cache_hit(std::string_view code_hash) const {
  if (code_hash.empty()) return std::nullopt;
  return cache.find(code_hash, code_hash_of(individuals));
}

Individual& State::add_individual(const std::string& branch) {
  Individual ind;
  ind.id = individuals.size();
  ind.branch = branch;
  individuals.push_back(std::move(ind));
  by_branch.assign(branch, individuals.back().id, branch_of(individuals));
  return individuals.back();
}

void State::remember_in_cache(const Individual& ind) {
  if (ind.code_hash.empty()) return;
  cache.insert(ind.code_hash, ind.id, code_hash_of(individuals));
}

void State::reindex() {
  by_branch.clear();
  by_branch.reserve(individuals.size());
  std::vector<const Individual*> originals;
  for (const auto& ind : individuals) {
    by_branch.assign(ind.branch, ind.id, branch_of(individuals));
    // Evaluated for real (a cache hit copies its original's fitness and is never an original).
    if (ind.success && !ind.is_seed && !ind.cache_of && !ind.code_hash.empty()) {
      originals.push_back(&ind);
    }
  }
  std::sort(originals.begin(), originals.end(),
            [](const Individual* a, const Individual* b) { return a->evals_at < b->evals_at; });
  cache.clear();
  for (const Individual* ind : originals) remember_in_cache(*ind);
}

const Target* State::target(const std::string& id) const {
  auto it = target_index.find(id);
  return it == target_index.end() ? nullptr : &targets[it->second];
}

Target* State::target(const std::string& id) {
  auto it = target_index.find(id);
  return it == target_index.end() ? nullptr : &targets[it->second];
}

std::optional<std::vector<double>> State::seed_obj() const {
  const Individual* seed = find("seed-baseline");
  if (seed == nullptr) return std::nullopt;
  return seed->fitness;
}

std::uint64_t State::budget_remaining() const {
  const auto max_fe = static_cast<std::uint64_t>(config.max_fe);
  return total_evals >= max_fe ? 0 : max_fe - total_evals;
}

}  // namespace evo::state
