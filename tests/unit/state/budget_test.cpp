// Every way a run stops, and the `done` reply that names it.
#include "tests/unit/state/harness.h"

using namespace evo;
using namespace evo::state;
using namespace evo::state::testing;

namespace {
json run_until_done(Driver& d, int max_generations = 50) {
  json step = d.ok(BeginGenerationCmd{d.now});
  for (int g = 0; g < max_generations && step.at("action") != "done"; ++g) {
    d.evaluate_batch([&](int i) { return std::vector<double>{10.0 - d.s.generation - 0.01 * i}; });
    d.ok(SelectCmd{});
    step = d.ok(ReflectDoneCmd{false, d.now});
  }
  return step;
}
}  // namespace

TEST_SUITE("state.budget") {
  TEST_CASE("max_fe: the plan never exceeds the budget and the run ends with it") {
    Driver d;
    auto cfg = make_config();
    cfg.max_fe = 7;  // the seed + 6 evaluations
    d.init(cfg);
    d.seed();
    auto done = run_until_done(d);
    CHECK(done.at("action") == "done");
    CHECK(done.at("reason_code") == "max_fe");
    CHECK(d.s.total_evals == 7);
    CHECK(done.at("best_branch").get<std::string>().rfind("gen-", 0) == 0);
    CHECK(done.at("improvement").at("loss").get<std::string>().front() == '-');
  }

  TEST_CASE("max_generations") {
    Driver d;
    auto cfg = make_config();
    cfg.max_generations = 2;
    d.init(cfg);
    d.seed();
    auto done = run_until_done(d);
    CHECK(done.at("reason_code") == "max_generations");
    CHECK(d.s.generation == 2);
  }

  TEST_CASE("stagnation") {
    Driver d;
    auto cfg = make_config();
    cfg.stagnation_generations = 2;
    d.init(cfg);
    d.seed({1.0});
    json step = d.ok(BeginGenerationCmd{d.now});
    int gens = 0;
    while (step.at("action") != "done" && gens < 10) {
      d.evaluate_batch([](int) { return std::vector<double>{5.0}; });  // never beats the seed
      d.ok(SelectCmd{});
      step = d.ok(ReflectDoneCmd{false, d.now});
      ++gens;
    }
    CHECK(step.at("reason_code") == "stagnation");
    CHECK(gens == 2);
  }

  TEST_CASE("target_fitness") {
    Driver d;
    auto cfg = make_config();
    cfg.target_fitness = std::vector<double>{8.5};
    d.init(cfg);
    d.seed({10.0});
    auto done = run_until_done(d);
    CHECK(done.at("reason_code") == "target_fitness");
    CHECK(d.s.individuals[*d.s.best].fitness[0] <= 8.5);
  }

  TEST_CASE("wall-clock time") {
    Driver d;
    auto cfg = make_config();
    cfg.max_wall_time_s = 60;
    d.init(cfg);
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    d.evaluate_batch([](int) { return std::vector<double>{5.0}; });
    d.ok(SelectCmd{});
    auto step = d.ok(ReflectDoneCmd{false, d.now + 61'000});
    CHECK(step.at("reason_code") == "max_wall_time");
  }

  TEST_CASE("evo_stop abandons items in flight and refuses later changes") {
    Driver d;
    d.init();
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    const auto b = d.batch_branches().at(0);
    auto done = d.ok(StopCmd{"enough"});
    CHECK(done.at("action") == "done");
    CHECK(done.at("reason_code") == "stopped");
    CHECK(d.s.find(b)->state == ItemState::kAbandoned);
    CHECK(d.ok(StopCmd{}) == done);
    CHECK(d.err(RegisterTargetsCmd{{{"x", "x.py", "f"}}}).message.find("finished") !=
          std::string::npos);
    CHECK(d.ok(ReflectDoneCmd{}).at("action") == "done");
  }

  TEST_CASE("every target frozen ends the run") {
    Driver d;
    d.init();
    d.seed();
    d.ok(FreezeCmd{"loss-fn"});
    CHECK(d.ok(BeginGenerationCmd{d.now}).at("reason_code") == "no_active_targets");
  }
}
