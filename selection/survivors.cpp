// NSGA-II survivor selection and rank-weighted parent selection.
#include <algorithm>
#include <numeric>

#include "selection/selection.h"

namespace evo::selection {
namespace {

// Pareto rank (1-based) and crowding distance of every candidate, indexed like `cands`.
struct Ranking {
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<int> rank;
  std::vector<double> crowding;
};

Ranking rank_candidates(const std::vector<Candidate>& cands, const std::vector<Direction>& dirs) {
  Ranking r;
  r.fronts = non_dominated_sort(cands, dirs);
  r.rank.assign(cands.size(), 0);
  r.crowding.assign(cands.size(), 0.0);
  for (std::size_t f = 0; f < r.fronts.size(); ++f) {
    const auto& front = r.fronts[f];
    const std::vector<double> dist = crowding_distance(cands, front, dirs);
    for (std::size_t p = 0; p < front.size(); ++p) {
      r.rank[front[p]] = static_cast<int>(f + 1);
      r.crowding[front[p]] = dist[p];
    }
  }
  return r;
}

// The NSGA-II preference order: rank ascending, crowding descending, id ascending.
auto preference(const std::vector<Candidate>& cands, const Ranking& r) {
  return [&cands, &r](std::size_t a, std::size_t b) {
    if (r.rank[a] != r.rank[b]) return r.rank[a] < r.rank[b];
    if (r.crowding[a] != r.crowding[b]) return r.crowding[a] > r.crowding[b];
    return cands[a].id < cands[b].id;
  };
}

// Index drawn with probability proportional to weights[i], never `skip`.
std::size_t weighted_pick(const std::vector<double>& weights, std::size_t skip, Rng& rng) {
  double total = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (i != skip) total += weights[i];
  }
  const double r = rng.next_double() * total;
  double acc = 0.0;
  std::size_t last = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (i == skip) continue;
    acc += weights[i];
    last = i;
    if (r < acc) return i;
  }
  return last;  // rounding left r at the very top of the range
}

}  // namespace

SurvivorResult select_survivors(const std::vector<Candidate>& cands, std::size_t top_k,
                                const std::vector<Direction>& dirs,
                                const std::vector<std::uint64_t>& never_eliminate) {
  const Ranking r = rank_candidates(cands, dirs);
  const auto better = preference(cands, r);
  std::vector<bool> kept(cands.size(), false);

  std::size_t remaining = top_k;
  for (const auto& front : r.fronts) {
    if (remaining == 0) break;
    if (front.size() <= remaining) {
      for (const std::size_t i : front) kept[i] = true;
      remaining -= front.size();
    } else {
      std::vector<std::size_t> by_crowding = front;  // one front: rank is equal throughout
      std::sort(by_crowding.begin(), by_crowding.end(), better);
      for (std::size_t p = 0; p < remaining; ++p) kept[by_crowding[p]] = true;
      remaining = 0;
    }
  }

  // Protected ids are added on top of the top_k choice rather than taking its slots, as the
  // reference engine does, so the ordinary NSGA-II picks do not depend on the global front.
  std::vector<std::uint64_t> protected_ids = never_eliminate;
  std::sort(protected_ids.begin(), protected_ids.end());
  for (std::size_t i = 0; i < cands.size(); ++i) {
    if (std::binary_search(protected_ids.begin(), protected_ids.end(), cands[i].id)) {
      kept[i] = true;
    }
  }

  std::vector<std::size_t> keep_idx;
  std::vector<std::size_t> drop_idx;
  for (std::size_t i = 0; i < cands.size(); ++i) (kept[i] ? keep_idx : drop_idx).push_back(i);
  std::sort(keep_idx.begin(), keep_idx.end(), better);
  std::sort(drop_idx.begin(), drop_idx.end(),
            [&](std::size_t a, std::size_t b) { return cands[a].id < cands[b].id; });

  SurvivorResult out;
  out.keep.reserve(keep_idx.size());
  for (const std::size_t i : keep_idx) out.keep.push_back(cands[i].id);
  out.eliminate.reserve(drop_idx.size());
  for (const std::size_t i : drop_idx) out.eliminate.push_back(cands[i].id);

  std::vector<std::size_t> by_id(cands.size());
  std::iota(by_id.begin(), by_id.end(), std::size_t{0});
  std::sort(by_id.begin(), by_id.end(),
            [&](std::size_t a, std::size_t b) { return cands[a].id < cands[b].id; });
  out.ranked_ids.reserve(cands.size());
  out.ranks.reserve(cands.size());
  for (const std::size_t i : by_id) {
    out.ranked_ids.push_back(cands[i].id);
    out.ranks.push_back(r.rank[i]);
  }
  return out;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> rank_weighted_pair(
    const std::vector<Candidate>& cands, const std::vector<Direction>& dirs, Rng& rng) {
  const std::size_t n = cands.size();
  if (n < 2) return std::nullopt;

  const Ranking r = rank_candidates(cands, dirs);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), preference(cands, r));

  std::vector<double> weights(n);
  for (std::size_t i = 0; i < n; ++i) weights[i] = 1.0 / static_cast<double>(i + 1 + n);

  const std::size_t first = weighted_pick(weights, n, rng);
  const std::size_t second = weighted_pick(weights, first, rng);
  // Positions in the preference order decide which parent is the better one.
  const std::size_t hi = std::min(first, second);
  const std::size_t lo = std::max(first, second);
  return std::make_pair(cands[order[hi]].id, cands[order[lo]].id);
}

}  // namespace evo::selection
