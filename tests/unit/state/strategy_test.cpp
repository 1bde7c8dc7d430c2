// The two search strategies on the state machine: the defects of issue 12 (each fixed in the
// adaptive strategy, and each still present in the reference strategy, which must stay
// Evo-anything's algorithm bit for bit), and a property test over random report sequences.
#include <map>
#include <set>

#include "core/rng.h"
#include "state/json_codec.h"
#include "tests/unit/state/harness.h"

using namespace evo;
using namespace evo::state;
using namespace evo::state::testing;

namespace {

Config strategy_config(Strategy strategy, int objectives = 1) {
  Config c = make_config(objectives);
  c.strategy = strategy;
  c.max_fe = 400;
  return c;
}

// Codes and evaluates every planned item; fitness from score(item).
template <typename F>
void evaluate_all(Driver& d, F score) {
  for (const auto& b : d.batch_branches()) {
    if (!d.s.find(b)->in_flight()) continue;
    auto reply = d.code_ready(b, d.observe(b));
    if (reply.at("action") == "check_policy") d.ok(PolicyPassCmd{b});
    const Individual* ind = d.s.find(b);
    if (ind->state == ItemState::kApproved) d.fitness(b, score(*ind));
  }
}

void next_generation(Driver& d) {
  d.ok(SelectCmd{false});
  d.ok(ReflectDoneCmd{false, d.now});
}

std::set<std::string> distinct(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

const Individual& seed_of(const Driver& d) {
  return *d.s.find("seed-baseline");
}

std::vector<const Individual*> batch(const Driver& d) {
  std::vector<const Individual*> out;
  for (auto id : d.s.batch) out.push_back(&d.s.individuals[id]);
  return out;
}

// The synergy combinations planned so far: target ids and parent branches.
std::vector<std::pair<std::string, std::vector<std::string>>> synergies(const Driver& d) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& ind : d.s.individuals) {
    if (ind.operation == Operation::kSynergy) out.emplace_back(ind.target_id, ind.parent_branches);
  }
  return out;
}

// A synergy item merges: its fitness is the sum of the best parents' gains (a separable
// problem), every other item gets `other`.
double separable_score(const Driver& d, const Individual& ind, double gain) {
  if (ind.operation != Operation::kSynergy) return 10.0 - gain;
  double f = 10.0;
  for (const auto& p : ind.parent_branches) f -= 10.0 - d.s.find(p)->fitness[0];
  return f;
}

}  // namespace

TEST_SUITE("state.strategy") {
  TEST_CASE("defect 1: no crossover with fewer than two distinct parents") {
    for (const Strategy strategy : {Strategy::kReference, Strategy::kAdaptive}) {
      CAPTURE(static_cast<int>(strategy));
      Driver d;
      auto cfg = strategy_config(strategy);
      cfg.pop_size = 8;
      d.init(cfg);
      d.seed();
      d.ok(BeginGenerationCmd{d.now});
      bool lone_crossover = false;
      for (const Individual* ind : batch(d)) {
        if (ind->operation == Operation::kCrossover && distinct(ind->parent_branches).size() < 2) {
          lone_crossover = true;
        }
      }
      // The reference plans crossover-0 from seed-baseline alone; adaptive never does.
      CHECK(lone_crossover == (strategy == Strategy::kReference));
    }
  }

  TEST_CASE("defect 2: the seed competes for survival in its target") {
    for (const Strategy strategy : {Strategy::kReference, Strategy::kAdaptive}) {
      CAPTURE(static_cast<int>(strategy));
      Driver d;
      d.init(strategy_config(strategy));
      d.seed({10.0});
      d.ok(BeginGenerationCmd{d.now});
      evaluate_all(d, [](const Individual& ind) {
        return std::vector<double>{20.0 + static_cast<double>(ind.id)};
      });
      d.ok(SelectCmd{false});
      const Target& t = *d.s.target("loss-fn");
      REQUIRE(d.s.best);
      CHECK(*d.s.best == seed_of(d).id);
      const bool seed_kept =
          std::find(t.active.begin(), t.active.end(), seed_of(d).id) != t.active.end();
      CHECK(seed_kept == (strategy == Strategy::kAdaptive));
      if (strategy == Strategy::kAdaptive) {
        REQUIRE(t.best);
        CHECK(*t.best == seed_of(d).id);  // the next generation breeds from the best, not worse
      }
    }
  }

  TEST_CASE("defect 3: targets compose; synergy merges every target and its winner breeds in all") {
    Driver d;
    auto cfg = strategy_config(Strategy::kAdaptive);
    cfg.pop_size = 6;
    d.init(cfg, {"a", "b", "c"});
    d.seed({10.0});
    d.ok(BeginGenerationCmd{d.now});
    // Generation 0: a's variants gain 1, b's 2, c's 3 (a separable problem).
    const std::map<std::string, double> gain{{"a", 1.0}, {"b", 2.0}, {"c", 3.0}};
    evaluate_all(d, [&](const Individual& ind) {
      return std::vector<double>{separable_score(d, ind, gain.at(ind.target_id))};
    });
    next_generation(d);
    const std::string best = d.s.individuals[*d.s.best].branch;
    CHECK(d.s.individuals[*d.s.best].target_id == "c");
    // The synergy of generation 1 merges the best of all three targets, not a pair.
    const Individual* syn = nullptr;
    for (const Individual* ind : batch(d)) {
      if (ind->operation == Operation::kSynergy) syn = ind;
    }
    REQUIRE(syn != nullptr);
    CHECK(syn->target_id == "a+b+c");
    CHECK(syn->parent_branches.size() == 3);
    CHECK(distinct(syn->parent_branches).size() == 3);
    // Most variants start from the best combined individual (a tenth explore).
    int from_best = 0;
    int variants = 0;
    for (const Individual* ind : batch(d)) {
      if (ind->operation == Operation::kSynergy) continue;
      ++variants;
      if (ind->parent_branches[0] == best) ++from_best;
    }
    CHECK(from_best * 2 > variants);
    const std::string syn_branch = syn->branch;
    evaluate_all(d, [&](const Individual& ind) {
      // The merge gains 6; plain variants gain nothing this time.
      return std::vector<double>{ind.operation == Operation::kSynergy ? 4.0 : 11.0};
    });
    next_generation(d);
    const auto syn_id = d.s.find(syn_branch)->id;
    CHECK(*d.s.best == syn_id);
    for (const auto& t : d.s.targets) {
      CAPTURE(t.id);
      CHECK(std::find(t.active.begin(), t.active.end(), syn_id) != t.active.end());
      REQUIRE(t.best);
      CHECK(*t.best == syn_id);
    }
    // Generation 2 builds on the merge in every target.
    for (const Individual* ind : batch(d)) {
      if (ind->operation != Operation::kSynergy && ind->parent_branches[0] == syn_branch) {
        from_best = -1;
      }
    }
    CHECK(from_best == -1);
  }

  TEST_CASE("defect 4: an evaluated synergy combination is never planned again") {
    for (const Strategy strategy : {Strategy::kReference, Strategy::kAdaptive}) {
      CAPTURE(static_cast<int>(strategy));
      Driver d;
      auto cfg = strategy_config(strategy);
      cfg.pop_size = 4;
      cfg.synergy_interval = 1;
      d.init(cfg, {"a", "b"});
      d.seed({10.0});
      d.ok(BeginGenerationCmd{d.now});
      evaluate_all(d, [&](const Individual& ind) {
        return std::vector<double>{ind.target_id == "a" ? 9.0
                                                        : 8.0 + 0.01 * static_cast<double>(ind.id)};
      });
      next_generation(d);
      // From now on nothing improves: the bests stay, and so would the same combination.
      for (int gen = 1; gen < 5; ++gen) {
        evaluate_all(d, [](const Individual&) { return std::vector<double>{50.0}; });
        next_generation(d);
      }
      const auto all = synergies(d);
      std::set<std::pair<std::string, std::vector<std::string>>> unique(all.begin(), all.end());
      CHECK_FALSE(all.empty());
      CHECK((unique.size() == all.size()) == (strategy == Strategy::kAdaptive));
    }
  }

  TEST_CASE("defect 5: a generation's batch holds exactly pop_size items, synergy included") {
    for (const Strategy strategy : {Strategy::kReference, Strategy::kAdaptive}) {
      CAPTURE(static_cast<int>(strategy));
      Driver d;
      auto cfg = strategy_config(strategy);
      cfg.pop_size = 8;
      cfg.synergy_interval = 1;
      d.init(cfg, {"a", "b", "c", "d"});
      d.seed({10.0});
      d.ok(BeginGenerationCmd{d.now});
      bool all_exact = true;
      for (int gen = 0; gen < 4; ++gen) {
        if (d.s.batch.size() != 8) all_exact = false;
        evaluate_all(d, [](const Individual& ind) {
          return std::vector<double>{10.0 - 0.01 * static_cast<double>(ind.id)};
        });
        next_generation(d);
      }
      CHECK(all_exact == (strategy == Strategy::kAdaptive));
    }
  }

  TEST_CASE("defect 6: the breeding population stays within top_k_survive; the archive keeps all") {
    for (const Strategy strategy : {Strategy::kReference, Strategy::kAdaptive}) {
      CAPTURE(static_cast<int>(strategy));
      Driver d;
      auto cfg = strategy_config(strategy, 2);
      cfg.pop_size = 4;
      cfg.top_k_survive = 3;
      d.init(cfg);
      d.seed({10.0, 0.0});
      d.ok(BeginGenerationCmd{d.now});
      // Every variant lands on one line of mutually non-dominated points (loss down,
      // accuracy down): the global front grows with each of them.
      for (int gen = 0; gen < 5; ++gen) {
        evaluate_all(d, [](const Individual& ind) {
          const double x = static_cast<double>(ind.id);
          return std::vector<double>{10.0 - x, -x};
        });
        next_generation(d);
      }
      const Target& t = *d.s.target("loss-fn");
      CHECK(d.s.archive.size() == 21);  // the seed and 20 variants, all on the front
      CHECK((t.active.size() <= 3) == (strategy == Strategy::kAdaptive));
    }
  }

  TEST_CASE("property: random report sequences keep the invariants; runs replay") {
    for (const Strategy strategy : {Strategy::kReference, Strategy::kAdaptive}) {
      for (std::uint64_t trial = 0; trial < 24; ++trial) {
        CAPTURE(static_cast<int>(strategy));
        CAPTURE(trial);
        Rng r(1000 + trial);
        Driver d;
        const int objectives = 1 + static_cast<int>(r.below(3));
        auto cfg = strategy_config(strategy, objectives);
        cfg.pop_size = 1 + static_cast<int>(r.below(9));
        cfg.top_k_survive = 1 + static_cast<int>(r.below(5));
        cfg.synergy_interval = 1 + static_cast<int>(r.below(3));
        cfg.max_fe = 20 + static_cast<int>(r.below(120));
        cfg.seed = trial;
        std::vector<std::string> targets;
        const int n_targets = 1 + static_cast<int>(r.below(4));
        for (int t = 0; t < n_targets; ++t) targets.push_back("t" + std::to_string(t));
        d.init(cfg, targets);
        std::vector<double> seed_f;
        for (int k = 0; k < objectives; ++k) seed_f.push_back(10.0);
        d.seed(seed_f);
        d.ok(BeginGenerationCmd{d.now});
        std::set<std::pair<std::string, std::vector<std::string>>> seen_synergy;
        int guard = 0;
        while (d.s.phase == RunPhase::kGenerating && ++guard < 500) {
          const auto want = std::min<std::uint64_t>(static_cast<std::uint64_t>(cfg.pop_size),
                                                    d.s.budget_remaining());
          if (strategy == Strategy::kAdaptive) {
            CHECK(d.s.batch.size() == want);
            for (const Individual* ind : batch(d)) {
              if (ind->operation == Operation::kCrossover) {
                CHECK(distinct(ind->parent_branches).size() >= 2);
              }
              if (ind->operation == Operation::kSynergy) {
                CHECK(seen_synergy.insert({ind->target_id, ind->parent_branches}).second);
              }
            }
          }
          evaluate_all(d, [&](const Individual&) {
            std::vector<double> f;
            for (int k = 0; k < objectives; ++k) f.push_back(static_cast<double>(r.below(20)));
            return f;
          });
          // Some items fail, some stay in flight for a forced select.
          d.ok(SelectCmd{true});
          if (d.s.phase == RunPhase::kReflecting) d.ok(ReflectDoneCmd{false, d.now});
        }
        CHECK(d.s.phase == RunPhase::kDone);
        // The seed can leave the populations but is never eliminated (its ref is not archived).
        CHECK_FALSE(seed_of(d).eliminated);
        // Replay gives the same state, for both strategies.
        State rebuilt;
        for (const auto& e : d.log) apply_event(rebuilt, e);
        CHECK(state_to_json(rebuilt) == state_to_json(d.s));
      }
    }
  }

  TEST_CASE("the same seed and reports give the same run, for both strategies") {
    for (const Strategy strategy : {Strategy::kReference, Strategy::kAdaptive}) {
      auto play = [&] {
        Driver d;
        auto cfg = strategy_config(strategy, 2);
        cfg.pop_size = 5;
        cfg.seed = 9;
        d.init(cfg, {"a", "b"});
        d.seed({10.0, 1.0});
        d.ok(BeginGenerationCmd{d.now});
        for (int gen = 0; gen < 4; ++gen) {
          evaluate_all(d, [](const Individual& ind) {
            const double x = static_cast<double>(ind.id % 7);
            return std::vector<double>{10.0 - x, x * 0.5};
          });
          next_generation(d);
        }
        json out = json::array();
        for (const auto& e : d.log) out.push_back(event_to_json(e));
        return out;
      };
      CHECK(play() == play());
    }
  }

  TEST_CASE("a stored config without strategy decodes as the reference strategy") {
    json j = config_to_json(make_config());
    j.erase("strategy");
    j.erase("parallel_workers");
    Config c = j.get<Config>();
    CHECK(c.strategy == Strategy::kReference);
    CHECK(c.parallel_workers == 1);
    Config a = make_config();
    a.strategy = Strategy::kAdaptive;
    CHECK(config_to_json(a).at("strategy") == "adaptive");
  }

  TEST_CASE("adaptive: structural_rate 0 turns structural variants off") {
    Driver d;
    auto cfg = strategy_config(Strategy::kAdaptive);
    cfg.pop_size = 12;
    cfg.structural_rate = 0.0;
    d.init(cfg);
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    for (int gen = 0; gen < 6; ++gen) {  // stagnating: the heat would favour structural
      for (const Individual* ind : batch(d)) CHECK(ind->operation != Operation::kStructural);
      evaluate_all(d, [](const Individual&) { return std::vector<double>{50.0}; });
      next_generation(d);
    }
  }

  TEST_CASE("parallel_workers below one is refused, naming the field") {
    Driver d;
    auto cfg = make_config();
    cfg.parallel_workers = 0;
    const Error e = d.err(InitCmd{"run-1", cfg, d.now, "seed"});
    CHECK(e.message.find("parallel_workers") != std::string::npos);
  }
}
