// The engine's unit of work: observations made with no lock held and re-validated at commit,
// the post-commit outbox (effects after the lock, in commit order; notifications on their own
// thread), summary rows for list_runs with a bounded set of loaded runs, and transactions that
// leave nothing behind on an error.
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "engine/engine.h"
#include "state/replies.h"
#include "tests/unit/engine/support.h"

using namespace evo;
using nlohmann::json;

using server_testing::TempDir;

namespace {

std::unique_ptr<engine::Engine> engine_over(const TempDir& dir, std::size_t max_loaded_runs = 16) {
  return server_testing::open(dir, 2000, max_loaded_runs);
}

state::Config config() {
  return server_testing::config(2);
}

Result<json> step(engine::Engine& e, const state::Command& c,
                  std::optional<std::string> run = std::nullopt) {
  return as_json(e.mutate(run, [&](state::State& s) { return state::handle(s, c); }));
}

std::string new_run(engine::Engine& e) {
  auto init = as_json(e.create_run(config(), ""));
  REQUIRE(init.ok());
  const auto id = init->at("run_id").get<std::string>();
  REQUIRE(step(e, state::RegisterTargetsCmd{{{"t", "t.py", "f"}}}, id).ok());
  REQUIRE(step(e, state::ReportSeedCmd{{10.0}}, id).ok());
  return id;
}

std::uint64_t seq_of(engine::Engine& e, const std::string& run) {
  std::uint64_t seq = 0;
  auto r = e.read(run, [&](const state::State& s) -> Result<json> {
    seq = s.event_seq;
    return json();
  });
  REQUIRE(r.ok());
  return seq;
}

// A plan that observes the run's event count (outside the lock, as git would be).
struct SeqPlan {
  std::uint64_t seq = 0;
  bool io = true;
  bool operator==(const SeqPlan&) const = default;
  bool needs_io() const { return io; }
};

}  // namespace

TEST_SUITE("unit of work") {
  TEST_CASE("an observation runs with no engine lock held, and a moved run is observed again") {
    TempDir dir;
    auto e = engine_over(dir);
    const auto run = new_run(*e);
    int observed = 0;
    auto reply = e->mutate_observed<SeqPlan, std::uint64_t>(
        run, [](const state::State& s) -> Result<SeqPlan> { return SeqPlan{s.event_seq}; },
        [&](const SeqPlan& p) -> Result<std::uint64_t> {
          // Another call commits meanwhile (it would deadlock if the lock were held here).
          if (++observed == 1) REQUIRE(step(*e, state::BeginGenerationCmd{0}, run).ok());
          return p.seq;
        },
        [&](state::State& s, const SeqPlan& p, std::uint64_t& seen) -> Result<state::Transition> {
          CHECK(p.seq == s.event_seq);  // decided on the plan that was observed
          CHECK(seen == s.event_seq);
          // Any reply will do: this one carries the seq the decision saw.
          return state::Transition{{}, state::TargetsAccepted{seen, {}, 0}};
        });
    REQUIRE(reply.ok());
    CHECK(observed == 2);
    CHECK(std::get<state::TargetsAccepted>(*reply).registered == seq_of(*e, run));
  }

  TEST_CASE("a plan with nothing to read outside is decided in one unit of work") {
    TempDir dir;
    auto e = engine_over(dir);
    const auto run = new_run(*e);
    const auto before = seq_of(*e, run);
    int observed = 0;
    auto reply = e->mutate_observed<SeqPlan, int>(
        run,
        [](const state::State& s) -> Result<SeqPlan> {
          return SeqPlan{s.event_seq, false};
        },
        [&](const SeqPlan&) -> Result<int> { return ++observed; },
        [&](state::State& s, const SeqPlan& p, int&) -> Result<state::Transition> {
          CHECK(p.seq == s.event_seq);
          return state::handle(s, state::BoostCmd{"t"});
        });
    REQUIRE(reply.ok());
    CHECK(observed == 1);
    CHECK(seq_of(*e, run) == before + 1);
  }

  TEST_CASE("a run that keeps moving is refused after three observations, changing nothing") {
    TempDir dir;
    auto e = engine_over(dir);
    const auto run = new_run(*e);
    int observed = 0;
    bool decided = false;
    auto reply = e->mutate_observed<SeqPlan, int>(
        run, [](const state::State& s) -> Result<SeqPlan> { return SeqPlan{s.event_seq}; },
        [&](const SeqPlan&) -> Result<int> {
          ++observed;
          // Each observation is overtaken by a commit.
          REQUIRE(e->mutate(run, [](state::State& s) {
                     return state::handle(s, state::BoostCmd{"t"});
                   }).ok());
          return 0;
        },
        [&](state::State&, const SeqPlan&, int&) -> Result<state::Transition> {
          decided = true;
          return state::Transition{};
        });
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().code == ErrorCode::kConflict);
    CHECK(observed == 3);
    CHECK_FALSE(decided);
  }

  TEST_CASE("outbox effects run after the lock, in commit order; notices on another thread") {
    TempDir dir;
    auto e = engine_over(dir);
    const auto run = new_run(*e);
    std::vector<std::string> order;
    std::atomic<int> notices{0};
    std::thread::id notice_thread;
    std::mutex mu;
    e->add_observer([&](const state::State& s, const std::vector<state::Event>& events,
                        engine::Outbox& outbox) {
      const auto seq = s.event_seq;
      outbox.add([&, seq] {
        // Reading the engine from an effect would deadlock under the lock.
        CHECK(seq_of(*e, run) >= seq);
        std::lock_guard lock(mu);
        order.push_back("effect " + std::to_string(seq));
      });
      outbox.notify([&, n = events.size()] {
        {
          std::lock_guard lock(mu);
          notice_thread = std::this_thread::get_id();
        }
        notices += static_cast<int>(n);
      });
    });
    REQUIRE(step(*e, state::BoostCmd{"t"}, run).ok());
    REQUIRE(step(*e, state::FreezeCmd{"t"}, run).ok());
    // An idempotent repeat commits no events: observers are not called.
    REQUIRE(step(*e, state::FreezeCmd{"t"}, run).ok());
    {
      std::lock_guard lock(mu);
      REQUIRE(order.size() == 2);
      CHECK(order[0] < order[1]);
    }
    for (int i = 0; i < 200 && notices < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(notices == 2);
    std::lock_guard lock(mu);
    CHECK(notice_thread != std::this_thread::get_id());
  }

  TEST_CASE("a follow-up runs on every successful call, a repeat included") {
    TempDir dir;
    auto e = engine_over(dir);
    const auto run = new_run(*e);
    int effects = 0;
    const auto freeze = [&] {
      return as_json(e->mutate(
          run, [](state::State& s) { return state::handle(s, state::FreezeCmd{"t"}); },
          [&](const state::State&, engine::Outbox& outbox) { outbox.add([&] { ++effects; }); }));
    };
    REQUIRE(freeze().ok());
    REQUIRE(freeze().ok());  // the same report again: no events, the follow-up still runs
    CHECK(effects == 2);
    auto bad = as_json(e->mutate(
        run, [](state::State& s) { return state::handle(s, state::FreezeCmd{"nope"}); },
        [&](const state::State&, engine::Outbox& outbox) { outbox.add([&] { ++effects; }); }));
    CHECK_FALSE(bad.ok());
    CHECK(effects == 2);  // a refused call follows up nothing
  }

  TEST_CASE("list_runs reads summary rows and keeps only a few runs loaded") {
    TempDir dir;
    std::vector<std::string> runs;
    {
      auto e = engine_over(dir, 1);
      for (int i = 0; i < 4; ++i) runs.push_back(new_run(*e));
      // The first run moves on after its last summary row: list_runs must still be exact.
      REQUIRE(step(*e, state::BeginGenerationCmd{0}, runs[0]).ok());
      auto plan = e->read(runs[0], [](const state::State& s) -> Result<state::DispatchWorkers> {
        return state::dispatch_reply(s);
      });
      REQUIRE(plan.ok());
      state::CodeReadyCmd c;
      c.branch = plan->items.at(0).branch;
      REQUIRE(step(*e, c, runs[0]).ok());
      state::FitnessReadyCmd f;
      f.branch = c.branch;
      f.fitness = std::vector<double>{3.0};
      REQUIRE(step(*e, f, runs[0]).ok());
      auto listed = as_json(e->list_runs());
      REQUIRE(listed.ok());
      REQUIRE(listed->at("count") == 4);
      const auto& first = listed->at("runs").at(0);
      CHECK(first.at("run_id") == runs[0]);
      CHECK(first.at("total_evals") == 2);
      CHECK(first.at("best_obj") == 3.0);
      for (int i = 1; i < 4; ++i) {
        CHECK(listed->at("runs").at(i).at("run_id") == runs[static_cast<std::size_t>(i)]);
        CHECK(listed->at("runs").at(i).at("total_evals") == 1);
      }
      CHECK(listed->at("latest_run") == runs[3]);
    }
    // A fresh engine lists the same from the rows alone.
    auto e = engine_over(dir, 1);
    auto again = as_json(e->list_runs());
    REQUIRE(again.ok());
    CHECK(again->at("runs").at(0).at("total_evals") == 2);
    CHECK(again->at("runs").at(3).at("phase") == "setup");
  }

  TEST_CASE("a refused call leaves no transaction open and the next call goes through") {
    TempDir dir;
    auto e = engine_over(dir);
    const auto run = new_run(*e);
    const auto before = seq_of(*e, run);
    for (int i = 0; i < 3; ++i) {
      auto bad = step(*e, state::FitnessReadyCmd{"no-such-branch"}, run);
      CHECK_FALSE(bad.ok());
    }
    CHECK(seq_of(*e, run) == before);
    REQUIRE(step(*e, state::BoostCmd{"t"}, run).ok());
    CHECK(seq_of(*e, run) == before + 1);
  }

  TEST_CASE("the journal is read in chunks and matches the event count") {
    TempDir dir;
    auto e = engine_over(dir);
    const auto run = new_run(*e);
    for (int i = 0; i < 2500; ++i) {
      REQUIRE(step(*e,
                   i % 2 == 0 ? state::Command(state::BoostCmd{"t"})
                              : state::Command(state::FreezeCmd{"t"}),
                   run)
                  .ok());
    }
    std::uint64_t last = 0;
    auto text = e->journal(run, std::nullopt, last);
    REQUIRE(text.ok());
    CHECK(last == seq_of(*e, run));
    CHECK(static_cast<std::uint64_t>(std::count(text->begin(), text->end(), '\n')) == last);
    auto prefix = e->journal(run, 2049, last);
    REQUIRE(prefix.ok());
    CHECK(last == 2049);
    CHECK(std::count(prefix->begin(), prefix->end(), '\n') == 2049);
    CHECK_FALSE(e->journal(run, last + 100000, last).ok());
    CHECK(e->journal("run-nope", std::nullopt, last).error().code == ErrorCode::kNotFound);
  }
}
