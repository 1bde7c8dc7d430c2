// The adaptive strategy's pure rules: operator credit, slot split, stagnation heat and the
// default population size. See selection/README.md for how the planner combines them.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "selection/selection.h"

namespace evo::selection {

Operation operator_at(std::size_t index) {
  switch (index) {
    case 0:
      return Operation::kMutate;
    case 1:
      return Operation::kCrossover;
    default:
      return Operation::kStructural;
  }
}

std::size_t operator_index(Operation op) {
  switch (op) {
    case Operation::kMutate:
      return 0;
    case Operation::kCrossover:
      return 1;
    case Operation::kStructural:
      return 2;
    case Operation::kSynergy:
      break;
  }
  return kOperatorCount;
}

std::array<double, kOperatorCount> operator_weights(const OperatorStats& stats, double heat) {
  constexpr double kFloor = 0.1;
  std::array<double, kOperatorCount> w{};
  double total = 0.0;
  for (std::size_t i = 0; i < kOperatorCount; ++i) {
    w[i] = (stats.wins[i] + 1.0) / (stats.tries[i] + 2.0);
    total += w[i];
  }
  // Floor, then renormalize: the floor is a share of the whole, not of the credit.
  const double spare = 1.0 - kFloor * static_cast<double>(kOperatorCount);
  for (auto& x : w) x = kFloor + spare * x / total;
  const double h = std::clamp(heat, 0.0, 1.0) * 0.5;
  for (std::size_t i = 0; i < kOperatorCount; ++i) w[i] *= 1.0 - h;
  w[operator_index(Operation::kStructural)] += h;
  return w;
}

std::size_t draw_weighted(const std::array<double, kOperatorCount>& weights, Rng& rng) {
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const double r = rng.next_double() * total;
  double acc = 0.0;
  for (std::size_t i = 0; i < kOperatorCount; ++i) {
    acc += weights[i];
    if (r < acc) return i;
  }
  return kOperatorCount - 1;  // rounding left r at the very top of the range
}

std::vector<int> split_slots(const std::vector<TargetPlanInput>& targets, int slots,
                             int generation) {
  std::vector<int> out(targets.size(), 0);
  std::vector<std::size_t> active;
  double total = 0.0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!targets[i].active) continue;
    active.push_back(i);
    total += targets[i].temperature;
  }
  if (active.empty() || slots <= 0) return out;
  const bool flat = total <= 0.0;
  std::vector<double> remainder(targets.size(), 0.0);
  int given = 0;
  for (const std::size_t i : active) {
    const double quota = flat ? static_cast<double>(slots) / static_cast<double>(active.size())
                              : static_cast<double>(slots) * targets[i].temperature / total;
    out[i] = static_cast<int>(std::floor(quota));
    remainder[i] = quota - std::floor(quota);
    given += out[i];
  }
  // Rotate the tie-break start so equal targets take turns over generations.
  const std::size_t n = active.size();
  const std::size_t start = static_cast<std::size_t>(generation < 0 ? 0 : generation) % n;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double ra = remainder[active[a]];
    const double rb = remainder[active[b]];
    if (ra != rb) return ra > rb;
    return (a + n - start) % n < (b + n - start) % n;
  });
  for (std::size_t k = 0; given < slots; k = (k + 1) % n, ++given) ++out[active[order[k]]];
  return out;
}

double stagnation_heat(int gens_without_improvement, int restart_after_gens) {
  if (restart_after_gens <= 0) return 0.0;
  return std::clamp(static_cast<double>(gens_without_improvement) / restart_after_gens, 0.0, 1.0);
}

int restart_after(int pop_size) {
  return std::max(4, 48 / std::max(1, pop_size));
}

double explore_probability(double heat) {
  return 0.6 * std::clamp(heat, 0.0, 1.0);
}

int default_pop_size(int max_fe, int parallel_workers) {
  const int by_budget = std::clamp(max_fe / 100, 1, 8);
  return std::min(10000, std::max(by_budget, std::max(1, parallel_workers)));
}

}  // namespace evo::selection
