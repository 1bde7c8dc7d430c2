// The engine over a real SQLite store in a temp dir: durability, catch-up between two engines
// on one data dir (two server processes), snapshot recovery and run resolution.
#include "engine/engine.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "state/replies.h"
#include "tests/unit/engine/support.h"

using namespace evo;
using nlohmann::json;

using server_testing::config;
using server_testing::open;
using server_testing::TempDir;

namespace {

Result<json> step(engine::Engine& e, const state::Command& c,
                  std::optional<std::string> run = std::nullopt) {
  return as_json(e.mutate(run, [&](state::State& s) { return state::handle(s, c); }));
}

json status(engine::Engine& e, std::optional<std::string> run = std::nullopt) {
  auto r = e.read(run, [](const state::State& s) -> Result<json> {
    return wire::to_json(state::status_of(s));
  });
  REQUIRE(r.ok());
  return *r;
}

// Plays one generation through the engine, reporting fitness base - i for item i.
void generation(engine::Engine& e, double base) {
  auto plan = step(e, state::BeginGenerationCmd{0});
  if (!plan.ok() || plan->at("action") != "dispatch_workers") {
    plan = step(e, state::ReflectDoneCmd{});
  }
  REQUIRE(plan.ok());
  int i = 0;
  for (const auto& item : plan->at("items")) {
    const auto b = item.at("branch").get<std::string>();
    state::CodeReadyCmd c;
    c.branch = b;
    REQUIRE(step(e, c).ok());
    state::FitnessReadyCmd f;
    f.branch = b;
    f.fitness = std::vector<double>{base - i++};
    REQUIRE(step(e, f).ok());
  }
  REQUIRE(step(e, state::SelectCmd{}).ok());
}

}  // namespace

TEST_SUITE("server.engine") {
  TEST_CASE("no run yet, unknown runs, and the latest run by default") {
    TempDir dir;
    auto e = open(dir);
    auto none = e->read(std::nullopt, [](const state::State&) -> Result<json> { return json(); });
    CHECK(none.error().message.find("evo_init") != std::string::npos);
    auto a = as_json(e->create_run(config(), ""));
    auto b = as_json(e->create_run(config(), ""));
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(status(*e).at("run_id") == b->at("run_id"));
    CHECK(status(*e, a->at("run_id").get<std::string>()).at("run_id") == a->at("run_id"));
    auto unknown = e->read(std::string("run-nope"),
                           [](const state::State&) -> Result<json> { return json(); });
    CHECK(unknown.error().message.find("run-nope") != std::string::npos);
    auto runs = as_json(e->list_runs());
    REQUIRE(runs.ok());
    CHECK(runs->at("count") == 2);
  }

  TEST_CASE("everything acknowledged survives a restart") {
    TempDir dir;
    json before;
    {
      auto e = open(dir);
      REQUIRE(e->create_run(config(), "").ok());
      REQUIRE(step(*e, state::RegisterTargetsCmd{{{"t", "t.py", "f"}}}).ok());
      REQUIRE(step(*e, state::ReportSeedCmd{{10.0}}).ok());
      generation(*e, 9.0);
      generation(*e, 8.0);
      before = status(*e);
    }
    auto e = open(dir);
    CHECK(status(*e) == before);
    CHECK(before.at("total_evals") == 7);
  }

  TEST_CASE("two engines on one data dir see each other's writes and never fork a run") {
    TempDir dir;
    auto a = open(dir);
    auto b = open(dir);
    REQUIRE(a->create_run(config(), "").ok());
    REQUIRE(step(*b, state::RegisterTargetsCmd{{{"t", "t.py", "f"}}}).ok());
    REQUIRE(step(*a, state::ReportSeedCmd{{10.0}}).ok());
    auto plan = step(*b, state::BeginGenerationCmd{0});
    REQUIRE(plan.ok());
    // A sees B's plan, B sees A's seed; alternate reports between the two.
    bool flip = false;
    for (const auto& item : plan->at("items")) {
      auto& e = flip ? *a : *b;
      flip = !flip;
      state::CodeReadyCmd c;
      c.branch = item.at("branch").get<std::string>();
      REQUIRE(step(e, c).ok());
      state::FitnessReadyCmd f;
      f.branch = c.branch;
      f.fitness = std::vector<double>{5.0};
      REQUIRE(step(flip ? *a : *b, f).ok());
    }
    CHECK(status(*a) == status(*b));
    CHECK(status(*a).at("total_evals") == 1 + plan->at("items").size());
    // A stale decision is impossible: B's begin_generation returns A's current batch.
    CHECK(step(*a, state::BeginGenerationCmd{0})->at("items") == plan->at("items"));
  }

  TEST_CASE("snapshots bound replay and recover the same state") {
    TempDir dir;
    json before;
    {
      auto e = open(dir, /*snapshot_every=*/5);
      REQUIRE(e->create_run(config(), "").ok());
      REQUIRE(step(*e, state::RegisterTargetsCmd{{{"t", "t.py", "f"}}}).ok());
      REQUIRE(step(*e, state::ReportSeedCmd{{10.0}}).ok());
      for (int g = 0; g < 4; ++g) generation(*e, 9.0 - g);
      before = status(*e);
    }
    auto e = open(dir, 5);
    CHECK(status(*e) == before);
  }

  TEST_CASE("a client-chosen run id makes evo_init safe to re-send") {
    TempDir dir;
    auto e = open(dir);
    auto first = as_json(e->create_run(config(), "", std::string("my-run")));
    REQUIRE(first.ok());
    CHECK(first->at("run_id") == "my-run");
    auto again = as_json(e->create_run(config(), "", std::string("my-run")));
    REQUIRE(again.ok());
    CHECK(*again == *first);
    auto other = config();
    other.max_fe = 7;
    auto clash = as_json(e->create_run(other, "", std::string("my-run")));
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.error().code == ErrorCode::kConflict);
    CHECK(as_json(e->list_runs())->at("count") == 1);
  }

  TEST_CASE("an error changes nothing in the store") {
    TempDir dir;
    auto e = open(dir);
    REQUIRE(e->create_run(config(), "").ok());
    const auto before = status(*e);
    auto bad = step(*e, state::ReportSeedCmd{{1.0, 2.0}});
    CHECK_FALSE(bad.ok());
    auto e2 = open(dir);
    CHECK(status(*e2) == before);
  }
}
