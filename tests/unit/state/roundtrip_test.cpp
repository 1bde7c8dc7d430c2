// Property tests: whatever the state machine can store reads back as the same value. Random
// events (extreme finite doubles, denormals, huge uint64, unicode, NUL and control bytes)
// survive event_text -> parse -> event_from_json -> event_text, and a run's snapshot survives
// SnapshotWriter -> SnapshotReader (decode after encode gives the same value).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "state/events.h"
#include "state/snapshot.h"
#include "tests/unit/state/harness.h"

using namespace evo;
using namespace evo::state;
using nlohmann::json;

namespace {

struct Gen {
  std::mt19937_64 rng;
  explicit Gen(std::uint64_t seed) : rng(seed) {}

  double number() {
    static const double kSpecial[] = {std::numeric_limits<double>::max(),
                                      -std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::denorm_min(),
                                      -std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::min(),
                                      -0.0,
                                      0.0,
                                      1e-300,
                                      0.1,
                                      1.7e308};
    if (rng() % 2 == 0) return kSpecial[rng() % std::size(kSpecial)];
    double d;
    do {
      const std::uint64_t bits = rng();
      std::memcpy(&d, &bits, sizeof d);
    } while (!std::isfinite(d));
    return d;
  }
  std::uint64_t big() {
    static const std::uint64_t kSpecial[] = {0, 1, (1ull << 63), (1ull << 63) - 1,
                                             std::numeric_limits<std::uint64_t>::max()};
    return rng() % 2 == 0 ? kSpecial[rng() % std::size(kSpecial)] : rng();
  }
  std::string text() {
    static const std::string kPieces[] = {"a",
                                          "Z",
                                          std::string("\0", 1),
                                          "\x01",
                                          "\t",
                                          "\n",
                                          "\"",
                                          "\\",
                                          "/",
                                          "\xc3\xa9",
                                          "\xe2\x82\xac",
                                          "\xf0\x9f\x98\x80",
                                          " ",
                                          "null",
                                          "\x7f"};
    std::string out;
    const auto n = rng() % 12;
    for (std::uint64_t i = 0; i < n; ++i) out += kPieces[rng() % std::size(kPieces)];
    return out;
  }
  std::vector<double> numbers() {
    std::vector<double> v(rng() % 4);
    for (auto& d : v) d = number();
    return v;
  }
  std::vector<std::uint64_t> bigs() {
    std::vector<std::uint64_t> v(rng() % 5);
    for (auto& x : v) x = big();
    return v;
  }

  Event event() {
    switch (rng() % 6) {
      case 0: {
        SynergyRecord r;
        r.branch = text();
        r.generation = static_cast<int>(rng() % 1000);
        r.target_ids = {text(), text()};
        r.fitness_values = numbers();
        r.success = rng() % 2 == 0;
        r.individual_fitnesses[text()] = numbers();
        r.synergy_gain[text()] = number();
        return SynergyRecorded{r};
      }
      case 1:
        return FitnessReported{text(), rng() % 2 == 0, numbers(), text(), text()};
      case 2: {
        CodeReported c;
        c.branch = text();
        c.commit = text();
        c.changed_files = {text(), text()};
        c.violations = {{text(), text(), text()}};
        c.cache_of = big();
        c.reason = text();
        return c;
      }
      case 3: {
        Selected s;
        s.generation = static_cast<int>(rng() % 1000);
        TargetUpdate t;
        t.target_id = text();
        t.active = bigs();
        t.local_front = bigs();
        t.best = big();
        t.temperature = number();
        s.targets = {t};
        for (auto id : bigs()) s.ranks.emplace_back(id, static_cast<int>(rng() % 50));
        s.eliminated = bigs();
        s.abandoned = bigs();
        s.summary.keep = {text()};
        s.summary.eliminate = {text(), text()};
        return s;
      }
      case 4: {
        RunInitialized r;
        r.run_id = text();
        r.config = testing::make_config();
        r.config.seed = big();
        r.config.directions = {text(), text()};
        r.config.max_wall_time_s = number();
        r.config.target_fitness = numbers();
        r.created_at_ms = static_cast<std::int64_t>(big() >> 1);
        return r;
      }
      default:
        return TargetBoosted{text(), number()};
    }
  }
};

}  // namespace

TEST_SUITE("state.roundtrip") {
  TEST_CASE("any event that was written can be read back as the same value") {
    Gen g(20261203);
    for (int i = 0; i < 3000; ++i) {
      const Event e = g.event();
      const std::string text = event_text(e);
      CAPTURE(text);
      const auto parsed = json::parse(text, nullptr, false);
      REQUIRE_FALSE(parsed.is_discarded());
      auto back = event_from_json(event_type(e), parsed);
      REQUIRE_MESSAGE(back.ok(), back.error().message);
      CHECK(event_text(*back) == text);
      CHECK(event_to_json(*back) == event_to_json(e));
    }
  }

  TEST_CASE("a run's snapshot decodes to the same state") {
    testing::Driver d;
    Config c = testing::make_config();
    c.seed = std::numeric_limits<std::uint64_t>::max();
    c.directions = {std::string("nul\0inside", 10), "\xf0\x9f\x98\x80"};
    d.init(c);
    d.seed({std::numeric_limits<double>::denorm_min()});
    d.ok(BeginGenerationCmd{0});
    for (const auto& b : d.batch_branches()) {
      CodeReadyCmd cr;
      cr.branch = b;
      cr.git = d.observe(b);
      d.ok(cr);
    }
    SnapshotWriter writer(d.s);
    SnapshotReader reader;
    REQUIRE(reader.begin(writer.header()).ok());
    std::string part;
    while (writer.next_part(part)) REQUIRE(reader.add_part(part).ok());
    auto back = reader.finish();
    REQUIRE_MESSAGE(back.ok(), back.error().message);
    CHECK(state_to_json(*back) == state_to_json(d.s));
  }

  TEST_CASE("a raw output cut at 2000 bytes never splits a UTF-8 sequence") {
    testing::Driver d;
    d.init();
    d.seed({std::numeric_limits<double>::denorm_min()});
    d.ok(BeginGenerationCmd{0});
    const auto b = d.batch_branches().front();
    CodeReadyCmd cr;
    cr.branch = b;
    cr.git = d.observe(b);
    d.ok(cr);
    d.ok(PolicyPassCmd{b});
    FitnessReadyCmd f;
    f.branch = b;
    f.success = true;
    f.fitness = std::vector<double>{9.0};
    f.raw_output = std::string(1999, 'x') + "\xc3\xa9 tail";
    f.observed_commit = d.s.find(b)->commit;
    d.ok(f);
    const auto text = event_text(d.log.back());  // would throw on a cut sequence
    CHECK(text.find(std::string(1999, 'x') + "\"") != std::string::npos);
    // A denormal seed: no "+inf%" and no null percentage, just no percentage for it.
    d.ok(SelectCmd{true});
    REQUIRE(d.s.best.has_value());
    const auto improvement =
        wire::to_json(improvement_text(d.s)).dump() + wire::to_json(status_of(d.s)).dump();
    CHECK(improvement.find("inf") == std::string::npos);
    CHECK(improvement.find("\"loss\":null") == std::string::npos);
  }
}
