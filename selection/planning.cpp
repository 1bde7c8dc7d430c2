// Generation planning and per-target temperature rules (explore/exploit budget split).
#include <algorithm>
#include <cmath>

#include "selection/selection.h"

namespace evo::selection {
namespace {

constexpr int kStagnationThreshold = 3;
constexpr double kMaxStructuralRate = 0.5;

int round_to_int(double x) {
  return static_cast<int>(std::round(x));
}

}  // namespace

std::vector<PlannedOp> plan_generation(const std::vector<TargetPlanInput>& targets,
                                       const PlanParams& params) {
  std::vector<PlannedOp> plan;
  std::vector<const TargetPlanInput*> active;
  double total_temp = 0.0;
  for (const auto& t : targets) {
    if (!t.active) continue;
    active.push_back(&t);
    total_temp += t.temperature;
  }
  if (active.empty()) return plan;
  // All temperatures at zero: every active target still gets its minimum of one variant.
  if (total_temp == 0.0) total_temp = static_cast<double>(active.size());

  for (const TargetPlanInput* t : active) {
    const double weight = t->temperature / total_temp;
    const int n_variants = std::max(1, round_to_int(static_cast<double>(params.pop_size) * weight));

    double rate = params.structural_rate;
    if (t->stagnation >= kStagnationThreshold) rate = std::min(kMaxStructuralRate, rate * 2.0);
    const int n_structural = round_to_int(static_cast<double>(n_variants) * rate);
    const int rest = std::max(1, n_variants - n_structural);
    const int n_mutate =
        std::max(1, round_to_int(static_cast<double>(rest) * params.mutation_rate));
    const int n_crossover = std::max(0, rest - n_mutate);

    if (n_structural > 0) plan.push_back({t->id, Operation::kStructural, n_structural});
    if (n_crossover > 0) plan.push_back({t->id, Operation::kCrossover, n_crossover});
    plan.push_back({t->id, Operation::kMutate, n_mutate});
  }

  const bool synergy_due = params.generation > 0 && params.synergy_interval > 0 &&
                           params.generation % params.synergy_interval == 0;
  if (synergy_due && active.size() > 1) {
    for (std::size_t i = 0; i < active.size(); ++i) {
      for (std::size_t j = i + 1; j < active.size(); ++j) {
        plan.push_back({SynergyKey{{active[i]->id, active[j]->id}}.str(), Operation::kSynergy, 1});
      }
    }
  }
  return plan;
}

double next_temperature(double temperature, int stagnation, bool frozen) {
  if (frozen) return 0.0;
  if (stagnation == 0) return std::min(2.0, temperature + 0.3);
  if (stagnation >= kStagnationThreshold) return std::max(0.2, temperature - 0.2);
  return temperature;
}

double boosted_temperature(double temperature) {
  return std::min(3.0, temperature + 1.0);
}

}  // namespace evo::selection
