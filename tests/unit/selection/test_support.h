// Helpers shared by the selection tests, including a deliberately naive reference sort that
// the fast implementations are cross-checked against.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "selection/selection.h"

namespace evo::selection::test {

inline Candidate cand(std::uint64_t id, Fitness fitness) {
  return Candidate{id, std::move(fitness)};
}

inline std::vector<std::uint64_t> front_ids(const std::vector<Candidate>& cands,
                                            const std::vector<std::size_t>& front) {
  std::vector<std::uint64_t> ids;
  for (const std::size_t i : front) ids.push_back(cands[i].id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Points on a grid of `grid` values per objective; ids 1..n in a shuffled order.
inline std::vector<Candidate> random_candidates(Rng& rng, std::size_t n, std::size_t m,
                                                std::uint64_t grid) {
  std::vector<Candidate> cands(n);
  for (std::size_t i = 0; i < n; ++i) {
    cands[i].id = i + 1;
    for (std::size_t k = 0; k < m; ++k) {
      cands[i].fitness.push_back(static_cast<double>(rng.below(grid)) / 4.0);
    }
  }
  for (std::size_t i = n; i > 1; --i) std::swap(cands[i - 1], cands[rng.below(i)]);
  return cands;
}

// Deb's O(n^2 m) fast non-dominated sort, written for clarity, not speed.
inline std::vector<std::vector<std::size_t>> reference_fronts(const std::vector<Candidate>& cands,
                                                              const std::vector<Direction>& dirs) {
  const std::size_t n = cands.size();
  std::vector<int> dominated_by(n, 0);
  std::vector<std::vector<std::size_t>> dominates_list(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i != j && dominates(cands[i].fitness, cands[j].fitness, dirs)) {
        dominates_list[i].push_back(j);
        ++dominated_by[j];
      }
    }
  }
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < n; ++i) {
    if (dominated_by[i] == 0) current.push_back(i);
  }
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (const std::size_t i : current) {
      for (const std::size_t j : dominates_list[i]) {
        if (--dominated_by[j] == 0) next.push_back(j);
      }
    }
    fronts.push_back(current);
    current = std::move(next);
  }
  return fronts;
}

}  // namespace evo::selection::test
