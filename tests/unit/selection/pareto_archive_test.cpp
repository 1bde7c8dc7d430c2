// The incremental Pareto archive, by hand and against a full recomputation.
#include <doctest/doctest.h>

#include "selection/selection.h"
#include "test_support.h"

namespace evo::selection {

using test::random_candidates;

namespace {

std::vector<std::uint64_t> member_ids(const ParetoArchive& archive) {
  std::vector<std::uint64_t> ids;
  for (const auto& c : archive.members()) ids.push_back(c.id);
  return ids;
}

}  // namespace

TEST_SUITE("selection") {
  TEST_CASE("ParetoArchive: dominated, dominating and equal points") {
    ParetoArchive archive({Direction::kMin, Direction::kMin});
    auto r = archive.insert(1, {5, 5});
    CHECK(r.on_front);
    CHECK(r.displaced.empty());

    r = archive.insert(2, {6, 6});  // dominated by 1
    CHECK_FALSE(r.on_front);
    CHECK(r.displaced.empty());
    CHECK_FALSE(archive.contains(2));
    CHECK(archive.size() == 1);

    CHECK(archive.insert(4, {9, 1}).on_front);
    CHECK(archive.insert(3, {1, 9}).on_front);
    CHECK(member_ids(archive) == std::vector<std::uint64_t>{1, 3, 4});

    r = archive.insert(7, {5, 6});  // dominated by 1 only; must not displace anything
    CHECK_FALSE(r.on_front);
    CHECK(archive.size() == 3);

    // Displacing the middle member keeps its neighbours intact, fitness included.
    r = archive.insert(9, {4, 4});
    CHECK(r.on_front);
    CHECK(r.displaced == std::vector<std::uint64_t>{1});
    CHECK(member_ids(archive) == std::vector<std::uint64_t>{3, 4, 9});
    CHECK(archive.members()[0].fitness == Fitness{1, 9});
    CHECK(archive.members()[1].fitness == Fitness{9, 1});
    CHECK(archive.members()[2].fitness == Fitness{4, 4});

    r = archive.insert(5, {1, 1});  // dominates all three
    CHECK(r.on_front);
    CHECK(r.displaced == std::vector<std::uint64_t>{3, 4, 9});
    CHECK(member_ids(archive) == std::vector<std::uint64_t>{5});

    r = archive.insert(6, {1, 1});  // equal: both stay
    CHECK(r.on_front);
    CHECK(r.displaced.empty());
    CHECK(member_ids(archive) == std::vector<std::uint64_t>{5, 6});

    r = archive.insert(8, {0, 1});  // dominates both equal points at once
    CHECK(r.displaced == std::vector<std::uint64_t>{5, 6});
    CHECK(member_ids(archive) == std::vector<std::uint64_t>{8});
  }

  TEST_CASE("ParetoArchive: contains, mixed directions and re-insertion") {
    ParetoArchive archive({Direction::kMax, Direction::kMin});
    CHECK(archive.insert(10, {3, 3}).on_front);
    CHECK(archive.insert(2, {5, 5}).on_front);  // better on the max axis, worse on the min one
    CHECK_FALSE(archive.insert(7, {2, 4}).on_front);
    CHECK(member_ids(archive) == std::vector<std::uint64_t>{2, 10});
    CHECK(archive.members()[0].fitness == Fitness{5, 5});

    CHECK(archive.contains(10));
    CHECK(archive.contains(2));
    CHECK_FALSE(archive.contains(7));  // dominated on arrival: never a member
    CHECK_FALSE(archive.contains(99));

    // Re-inserting an id replaces its fitness instead of duplicating it; here the new point
    // dominates 10, which leaves.
    const auto r = archive.insert(2, {6, 3});
    CHECK(r.on_front);
    CHECK(r.displaced == std::vector<std::uint64_t>{10});
    CHECK(archive.size() == 1);
    CHECK_FALSE(archive.contains(10));
    CHECK(archive.members()[0].fitness == Fitness{6, 3});
    CHECK(archive.directions() == std::vector<Direction>{Direction::kMax, Direction::kMin});
  }

  TEST_CASE("ParetoArchive matches pareto_front_ids on random streams") {
    Rng rng(4242);
    const std::vector<std::vector<Direction>> dir_sets = {
        {Direction::kMin},
        {Direction::kMax},
        {Direction::kMin, Direction::kMax},
        {Direction::kMin, Direction::kMin, Direction::kMin},
        {Direction::kMax, Direction::kMin, Direction::kMax}};
    for (const auto& dirs : dir_sets) {
      for (const std::uint64_t grid : {std::uint64_t{8}, std::uint64_t{100000}}) {
        CAPTURE(dirs.size());
        CAPTURE(grid);
        const auto points = random_candidates(rng, 2000, dirs.size(), grid);
        ParetoArchive archive(dirs);
        std::vector<Candidate> seen;
        for (std::size_t i = 0; i < points.size(); ++i) {
          const auto before = member_ids(archive);
          const auto r = archive.insert(points[i].id, points[i].fitness);
          seen.push_back(points[i]);
          // A dominated point can never be the reason another leaves the front.
          if (!r.on_front) CHECK(r.displaced.empty());
          CHECK(r.on_front == archive.contains(points[i].id));
          if (i % 250 == 249 || i + 1 == points.size()) {
            CHECK(member_ids(archive) == pareto_front_ids(seen, dirs));
          }
          for (const auto id : r.displaced)
            CHECK(std::binary_search(before.begin(), before.end(), id));
        }
      }
    }
  }
}

}  // namespace evo::selection
