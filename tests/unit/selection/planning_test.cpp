// Generation planning and temperature rules, against hand-computed budgets.
#include <doctest/doctest.h>

#include <numeric>

#include "selection/selection.h"

namespace evo::selection {
namespace {

// "target:op:count" for compact, order-sensitive comparisons.
std::vector<std::string> describe(const std::vector<PlannedOp>& plan) {
  std::vector<std::string> out;
  out.reserve(plan.size());
  for (const auto& p : plan) {
    out.push_back(p.target_id + ":" + std::string(to_string(p.op)) + ":" + std::to_string(p.count));
  }
  return out;
}

TargetPlanInput target(std::string id, double temperature = 1.0, int stagnation = 0,
                       bool active = true) {
  return TargetPlanInput{std::move(id), temperature, stagnation, active};
}

int total(const std::vector<PlannedOp>& plan) {
  int n = 0;
  for (const auto& p : plan) n += p.count;
  return n;
}

}  // namespace

TEST_SUITE("selection") {
  TEST_CASE("plan_generation: one target, pop 8") {
    // 8 slots: structural round(1.6) = 2; rest 6 -> mutate round(3) = 3, crossover 3.
    const auto plan = plan_generation({target("a")}, PlanParams{});
    REQUIRE(plan.size() == 3);
    CHECK(plan[0].op == Operation::kStructural);
    CHECK(plan[0].count == 2);
    CHECK(plan[1].op == Operation::kCrossover);
    CHECK(plan[1].count == 3);
    CHECK(plan[2].op == Operation::kMutate);
    CHECK(plan[2].count == 3);
    CHECK(plan[0].target_id == "a");
    CHECK(total(plan) == 8);
  }

  TEST_CASE("plan_generation: unequal temperatures over three targets") {
    // Total temperature 3: a gets round(4) = 4, b round(1.33) = 1, c round(2.67) = 3.
    //   a: structural round(0.8) = 1, rest 3, mutate round(1.5) = 2 (half away), crossover 1
    //   b: structural round(0.2) = 0, rest 1, mutate 1, no crossover
    //   c: structural round(0.6) = 1, rest 2, mutate 1, crossover 1
    const auto plan =
        plan_generation({target("a", 1.5), target("b", 0.5), target("c", 1.0)}, PlanParams{});
    CHECK(describe(plan) == std::vector<std::string>{"a:structural:1", "a:crossover:1",
                                                     "a:mutate:2", "b:mutate:1", "c:structural:1",
                                                     "c:crossover:1", "c:mutate:1"});
  }

  TEST_CASE("plan_generation: stagnation doubles the structural rate, capped at 0.5") {
    // Rate 0.4: structural round(3.2) = 3, rest 5, mutate round(2.5) = 3, crossover 2.
    CHECK(describe(plan_generation({target("a", 1.0, 3)}, PlanParams{})) ==
          std::vector<std::string>{"a:structural:3", "a:crossover:2", "a:mutate:3"});

    PlanParams p;
    p.structural_rate = 0.3;
    // Stagnation 2 is below the threshold: rate 0.3, structural round(2.4) = 2, rest 6.
    CHECK(describe(plan_generation({target("a", 1.0, 2)}, p)) ==
          std::vector<std::string>{"a:structural:2", "a:crossover:3", "a:mutate:3"});
    // Stagnation 5: 0.6 capped to 0.5, structural 4, rest 4, mutate 2, crossover 2.
    CHECK(describe(plan_generation({target("a", 1.0, 5)}, p)) ==
          std::vector<std::string>{"a:structural:4", "a:crossover:2", "a:mutate:2"});
  }

  TEST_CASE("plan_generation: frozen targets get nothing") {
    const auto plan = plan_generation({target("a"), target("b", 5.0, 0, false)}, PlanParams{});
    CHECK(describe(plan) ==
          std::vector<std::string>{"a:structural:2", "a:crossover:3", "a:mutate:3"});
    CHECK(plan_generation({target("x", 1.0, 0, false)}, PlanParams{}).empty());
    CHECK(plan_generation({}, PlanParams{}).empty());
  }

  TEST_CASE("plan_generation: all-zero temperatures still give each target one variant") {
    CHECK(describe(plan_generation({target("a", 0.0), target("b", 0.0)}, PlanParams{})) ==
          std::vector<std::string>{"a:mutate:1", "b:mutate:1"});
  }

  TEST_CASE("plan_generation: synergy pairs every synergy_interval generations, last") {
    const std::vector<TargetPlanInput> targets = {target("a"), target("b"),
                                                  target("z", 1.0, 0, false), target("c")};
    PlanParams p;
    p.pop_size = 3;  // one slot each: a single mutate per target
    p.generation = 3;
    CHECK(describe(plan_generation(targets, p)) ==
          std::vector<std::string>{"a:mutate:1", "b:mutate:1", "c:mutate:1", "a+b:synergy:1",
                                   "a+c:synergy:1", "b+c:synergy:1"});
    const auto with_synergy = plan_generation(targets, p);
    CHECK(with_synergy.back().op == Operation::kSynergy);

    for (const int gen : {0, 1, 4, 5}) {
      p.generation = gen;
      CAPTURE(gen);
      for (const auto& op : plan_generation(targets, p)) CHECK(op.op != Operation::kSynergy);
    }
    p.generation = 6;
    CHECK(plan_generation(targets, p).size() == 6);

    p.generation = 3;  // a single active target has no pair
    for (const auto& op : plan_generation({target("a"), target("b", 1.0, 0, false)}, p)) {
      CHECK(op.op != Operation::kSynergy);
    }
  }

  TEST_CASE("next_temperature and boosted_temperature") {
    CHECK(next_temperature(1.0, 0, false) == doctest::Approx(1.3));
    CHECK(next_temperature(1.9, 0, false) == 2.0);
    CHECK(next_temperature(2.0, 0, false) == 2.0);
    CHECK(next_temperature(1.0, 1, false) == 1.0);
    CHECK(next_temperature(1.0, 2, false) == 1.0);
    CHECK(next_temperature(1.0, 3, false) == doctest::Approx(0.8));
    CHECK(next_temperature(0.3, 7, false) == 0.2);
    CHECK(next_temperature(1.5, 0, true) == 0.0);
    CHECK(next_temperature(1.5, 4, true) == 0.0);

    CHECK(boosted_temperature(1.0) == 2.0);
    CHECK(boosted_temperature(2.5) == 3.0);
    CHECK(boosted_temperature(0.0) == 1.0);
  }

  TEST_CASE("adaptive split_slots: exactly the slots, by temperature, ties take turns") {
    const std::vector<TargetPlanInput> four{target("a"), target("b"), target("c"), target("d")};
    // 2 slots over 4 equal targets: generation g gives them to targets g and g+1 (mod 4).
    CHECK(split_slots(four, 2, 0) == std::vector<int>{1, 1, 0, 0});
    CHECK(split_slots(four, 2, 1) == std::vector<int>{0, 1, 1, 0});
    CHECK(split_slots(four, 2, 3) == std::vector<int>{1, 0, 0, 1});
    // Temperatures 1.5 / 0.5 / 1.0 over 7 slots: quotas 3.5, 1.17, 2.33 -> 4, 1, 2.
    const auto three = split_slots({target("a", 1.5), target("b", 0.5), target("c", 1.0)}, 7, 0);
    CHECK(three == std::vector<int>{4, 1, 2});
    // Frozen targets get nothing; all-zero temperatures count as equal.
    CHECK(split_slots({target("a", 0.0), target("b", 0.0, 0, false), target("c", 0.0)}, 3, 0) ==
          std::vector<int>{2, 0, 1});
    for (int slots = 0; slots < 20; ++slots) {
      const auto v = split_slots(four, slots, slots);
      CHECK(std::accumulate(v.begin(), v.end(), 0) == slots);
    }
  }

  TEST_CASE("adaptive operator_weights: credit, floor, heat") {
    OperatorStats st;
    st.tries = {10, 10, 10};
    st.wins = {8, 0, 0};
    const auto w = operator_weights(st, 0.0);
    CHECK(w[0] > w[1]);
    CHECK(w[1] == doctest::Approx(w[2]));
    CHECK(w[1] >= 0.1);
    CHECK(w[0] + w[1] + w[2] == doctest::Approx(1.0));
    const auto hot = operator_weights(st, 1.0);
    CHECK(hot[2] > 0.5);  // half the mass moves onto structural
    CHECK(hot[0] + hot[1] + hot[2] == doctest::Approx(1.0));
  }

  TEST_CASE("adaptive default_pop_size: budget, then declared parallelism") {
    CHECK(default_pop_size(400, 1) == 4);
    CHECK(default_pop_size(50, 1) == 1);
    CHECK(default_pop_size(100000, 1) == 8);
    CHECK(default_pop_size(400, 16) == 16);
    CHECK(default_pop_size(400, 100000) == 10000);
    CHECK(restart_after(1) == 48);
    CHECK(restart_after(100) == 4);
    CHECK(explore_probability(0.0) == 0.0);
  }
}
}  // namespace evo::selection
