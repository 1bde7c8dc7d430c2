// Dominance, non-dominated sorting, crowding distance and the front helpers built on them.
#include "selection/selection.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <numeric>

namespace evo::selection {
namespace {

// Objective values rewritten so that smaller is better on every axis, stored row-major
// (n x m). Flat storage keeps the sort's inner loops in cache at 100k candidates.
std::vector<double> minimization_keys(const std::vector<Candidate>& cands,
                                      const std::vector<Direction>& dirs) {
  const std::size_t m = dirs.size();
  std::vector<double> keys(cands.size() * m);
  for (std::size_t i = 0; i < cands.size(); ++i) {
    for (std::size_t k = 0; k < m; ++k) {
      const double v = cands[i].fitness[k];
      keys[i * m + k] = dirs[k] == Direction::kMax ? -v : v;
    }
  }
  return keys;
}

// Whether row a dominates row b, both already in minimization form.
bool key_dominates(const double* a, const double* b, std::size_t m) {
  bool strictly = false;
  for (std::size_t k = 0; k < m; ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

void sort_by_id(const std::vector<Candidate>& cands, std::vector<std::size_t>& idx) {
  std::sort(idx.begin(), idx.end(),
            [&](std::size_t a, std::size_t b) { return cands[a].id < cands[b].id; });
}

// ENS-BS placement of candidates, visited in lexicographic order: `dominated(f, c)` says
// whether front f holds a member dominating c; `added(f, c)` is told where c went.
template <typename Dominated, typename Added = void (*)(std::size_t, std::size_t)>
void assign_fronts(
    const std::vector<std::size_t>& order, std::vector<std::vector<std::size_t>>& fronts,
    Dominated dominated, Added added = [](std::size_t, std::size_t) {}) {
  for (const std::size_t c : order) {
    std::size_t lo = 0;
    std::size_t hi = fronts.size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (dominated(mid, c)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    added(lo, c);
    if (lo == fronts.size()) fronts.emplace_back();
    fronts[lo].push_back(c);
  }
}

// Three objectives: every member of a front precedes the candidate lexicographically, so its
// first key is already <= the candidate's, and domination reduces to a 2-D question on the
// last two keys. A front answers it from its staircase of (y, z) minima in O(log size),
// where a plain scan of the front would make one large front quadratic.
class Staircase {
 public:
  // Whether some member dominates the point `r` (which sorts after every member).
  bool dominates(const double* r) const {
    auto it = steps_.upper_bound(r[1]);
    if (it == steps_.begin()) return false;
    --it;  // the member with y <= r[1] and the smallest z
    const double y = it->first;
    const double z = it->second.z;
    if (z != r[2]) return z < r[2];
    if (y != r[1]) return true;
    return it->second.min_x < r[0];  // same (y, z): only a smaller x makes it strict
  }

  void add(const double* r) {
    auto next = steps_.upper_bound(r[1]);
    if (next != steps_.begin() && std::prev(next)->second.z <= r[2]) {
      // Weakly covered on (y, z) by an earlier member, whose x is no larger: that member
      // answers every later query at least as well.
      return;
    }
    steps_[r[1]] = Step{r[2], r[0]};
    // Steps this point now covers can never be the deciding one again.
    while (next != steps_.end() && next->second.z >= r[2]) next = steps_.erase(next);
  }

 private:
  struct Step {
    double z;
    double min_x;
  };
  std::map<double, Step> steps_;  // y ascending, z strictly descending
};

}  // namespace

bool dominates(const Fitness& a, const Fitness& b, const std::vector<Direction>& dirs) {
  // A size mismatch is a caller bug; comparing the common prefix at least stays in bounds.
  const std::size_t m = std::min({a.size(), b.size(), dirs.size()});
  bool strictly = false;
  for (std::size_t k = 0; k < m; ++k) {
    const bool max = dirs[k] == Direction::kMax;
    const bool worse = max ? a[k] < b[k] : a[k] > b[k];
    if (worse) return false;
    if (a[k] != b[k]) strictly = true;
  }
  return strictly;
}

bool weakly_dominates(const Fitness& a, const Fitness& b, const std::vector<Direction>& dirs) {
  const std::size_t m = std::min({a.size(), b.size(), dirs.size()});
  for (std::size_t k = 0; k < m; ++k) {
    const bool max = dirs[k] == Direction::kMax;
    if (max ? a[k] < b[k] : a[k] > b[k]) return false;
  }
  return true;
}

// Efficient non-dominated sort with binary search over fronts (ENS-BS, Zhang et al. 2015).
// After a lexicographic sort of the minimization keys, a candidate can only be dominated by
// candidates placed before it, so each one is assigned once, to the first front that holds
// nothing dominating it. "Dominated by front k" is monotone in k (whoever dominates it in
// front k is itself dominated by someone in every earlier front), hence the binary search.
std::vector<std::vector<std::size_t>> non_dominated_sort(const std::vector<Candidate>& cands,
                                                         const std::vector<Direction>& dirs) {
  const std::size_t n = cands.size();
  const std::size_t m = dirs.size();
  std::vector<std::vector<std::size_t>> fronts;
  if (n == 0) return fronts;

  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (m == 0) {  // nothing to compare on: nobody dominates anybody
    sort_by_id(cands, order);
    fronts.push_back(std::move(order));
    return fronts;
  }

  const std::vector<double> keys = minimization_keys(cands, dirs);
  auto row = [&](std::size_t i) { return keys.data() + i * m; };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double* ra = row(a);
    const double* rb = row(b);
    for (std::size_t k = 0; k < m; ++k) {
      if (ra[k] < rb[k]) return true;
      if (rb[k] < ra[k]) return false;
    }
    return cands[a].id < cands[b].id;
  });

  if (m == 1) {
    // One axis: a front is a run of equal values.
    for (std::size_t pos = 0; pos < n; ++pos) {
      if (pos == 0 || row(order[pos - 1])[0] < row(order[pos])[0]) fronts.emplace_back();
      fronts.back().push_back(order[pos]);
    }
  } else if (m == 2) {
    // The last member of a front (in sorted order) has the smallest second key, and every
    // member is <= the candidate on the first key, so it alone decides.
    assign_fronts(order, fronts, [&](std::size_t f, std::size_t c) {
      return key_dominates(row(fronts[f].back()), row(c), m);
    });
  } else if (m == 3) {
    std::vector<Staircase> stairs;
    assign_fronts(
        order, fronts, [&](std::size_t f, std::size_t c) { return stairs[f].dominates(row(c)); },
        [&](std::size_t f, std::size_t c) {
          if (f == stairs.size()) stairs.emplace_back();
          stairs[f].add(row(c));
        });
  } else {
    assign_fronts(order, fronts, [&](std::size_t f, std::size_t c) {
      // Later members are closer to the candidate in sort order, so more likely to dominate it.
      const auto& front = fronts[f];
      return std::any_of(front.rbegin(), front.rend(),
                         [&](std::size_t j) { return key_dominates(row(j), row(c), m); });
    });
  }

  for (auto& front : fronts) sort_by_id(cands, front);
  return fronts;
}

std::vector<double> crowding_distance(const std::vector<Candidate>& cands,
                                      const std::vector<std::size_t>& front,
                                      const std::vector<Direction>& dirs) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const std::size_t n = front.size();
  std::vector<double> dist(n, 0.0);
  if (n <= 2) {
    std::fill(dist.begin(), dist.end(), kInf);
    return dist;
  }

  std::vector<std::size_t> pos(n);  // positions into `front`
  for (std::size_t k = 0; k < dirs.size(); ++k) {
    auto value = [&](std::size_t p) { return cands[front[p]].fitness[k]; };
    std::iota(pos.begin(), pos.end(), std::size_t{0});
    std::sort(pos.begin(), pos.end(), [&](std::size_t a, std::size_t b) {
      if (value(a) != value(b)) return value(a) < value(b);
      return cands[front[a]].id < cands[front[b]].id;
    });
    const double span = value(pos[n - 1]) - value(pos[0]);
    // A flat objective has no extremes: marking its "boundaries" would only reward whichever
    // ids happen to sort first and last.
    if (span == 0.0) continue;
    dist[pos[0]] = kInf;
    dist[pos[n - 1]] = kInf;
    for (std::size_t r = 1; r + 1 < n; ++r) {
      dist[pos[r]] += (value(pos[r + 1]) - value(pos[r - 1])) / span;
    }
  }
  return dist;
}

std::vector<std::uint64_t> pareto_front_ids(const std::vector<Candidate>& cands,
                                            const std::vector<Direction>& dirs) {
  std::vector<std::uint64_t> ids;
  const auto fronts = non_dominated_sort(cands, dirs);
  if (fronts.empty()) return ids;
  ids.reserve(fronts.front().size());
  for (const std::size_t i : fronts.front()) ids.push_back(cands[i].id);
  return ids;  // fronts are already ordered by id
}

std::optional<std::uint64_t> representative(const std::vector<Candidate>& cands,
                                            const std::vector<Direction>& dirs) {
  if (cands.empty()) return std::nullopt;
  const bool max = !dirs.empty() && dirs[0] == Direction::kMax;
  const Candidate* best = &cands[0];
  for (const Candidate& c : cands) {
    if (dirs.empty()) {  // no objective to rank on: the id alone decides
      if (c.id < best->id) best = &c;
      continue;
    }
    const double a = c.fitness[0];
    const double b = best->fitness[0];
    const bool better = max ? a > b : a < b;
    if (better || (a == b && c.id < best->id)) best = &c;
  }
  return best->id;
}

}  // namespace evo::selection
