// The wire module: every reply a real run gives goes out as JSON that its own exact schema
// accepts, and comes back as the same typed value; the schemas refuse what the replies never
// contain; errors carry their members.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "mcp/schema_validator.h"
#include "tests/unit/state/harness.h"
#include "wire/replies.h"

using namespace evo;
using namespace evo::state;
using namespace evo::state::testing;
using nlohmann::json;

namespace {

mcp::CompiledSchema compile(const json& schema) {
  auto c = mcp::CompiledSchema::compile(schema);
  REQUIRE_MESSAGE(c.ok(), schema.dump());
  return std::move(c).value();
}

bool accepts(const json& schema, const json& value) {
  return compile(schema).validate(value, "value", false).empty();
}

// A run through every kind of reply: init, targets, seed, dispatch, check_policy, run_benchmark,
// a rejection, evaluated and failed worker_done, reflect, freeze, boost, synergy, done.
Driver scripted_run(int objectives) {
  Driver d;
  Config c = make_config(objectives);
  c.max_fe = 12;
  d.init(c, {"loss-fn", "other-fn"});
  d.seed(std::vector<double>(objectives, 10.0));
  d.ok(BeginGenerationCmd{d.now, false});
  auto branches = d.batch_branches();
  REQUIRE(branches.size() >= 3);
  // One variant breaks a hard rule (it edits a protected file): rejected at code_ready.
  d.code_ready(branches[0], d.observe(branches[0], {"tests/test_x.py"}));
  // One fails its benchmark.
  d.code_ready(branches[1], d.observe(branches[1]));
  d.ok(PolicyPassCmd{branches[1]});
  d.fitness(branches[1], {}, false);
  // The rest are evaluated.
  for (std::size_t i = 2; i < branches.size(); ++i) {
    d.code_ready(branches[i], d.observe(branches[i]));
    d.ok(PolicyPassCmd{branches[i]});
    d.fitness(branches[i], std::vector<double>(objectives, 9.0 - static_cast<double>(i)));
  }
  d.ok(SelectCmd{false});
  d.ok(FreezeCmd{"other-fn"});
  d.ok(BoostCmd{"other-fn"});
  RecordSynergyCmd syn;
  syn.branch = "gen-0/synergy/loss-fn+other-fn-0";
  syn.target_ids = {"loss-fn", "other-fn"};
  syn.fitness_values = std::vector<double>(objectives, 5.0);
  d.ok(syn);
  d.ok(StopCmd{"enough"});
  return d;
}

}  // namespace

TEST_SUITE("wire") {
  TEST_CASE("every reply of a run matches its schema and reads back as the same value") {
    for (int objectives : {1, 2}) {
      CAPTURE(objectives);
      Driver d = scripted_run(objectives);
      std::set<std::size_t> kinds;
      for (const auto& reply : d.replies) {
        kinds.insert(reply.index());
        const json wire = wire::to_json(reply);
        CAPTURE(wire.dump());
        const json schema = std::visit(
            [](const auto& r) { return wire::schema_of<std::decay_t<decltype(r)>>(); }, reply);
        CHECK(accepts(schema, wire));
        // Read back (the demo and the CLI do this) and written again: the same JSON.
        auto back = wire::from_json<Reply>(wire);
        REQUIRE_MESSAGE(back.ok(), back.error().message);
        CHECK(back->index() == reply.index());
        CHECK(wire::to_json(*back) == wire);
      }
      // Every alternative of Reply was produced.
      CHECK(kinds.size() == std::variant_size_v<Reply>);
      // The queries too.
      const json status = wire::to_json(status_of(d.s));
      CHECK(accepts(wire::schema_of<RunStatus>(), status));
      CHECK(wire::to_json(*wire::from_json<RunStatus>(status)) == status);
      auto lineage = lineage_of(d.s, d.batch_branches().back());
      REQUIRE(lineage.ok());
      CHECK(accepts(wire::schema_of<Lineage>(), wire::to_json(*lineage)));
      CHECK(accepts(wire::schema_of<RunSummary>(), wire::to_json(summary_of(d.s))));
    }
  }

  TEST_CASE("a fitness is a number for one objective, an array for several, null for none") {
    CHECK(wire::to_json(Score{{1.5}, true}) == json(1.5));
    CHECK(wire::to_json(Score{{1.5, 2.0}, false}) == json::array({1.5, 2.0}));
    CHECK(wire::to_json(Score{}) == json(nullptr));
    auto scalar = wire::from_json<Score>(json(3.0));
    REQUIRE(scalar.ok());
    CHECK(*scalar == Score{{3.0}, true});
    CHECK_FALSE(wire::from_json<Score>(json("3")).ok());
  }

  TEST_CASE("the schemas are exact: an unknown, a missing or a mistyped member is refused") {
    Driver d = scripted_run(1);
    const auto dispatch = std::find_if(d.replies.begin(), d.replies.end(), [](const Reply& r) {
      return std::holds_alternative<DispatchWorkers>(r);
    });
    REQUIRE(dispatch != d.replies.end());
    const json good = wire::to_json(*dispatch);
    const json schema = wire::step_reply_schema();
    CHECK(accepts(schema, good));
    json extra = good;
    extra["surprise"] = 1;
    CHECK_FALSE(accepts(schema, extra));
    json missing = good;
    missing.erase("budget_remaining");
    CHECK_FALSE(accepts(schema, missing));
    json mistyped = good;
    mistyped["items"][0]["operation"] = "teleport";
    CHECK_FALSE(accepts(schema, mistyped));
    json wrong_action = good;
    wrong_action["action"] = "reflect";
    CHECK_FALSE(accepts(schema, wrong_action));
    // The reader refuses the same, naming the member.
    auto read = wire::from_json<DispatchWorkers>(extra);
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().details.field == "reply.surprise");
    auto bad_op = wire::from_json<DispatchWorkers>(mistyped);
    REQUIRE_FALSE(bad_op.ok());
    CHECK(bad_op.error().message ==
          "reply.items[0].operation: must be one of mutate, crossover, structural, synergy");
  }

  TEST_CASE("an error carries its code and the details that apply, within the output schema") {
    ErrorDetails details;
    details.branch = "gen-0/mutate/a-0";
    details.state = "planned";
    details.allowed_next = {"code_ready"};
    const json e = wire::to_json(wire::error_reply(make_error(
        ErrorCode::kIllegalTransition, "branch 'gen-0/mutate/a-0' is planned", details)));
    CHECK(e == json{{"error",
                     {{"code", "illegal_transition"},
                      {"message", "branch 'gen-0/mutate/a-0' is planned"},
                      {"branch", "gen-0/mutate/a-0"},
                      {"state", "planned"},
                      {"allowed_next", {"code_ready"}}}}});
    // Without details, the argument a message names by the convention is the field.
    const json arg = wire::to_json(wire::error_reply(
        make_error(ErrorCode::kInvalidArgument, "argument 'targets[2].id': must not be empty")));
    CHECK(arg.at("error").at("field") == "targets[2].id");
    const json plain = wire::to_json(wire::error_reply(make_error(ErrorCode::kNotFound, "no run")));
    CHECK_FALSE(plain.at("error").contains("field"));
    // Every tool's outputSchema admits the error shape beside its own.
    const json schema = wire::output_schema(wire::schema_of<TargetTemperature>());
    CHECK(accepts(schema, e));
    CHECK(accepts(schema, wire::to_json(TargetTemperature{"t", "active", 1.0})));
    CHECK_FALSE(accepts(schema, json{{"error", "text"}}));
  }
}
