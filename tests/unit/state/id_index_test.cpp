// IdIndex: lookups confirmed against the keys the individuals hold, replacement, growth, and
// keys whose hashes collide in the table.
#include "state/id_index.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using evo::state::IdIndex;

namespace {
struct Keys {
  std::vector<std::string> keys;
  auto of() const {
    return [this](std::uint64_t id) -> const std::string& { return keys.at(id); };
  }
};
}  // namespace

TEST_SUITE("id_index") {
  TEST_CASE("finds every key after growing, and nothing else") {
    Keys k;
    IdIndex index;
    for (std::uint64_t i = 0; i < 5000; ++i) {
      k.keys.push_back("gen-" + std::to_string(i / 8) + "/t/mutate-" + std::to_string(i % 8));
      CHECK(index.insert(k.keys.back(), i, k.of()));
    }
    CHECK(index.size() == 5000);
    for (std::uint64_t i = 0; i < 5000; i += 7) {
      const auto id = index.find(k.keys[i], k.of());
      REQUIRE(id.has_value());
      CHECK(*id == i);
    }
    CHECK_FALSE(index.find("gen-9999/t/mutate-0", k.of()).has_value());
    CHECK_FALSE(index.find("", k.of()).has_value());
    std::uint64_t sum = 0;
    index.for_each([&](std::uint64_t id) { sum += id; });
    CHECK(sum == 5000ull * 4999ull / 2);
  }

  TEST_CASE("insert keeps the first id; assign replaces it") {
    Keys k{{"a", "a", "b"}};
    IdIndex index;
    CHECK(index.insert("a", 0, k.of()));
    CHECK_FALSE(index.insert("a", 1, k.of()));
    CHECK(*index.find("a", k.of()) == 0);
    index.assign("a", 1, k.of());
    CHECK(*index.find("a", k.of()) == 1);
    CHECK(index.size() == 1);
    index.assign("b", 2, k.of());
    CHECK(*index.find("b", k.of()) == 2);
    CHECK(index.size() == 2);
  }

  TEST_CASE("an empty index, clear and reserve") {
    Keys k{{"x"}};
    IdIndex index;
    CHECK_FALSE(index.find("x", k.of()).has_value());
    index.reserve(1000);
    CHECK(index.insert("x", 0, k.of()));
    index.clear();
    CHECK(index.size() == 0);
    CHECK_FALSE(index.find("x", k.of()).has_value());
  }
}
