// Small accessors of the run model.
#include "state/model.h"

namespace evo::state {

std::vector<Direction> Config::directions_vector() const {
  std::vector<Direction> dirs;
  dirs.reserve(objectives.size());
  for (const auto& o : objectives) dirs.push_back(o.direction);
  return dirs;
}

const char* to_string(ItemState s) {
  switch (s) {
    case ItemState::kPlanned: return "planned";
    case ItemState::kCoded: return "coded";
    case ItemState::kApproved: return "approved";
    case ItemState::kRejected: return "rejected";
    case ItemState::kEvaluated: return "evaluated";
    case ItemState::kFailed: return "failed";
    case ItemState::kAbandoned: return "abandoned";
  }
  return "planned";
}

const char* to_string(RunPhase p) {
  switch (p) {
    case RunPhase::kSetup: return "setup";
    case RunPhase::kGenerating: return "generating";
    case RunPhase::kReflecting: return "reflecting";
    case RunPhase::kDone: return "done";
  }
  return "setup";
}

const Individual* State::find(const std::string& branch) const {
  auto it = by_branch.find(branch);
  return it == by_branch.end() ? nullptr : &individuals[it->second];
}

Individual* State::find(const std::string& branch) {
  auto it = by_branch.find(branch);
  return it == by_branch.end() ? nullptr : &individuals[it->second];
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
  auto it = by_branch.find("seed-baseline");
  if (it == by_branch.end()) return std::nullopt;
  return individuals[it->second].fitness;
}

std::uint64_t State::budget_remaining() const {
  const auto max_fe = static_cast<std::uint64_t>(config.max_fe);
  return total_evals >= max_fe ? 0 : max_fe - total_evals;
}

}  // namespace evo::state
