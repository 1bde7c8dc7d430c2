// Dominance, non-dominated sorting, crowding distance, survivor and parent selection.
#include "selection/selection.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "test_support.h"

namespace evo::selection {

using test::cand;
using test::front_ids;
using test::random_candidates;
using test::reference_fronts;

namespace {

constexpr Direction kMin = Direction::kMin;
constexpr Direction kMax = Direction::kMax;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Three hand-checked fronts (both objectives minimized), listed out of id order on purpose:
//   front 1: 1 (1,5)  2 (2,3)  3 (4,1)
//   front 2: 4 (2,6)  5 (3,4)  6 (5,2)   each dominated by its front-1 neighbour
//   front 3: 7 (6,3)  8 (4,5)            dominated by 6 and by 5 respectively
std::vector<Candidate> three_fronts() {
  return {cand(8, {4, 5}), cand(3, {4, 1}), cand(5, {3, 4}), cand(1, {1, 5}),
          cand(7, {6, 3}), cand(6, {5, 2}), cand(2, {2, 3}), cand(4, {2, 6})};
}

}  // namespace

TEST_SUITE("selection") {
  TEST_CASE("dominates and weakly_dominates with mixed directions") {
    const std::vector<Direction> dirs = {kMin, kMax};
    CHECK(dominates({1, 5}, {2, 3}, dirs));
    CHECK_FALSE(dominates({2, 3}, {1, 5}, dirs));
    CHECK(dominates({1, 4}, {1, 3}, dirs));  // equal first, larger is better on the second
    CHECK_FALSE(dominates({1, 3}, {1, 4}, dirs));
    CHECK_FALSE(dominates({1, 3}, {2, 4}, dirs));  // trade-off: neither dominates
    CHECK_FALSE(dominates({2, 4}, {1, 3}, dirs));

    CHECK_FALSE(dominates({1, 3}, {1, 3}, dirs));  // equality is not dominance
    CHECK(weakly_dominates({1, 3}, {1, 3}, dirs));
    CHECK(weakly_dominates({1, 5}, {2, 3}, dirs));
    CHECK_FALSE(weakly_dominates({2, 3}, {1, 5}, dirs));
    CHECK_FALSE(weakly_dominates({1, 3}, {2, 4}, dirs));

    CHECK(dominates({5}, {3}, {kMax}));
    CHECK(dominates({3}, {5}, {kMin}));
  }

  TEST_CASE("non_dominated_sort finds three hand-checked fronts, ordered by id") {
    const auto cands = three_fronts();
    const auto fronts = non_dominated_sort(cands, {kMin, kMin});
    REQUIRE(fronts.size() == 3);
    CHECK(front_ids(cands, fronts[0]) == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(front_ids(cands, fronts[1]) == std::vector<std::uint64_t>{4, 5, 6});
    CHECK(front_ids(cands, fronts[2]) == std::vector<std::uint64_t>{7, 8});

    // Maximizing both: (2,6), (4,5) and (6,3) trade off; (6,3) dominates (5,2).
    const auto flipped = non_dominated_sort(cands, {kMax, kMax});
    REQUIRE_FALSE(flipped.empty());
    CHECK(front_ids(cands, flipped[0]) == std::vector<std::uint64_t>{4, 7, 8});
  }

  TEST_CASE("non_dominated_sort keeps equal points in the same front") {
    const std::vector<Candidate> cands = {cand(10, {1, 1}), cand(3, {1, 1}), cand(4, {0, 2}),
                                          cand(7, {2, 2}), cand(2, {2, 2})};
    const auto fronts = non_dominated_sort(cands, {kMin, kMin});
    REQUIRE(fronts.size() == 2);
    CHECK(front_ids(cands, fronts[0]) == std::vector<std::uint64_t>{3, 4, 10});
    CHECK(front_ids(cands, fronts[1]) == std::vector<std::uint64_t>{2, 7});

    const std::vector<Candidate> three_d = {cand(5, {1, 2, 3}), cand(1, {1, 2, 3}),
                                            cand(9, {1, 2, 4})};
    const auto f3 = non_dominated_sort(three_d, {kMin, kMin, kMin});
    REQUIRE(f3.size() == 2);
    CHECK(front_ids(three_d, f3[0]) == std::vector<std::uint64_t>{1, 5});
    CHECK(front_ids(three_d, f3[1]) == std::vector<std::uint64_t>{9});
  }

  TEST_CASE("non_dominated_sort with one objective ranks by value, ties share a front") {
    const std::vector<Candidate> cands = {cand(1, {3}), cand(2, {1}), cand(3, {3}), cand(4, {2})};
    const auto up = non_dominated_sort(cands, {kMin});
    REQUIRE(up.size() == 3);
    CHECK(front_ids(cands, up[0]) == std::vector<std::uint64_t>{2});
    CHECK(front_ids(cands, up[1]) == std::vector<std::uint64_t>{4});
    CHECK(front_ids(cands, up[2]) == std::vector<std::uint64_t>{1, 3});

    const auto down = non_dominated_sort(cands, {kMax});
    REQUIRE(down.size() == 3);
    CHECK(front_ids(cands, down[0]) == std::vector<std::uint64_t>{1, 3});
    CHECK(front_ids(cands, down[2]) == std::vector<std::uint64_t>{2});

    CHECK(non_dominated_sort({}, {kMin}).empty());
  }

  TEST_CASE("non_dominated_sort matches an O(n^2) reference on random sets") {
    Rng rng(20240611);
    const std::vector<std::vector<Direction>> dir_sets = {{kMin},
                                                          {kMax},
                                                          {kMin, kMin},
                                                          {kMin, kMax},
                                                          {kMin, kMin, kMin},
                                                          {kMax, kMin, kMax},
                                                          {kMin, kMax, kMin, kMin}};
    for (const auto& dirs : dir_sets) {
      // A coarse grid forces many exact ties and duplicates; a fine one mostly distinct points.
      for (const std::uint64_t grid : {std::uint64_t{6}, std::uint64_t{1000}}) {
        CAPTURE(dirs.size());
        CAPTURE(grid);
        auto cands = random_candidates(rng, 500, dirs.size(), grid);
        // Exact copies under fresh ids, so duplicates are guaranteed even on the fine grid.
        for (std::uint64_t k = 0; k < 40; ++k) {
          Candidate copy = cands[rng.below(cands.size())];
          copy.id = 1000 + k;
          cands.push_back(copy);
        }
        const auto got = non_dominated_sort(cands, dirs);
        const auto want = reference_fronts(cands, dirs);
        REQUIRE(got.size() == want.size());
        for (std::size_t f = 0; f < got.size(); ++f) {
          CHECK(front_ids(cands, got[f]) == front_ids(cands, want[f]));
        }
      }
    }
  }

  TEST_CASE("crowding_distance on a small front, by hand") {
    // Objective 0 span 6, objective 1 span 10.
    //   id2: (3-0)/6 + (10-3)/10 = 0.5 + 0.7       = 1.2
    //   id3: (6-1)/6 + (6-0)/10  = 0.8333 + 0.6    = 1.4333
    const std::vector<Candidate> cands = {cand(1, {0, 10}), cand(2, {1, 6}), cand(3, {3, 3}),
                                          cand(4, {6, 0})};
    const std::vector<std::size_t> front = {2, 0, 3, 1};  // any order: output aligns with it
    const auto d = crowding_distance(cands, front, {kMin, kMin});
    REQUIRE(d.size() == 4);
    CHECK(d[0] == doctest::Approx(5.0 / 6.0 + 0.6));
    CHECK(d[1] == kInf);
    CHECK(d[2] == kInf);
    CHECK(d[3] == doctest::Approx(1.2));

    // The direction of an objective does not change distances.
    const auto d_max = crowding_distance(cands, front, {kMax, kMin});
    CHECK(d_max[0] == doctest::Approx(d[0]));
    CHECK(d_max[3] == doctest::Approx(d[3]));
  }

  TEST_CASE("crowding_distance skips a zero-span objective and infinite for tiny fronts") {
    const std::vector<Candidate> cands = {cand(1, {0, 10, 5}), cand(2, {1, 6, 5}),
                                          cand(3, {3, 3, 5}), cand(4, {6, 0, 5})};
    const auto d = crowding_distance(cands, {0, 1, 2, 3}, {kMin, kMin, kMax});
    CHECK(d[0] == kInf);
    CHECK(d[1] == doctest::Approx(1.2));  // the flat third objective adds nothing
    CHECK(d[2] == doctest::Approx(5.0 / 6.0 + 0.6));
    CHECK(d[3] == kInf);

    const std::vector<Candidate> same = {cand(1, {2, 2}), cand(2, {2, 2}), cand(3, {2, 2})};
    CHECK(crowding_distance(same, {0, 1, 2}, {kMin, kMin}) == std::vector<double>{0, 0, 0});

    CHECK(crowding_distance(cands, {1, 2}, {kMin, kMin}) == std::vector<double>{kInf, kInf});
    CHECK(crowding_distance(cands, {2}, {kMin, kMin}) == std::vector<double>{kInf});
    CHECK(crowding_distance(cands, {}, {kMin, kMin}).empty());
  }

  TEST_CASE("select_survivors accepts whole fronts, then the partial front by crowding") {
    const auto cands = three_fronts();
    const std::vector<Direction> dirs = {kMin, kMin};

    const auto six = select_survivors(cands, 6, dirs, {});
    // Within front 1, the boundaries (inf) come before the interior point 2.
    CHECK(six.keep == std::vector<std::uint64_t>{1, 3, 2, 4, 6, 5});
    CHECK(six.eliminate == std::vector<std::uint64_t>{7, 8});

    // Front 2 has boundaries 4 and 6 (both inf): the id breaks the tie.
    const auto four = select_survivors(cands, 4, dirs, {});
    CHECK(four.keep == std::vector<std::uint64_t>{1, 3, 2, 4});
    CHECK(four.eliminate == std::vector<std::uint64_t>{5, 6, 7, 8});

    CHECK(four.ranked_ids == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(four.ranks == std::vector<int>{1, 1, 1, 2, 2, 2, 3, 3});

    const auto all = select_survivors(cands, 100, dirs, {});
    CHECK(all.keep.size() == 8);
    CHECK(all.eliminate.empty());
  }

  TEST_CASE("select_survivors fills a partial front by descending crowding distance") {
    // One front of five; crowding: 1 inf, 4 inf, 3 1.1667, 2 0.8333, 5 0.6333.
    const std::vector<Candidate> cands = {cand(5, {2, 5}), cand(1, {0, 10}), cand(2, {1, 6}),
                                          cand(3, {3, 3}), cand(4, {6, 0})};
    const std::vector<Direction> dirs = {kMin, kMin};
    const auto three = select_survivors(cands, 3, dirs, {});
    CHECK(three.keep == std::vector<std::uint64_t>{1, 4, 3});
    CHECK(three.eliminate == std::vector<std::uint64_t>{2, 5});
    const auto four = select_survivors(cands, 4, dirs, {});
    CHECK(four.keep == std::vector<std::uint64_t>{1, 4, 3, 2});
    CHECK(four.eliminate == std::vector<std::uint64_t>{5});
  }

  TEST_CASE("select_survivors breaks ties by ascending id") {
    const std::vector<Candidate> cands = {cand(7, {1, 1}), cand(3, {1, 1}), cand(9, {1, 1}),
                                          cand(5, {1, 1})};
    const auto r = select_survivors(cands, 2, {kMin, kMin}, {});
    CHECK(r.keep == std::vector<std::uint64_t>{3, 5});
    CHECK(r.eliminate == std::vector<std::uint64_t>{7, 9});
  }

  TEST_CASE("select_survivors never eliminates protected ids, even beyond top_k") {
    const auto cands = three_fronts();
    const std::vector<Direction> dirs = {kMin, kMin};
    // 42 is not a candidate and is simply ignored.
    const auto r = select_survivors(cands, 4, dirs, {8, 42, 6});
    CHECK(r.keep == std::vector<std::uint64_t>{1, 3, 2, 4, 6, 8});
    CHECK(r.eliminate == std::vector<std::uint64_t>{5, 7});

    const auto one = select_survivors(cands, 1, dirs, {7});
    CHECK(one.keep == std::vector<std::uint64_t>{1, 7});
    CHECK(one.eliminate == std::vector<std::uint64_t>{2, 3, 4, 5, 6, 8});
  }

  TEST_CASE("representative and pareto_front_ids") {
    const auto cands = three_fronts();
    CHECK(pareto_front_ids(cands, {kMin, kMin}) == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(pareto_front_ids({}, {kMin, kMin}).empty());

    CHECK(representative(cands, {kMin, kMin}) == std::optional<std::uint64_t>{1});
    CHECK(representative(cands, {kMax, kMin}) == std::optional<std::uint64_t>{7});
    // The best first-objective value is shared: the smaller id wins.
    const std::vector<Candidate> tied = {cand(9, {1, 0}), cand(4, {1, 7}), cand(6, {2, 0})};
    CHECK(representative(tied, {kMin, kMin}) == std::optional<std::uint64_t>{4});
    CHECK(representative(tied, {kMax, kMin}) == std::optional<std::uint64_t>{6});
    CHECK_FALSE(representative({}, {kMin}).has_value());
  }

  TEST_CASE("rank_weighted_pair returns distinct, ordered, reproducible pairs") {
    const auto cands = three_fronts();
    const std::vector<Direction> dirs = {kMin, kMin};
    const auto ranking = select_survivors(cands, 100, dirs, {});
    std::map<std::uint64_t, std::size_t> position;  // place in the (rank, crowding, id) order
    for (std::size_t i = 0; i < ranking.keep.size(); ++i) position[ranking.keep[i]] = i;

    Rng a(7);
    Rng b(7);
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 500; ++i) {
      const auto pa = rank_weighted_pair(cands, dirs, a);
      const auto pb = rank_weighted_pair(cands, dirs, b);
      REQUIRE(pa.has_value());
      CHECK(pa == pb);
      CHECK(pa->first != pa->second);
      CHECK(position.at(pa->first) < position.at(pa->second));
      seen.insert(pa->first);
      seen.insert(pa->second);
    }
    CHECK(seen.size() == 8);

    Rng rng(1);
    CHECK_FALSE(rank_weighted_pair({cand(1, {1, 1})}, dirs, rng).has_value());
    CHECK_FALSE(rank_weighted_pair({}, dirs, rng).has_value());
    const std::vector<Candidate> two = {cand(9, {2}), cand(4, {1})};
    for (int i = 0; i < 20; ++i) {
      CHECK(rank_weighted_pair(two, {kMin}, rng) ==
            std::make_pair(std::uint64_t{4}, std::uint64_t{9}));
    }
  }

  TEST_CASE("rank_weighted_pair: pinned draws for a fixed seed") {
    // Regression pin: a change here alters every replayed run's parent choices.
    // Preference order of three_fronts() is 1, 3, 2, 4, 6, 5, 7, 8.
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> want = {{1, 7}, {1, 3}, {3, 5},
                                                                       {3, 2}, {1, 4}, {5, 8}};
    Rng rng(2024);
    for (const auto& expected : want) {
      CHECK(rank_weighted_pair(three_fronts(), {kMin, kMin}, rng) == expected);
    }
  }

  TEST_CASE("rank_weighted_pair draws better-ranked candidates more often") {
    // One objective, distinct values: candidate k has rank k, id chosen to differ from rank.
    const std::vector<Candidate> cands = {cand(50, {4}), cand(10, {0}), cand(40, {3}),
                                          cand(20, {1}), cand(30, {2})};
    std::map<std::uint64_t, int> drawn;
    std::map<std::uint64_t, int> as_better;
    Rng rng(99);
    constexpr int kDraws = 20000;
    for (int i = 0; i < kDraws; ++i) {
      const auto p = rank_weighted_pair(cands, {kMin}, rng);
      REQUIRE(p.has_value());
      CHECK(p->first < p->second);  // here ids grow with rank, so better has the smaller id
      ++drawn[p->first];
      ++drawn[p->second];
      ++as_better[p->first];
    }
    // Weights 1/6 > 1/7 > ... > 1/10: each step is worth ~1000 draws, noise is ~70.
    CHECK(drawn[10] > drawn[20]);
    CHECK(drawn[20] > drawn[30]);
    CHECK(drawn[30] > drawn[40]);
    CHECK(drawn[40] > drawn[50]);
    CHECK(as_better[50] == 0);
    // Analytic appearance probability of the best one is ~0.4944.
    CHECK(static_cast<double>(drawn[10]) / kDraws == doctest::Approx(0.4944).epsilon(0.05));
  }
}

}  // namespace evo::selection
