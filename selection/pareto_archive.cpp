// Incremental global Pareto archive: cost per insert is proportional to the front, not the
// history, which is what keeps long runs (100k evaluations) cheap.
#include <algorithm>
#include <utility>

#include "selection/selection.h"

namespace evo::selection {
namespace {

enum class Relation { kFirstDominates, kSecondDominates, kEqual, kIncomparable };

Relation relate(const Fitness& a, const Fitness& b, const std::vector<Direction>& dirs) {
  const std::size_t m = std::min({a.size(), b.size(), dirs.size()});
  bool a_better = false;
  bool b_better = false;
  for (std::size_t k = 0; k < m; ++k) {
    if (a[k] == b[k]) continue;
    const bool a_wins = (dirs[k] == Direction::kMax) == (a[k] > b[k]);
    (a_wins ? a_better : b_better) = true;
    if (a_better && b_better) return Relation::kIncomparable;
  }
  if (a_better) return Relation::kFirstDominates;
  if (b_better) return Relation::kSecondDominates;
  return Relation::kEqual;
}

auto id_less() {
  return [](const Candidate& c, std::uint64_t id) { return c.id < id; };
}

}  // namespace

ParetoArchive::ParetoArchive(std::vector<Direction> dirs) : dirs_(std::move(dirs)) {}

ParetoArchive::InsertResult ParetoArchive::insert(std::uint64_t id, const Fitness& fitness) {
  // Re-inserting an id replaces its old fitness rather than keeping two entries for one id.
  erase(id);

  InsertResult result;
  std::vector<bool> dominated(members_.size(), false);
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const Relation rel = relate(members_[i].fitness, fitness, dirs_);
    // Front members are mutually non-dominated, so a point dominated by one member cannot
    // dominate another (transitivity): rejecting here never leaves a displacement undone.
    if (rel == Relation::kFirstDominates) return result;
    if (rel == Relation::kSecondDominates) {
      dominated[i] = true;
      result.displaced.push_back(members_[i].id);
    }
  }
  result.on_front = true;

  if (!result.displaced.empty()) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (dominated[i]) continue;
      // Self-move-assignment would empty a std::vector fitness.
      if (out != i) members_[out] = std::move(members_[i]);
      ++out;
    }
    members_.resize(out);
  }
  const auto pos = std::lower_bound(members_.begin(), members_.end(), id, id_less());
  members_.insert(pos, Candidate{id, fitness});
  return result;  // displaced ids are ascending because members_ is
}

void ParetoArchive::erase(std::uint64_t id) {
  const auto pos = std::lower_bound(members_.begin(), members_.end(), id, id_less());
  if (pos != members_.end() && pos->id == id) members_.erase(pos);
}

bool ParetoArchive::contains(std::uint64_t id) const {
  const auto pos = std::lower_bound(members_.begin(), members_.end(), id, id_less());
  return pos != members_.end() && pos->id == id;
}

}  // namespace evo::selection
