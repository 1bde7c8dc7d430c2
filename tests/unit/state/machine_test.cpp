// Every legal and illegal transition of the batch-item lifecycle and the run phases.
#include "tests/unit/state/harness.h"

using namespace evo;
using namespace evo::state;
using namespace evo::state::testing;

TEST_SUITE("state.machine") {
  TEST_CASE("begin_generation needs targets and a seed, then plans named items") {
    Driver d;
    d.ok(InitCmd{"run-1", make_config(), d.now, "seedc"});
    CHECK(d.err(BeginGenerationCmd{d.now}).code == ErrorCode::kIllegalTransition);
    d.ok(RegisterTargetsCmd{{{"loss-fn", "model.py", "compute_loss"}}});
    auto e = d.err(BeginGenerationCmd{d.now});
    CHECK(e.message.find("evo_report_seed") != std::string::npos);
    d.seed();
    auto reply = d.ok(BeginGenerationCmd{d.now});
    CHECK(reply.at("action") == "dispatch_workers");
    CHECK(reply.at("generation") == 0);
    REQUIRE(reply.at("items").size() == 4);
    for (const auto& item : reply.at("items")) {
      const auto branch = item.at("branch").get<std::string>();
      CHECK(branch.rfind("gen-0/loss-fn/", 0) == 0);
      CHECK(item.at("target_file") == "model.py");
      CHECK(item.at("target_function") == "compute_loss");
      CHECK(item.at("parent_branches").at(0) == "seed-baseline");
    }
    // Asking again gives the same batch, and plans nothing new.
    const auto events = d.log.size();
    CHECK(d.ok(BeginGenerationCmd{d.now}) == reply);
    CHECK(d.log.size() == events);
  }

  TEST_CASE("the full lifecycle of one item, with reply shapes") {
    Driver d;
    d.init();
    d.seed({10.0});
    d.ok(BeginGenerationCmd{d.now});
    const std::string b = d.batch_branches().at(0);

    auto check = d.code_ready(b, d.observe(b));
    CHECK(check.at("action") == "check_policy");
    CHECK(check.at("branch") == b);
    CHECK(check.at("changed_files") == json::array({"src/loss-fn.py"}));
    CHECK(check.at("commit") == "c1");
    CHECK(check.at("violations").empty());
    CHECK(check.at("protected_patterns").size() > 0);
    CHECK(d.s.find(b)->state == ItemState::kCoded);

    auto run = d.ok(PolicyPassCmd{b});
    CHECK(run.at("action") == "run_benchmark");
    CHECK(run.at("benchmark_cmd") == "python benchmark.py");
    CHECK(run.at("objectives").at(0).at("name") == "loss");

    auto done = d.fitness(b, {7.5});
    CHECK(done.at("action") == "worker_done");
    CHECK(done.at("fitness") == 7.5);  // single objective: a number
    CHECK(done.at("fitness_values") == json::array({7.5}));
    CHECK(done.at("is_new_best") == true);
    CHECK(done.at("on_pareto_front") == true);
    CHECK(done.at("total_evals") == 2);  // seed + this one
  }

  TEST_CASE("illegal transitions name the branch, its state and what may come next") {
    Driver d;
    d.init();
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    const auto branches = d.batch_branches();
    const std::string b = branches.at(0);

    SUBCASE("fitness for a planned item") {
      FitnessReadyCmd f{b, std::vector<double>{1.0}};
      auto e = d.err(f);
      CHECK(e.code == ErrorCode::kIllegalTransition);
      CHECK(e.message.find(b) != std::string::npos);
      CHECK(e.message.find("planned") != std::string::npos);
      CHECK(e.message.find("code_ready") != std::string::npos);
    }
    SUBCASE("fitness for an item awaiting review") {
      d.code_ready(b, d.observe(b));
      FitnessReadyCmd f{b, std::vector<double>{1.0}};
      f.observed_commit = "c1";
      auto e = d.err(f);
      CHECK(e.message.find("coded") != std::string::npos);
      CHECK(e.message.find("policy_pass") != std::string::npos);
    }
    SUBCASE("policy_pass before code_ready") {
      auto e = d.err(PolicyPassCmd{b});
      CHECK(e.message.find("planned") != std::string::npos);
    }
    SUBCASE("fitness for a rejected item") {
      d.code_ready(b, d.observe(b));
      d.ok(PolicyFailCmd{b, "changed the signature"});
      FitnessReadyCmd f{b, std::vector<double>{1.0}};
      auto e = d.err(f);
      CHECK(e.message.find("rejected") != std::string::npos);
    }
    SUBCASE("code_ready for an unknown branch") {
      CodeReadyCmd c;
      c.branch = "gen-0/loss-fn/mutate-99";
      auto e = d.err(c);
      CHECK(e.code == ErrorCode::kNotFound);
      CHECK(e.message.find("gen-0/loss-fn/mutate-99") != std::string::npos);
    }
    SUBCASE("select while items are in flight, and force") {
      auto e = d.err(SelectCmd{false});
      CHECK(e.message.find("in flight") != std::string::npos);
      CHECK(e.message.find(b) != std::string::npos);
      auto reply = d.ok(SelectCmd{true});
      CHECK(reply.at("action") == "reflect");
      CHECK(reply.at("abandoned").size() == branches.size());
      CHECK(d.s.find(b)->state == ItemState::kAbandoned);
    }
    SUBCASE("reflect_done before select") {
      auto e = d.err(ReflectDoneCmd{});
      CHECK(e.message.find("before select") != std::string::npos);
    }
    SUBCASE("select before any generation") {
      Driver fresh;
      fresh.init();
      CHECK(fresh.err(SelectCmd{}).code == ErrorCode::kIllegalTransition);
    }
    SUBCASE("begin_generation while reflecting") {
      d.evaluate_batch([](int i) { return std::vector<double>{5.0 + i}; });
      d.ok(SelectCmd{});
      auto e = d.err(BeginGenerationCmd{d.now});
      CHECK(e.message.find("reflect_done") != std::string::npos);
    }
  }

  TEST_CASE("re-reports are idempotent and conflicting ones are refused") {
    Driver d;
    d.init();
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    const std::string b = d.batch_branches().at(0);
    auto g = d.observe(b);
    auto first = d.code_ready(b, g);
    auto events = d.log.size();
    CHECK(d.code_ready(b, g) == first);
    CHECK(d.log.size() == events);
    auto pass = d.ok(PolicyPassCmd{b});
    CHECK(d.ok(PolicyPassCmd{b}) == pass);
    auto done = d.fitness(b, {3.0});
    events = d.log.size();
    CHECK(d.fitness(b, {3.0}) == done);
    CHECK(d.log.size() == events);
    CHECK(d.s.total_evals == 2);
    FitnessReadyCmd other{b, std::vector<double>{4.0}};
    other.observed_commit = d.s.find(b)->commit;
    CHECK(d.err(other).code == ErrorCode::kConflict);
    // policy_fail after approval conflicts with the decision.
    CHECK(d.err(PolicyFailCmd{b, "late"}).code == ErrorCode::kIllegalTransition);
  }

  TEST_CASE("the reviewed commit is pinned") {
    Driver d;
    d.init();
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    const std::string b = d.batch_branches().at(0);
    d.code_ready(b, d.observe(b));
    d.ok(PolicyPassCmd{b});
    FitnessReadyCmd f{b, std::vector<double>{1.0}};
    f.observed_commit = "moved";
    auto e = d.err(f);
    CHECK(e.message.find("moved since review") != std::string::npos);
    f.observed_commit = "";
    CHECK(d.err(f).message.find("no longer exists") != std::string::npos);
    // Re-committing and reporting code_ready again reviews the new commit.
    auto again = d.code_ready(b, d.observe(b));
    CHECK(again.at("commit") == "c2");
    CHECK(d.s.find(b)->state == ItemState::kCoded);
  }

  TEST_CASE("fitness is validated: count and finiteness") {
    Driver d;
    d.init(make_config(2));
    CHECK(d.err(ReportSeedCmd{{1.0}}).message.find("2 objective") != std::string::npos);
    auto e = d.err(ReportSeedCmd{{1.0, std::numeric_limits<double>::quiet_NaN()}});
    CHECK(e.message.find("finite") != std::string::npos);
    d.seed({1.0, 0.5});
    CHECK(d.err(ReportSeedCmd{{2.0, 0.5}}).code == ErrorCode::kConflict);
    auto reply = d.ok(ReportSeedCmd{{1.0, 0.5}});
    CHECK(reply.at("seed_obj") == json::array({1.0, 0.5}));
  }

  TEST_CASE("hard policy violations reject at once; agent mode cannot approve them") {
    Driver d;
    d.init();
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    const auto branches = d.batch_branches();
    auto reply =
        d.code_ready(branches[0], d.observe(branches[0], {"src/loss-fn.py", "benchmark.py"}));
    CHECK(reply.at("action") == "worker_done");
    CHECK(reply.at("rejected") == true);
    CHECK(reply.at("reason").get<std::string>().find("protected_path") != std::string::npos);
    CHECK(d.s.find(branches[0])->state == ItemState::kRejected);

    Driver a;
    auto cfg = make_config();
    cfg.policy_mode = PolicyMode::kAgent;
    a.init(cfg);
    a.seed();
    a.ok(BeginGenerationCmd{a.now});
    const auto b = a.batch_branches()[0];
    auto check = a.code_ready(b, a.observe(b, {"src/other.py"}));
    CHECK(check.at("action") == "check_policy");
    CHECK(check.at("violations").at(0).at("rule") == "out_of_scope");
    auto e = a.err(PolicyPassCmd{b});
    CHECK(e.code == ErrorCode::kPolicyViolation);
    a.ok(PolicyFailCmd{b, "out of scope"});
  }

  TEST_CASE("server mode auto-approves clean diffs") {
    Driver d;
    auto cfg = make_config();
    cfg.policy_mode = PolicyMode::kServer;
    d.init(cfg);
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    const auto b = d.batch_branches()[0];
    auto reply = d.code_ready(b, d.observe(b));
    CHECK(reply.at("action") == "run_benchmark");
    CHECK(reply.at("auto_approved") == true);
    CHECK(d.s.find(b)->state == ItemState::kApproved);
  }

  TEST_CASE("a cache hit skips the benchmark, uses budget and is in the lineage") {
    Driver d;
    d.init();
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    const auto branches = d.batch_branches();
    d.code_ready(branches[0], d.observe(branches[0], {}, "same-content"));
    d.ok(PolicyPassCmd{branches[0]});
    d.fitness(branches[0], {4.0});
    const auto evals = d.s.total_evals;
    auto hit = d.code_ready(branches[1], d.observe(branches[1], {}, "same-content"));
    CHECK(hit.at("action") == "worker_done");
    CHECK(hit.at("cached") == true);
    CHECK(hit.at("cache_of") == branches[0]);
    CHECK(hit.at("fitness") == 4.0);
    CHECK(d.s.total_evals == evals + 1);
    auto lineage = lineage_of(d.s, branches[1]);
    REQUIRE(lineage.ok());
    CHECK(lineage->lineage.at(0).cache_of == branches[0]);
  }

  TEST_CASE("select keeps the best, reports the best branch, and advances") {
    Driver d;
    d.init();
    d.seed({10.0});
    d.ok(BeginGenerationCmd{d.now});
    d.evaluate_batch([](int i) { return std::vector<double>{static_cast<double>(9 - i)}; });
    auto reply = d.ok(SelectCmd{});
    CHECK(reply.at("action") == "reflect");
    CHECK(reply.at("generation") == 0);
    CHECK(reply.at("keep").size() == 2);  // top_k_survive
    CHECK(reply.at("eliminate").size() == 2);
    CHECK(reply.at("best_obj") == 6.0);
    CHECK(reply.at("best_branch") == d.batch_branches().at(3));
    CHECK(d.ok(SelectCmd{}) == reply);  // idempotent
    auto next = d.ok(ReflectDoneCmd{false, d.now});
    CHECK(next.at("action") == "dispatch_workers");
    CHECK(next.at("generation") == 1);
    // Parents of generation 1 are survivors.
    for (const auto& item : next.at("items")) {
      for (const auto& p : item.at("parent_branches")) {
        CHECK(d.s.find(p.get<std::string>())->alive);
      }
    }
    CHECK(d.ok(ReflectDoneCmd{false, d.now}) == next);  // the same report twice
  }

  TEST_CASE("synergy branches are registered when first seen") {
    Driver d;
    d.init(make_config(), {"a", "b"});
    d.seed();
    d.ok(BeginGenerationCmd{d.now});
    d.evaluate_batch([](int i) { return std::vector<double>{5.0 - i * 0.1}; });
    d.ok(SelectCmd{});
    const std::string syn = "gen-0/synergy/a+b-0";
    auto reply = d.code_ready(syn, d.observe(syn, {"src/a.py", "src/b.py"}));
    CHECK(reply.at("action") == "check_policy");
    const auto* ind = d.s.find(syn);
    REQUIRE(ind != nullptr);
    CHECK(ind->operation == Operation::kSynergy);
    CHECK(ind->target_id == "a+b");
    CHECK(d.err(ReflectDoneCmd{false, d.now}).message.find(syn) != std::string::npos);
    d.ok(PolicyPassCmd{syn});
    d.fitness(syn, {1.0});
    CHECK(d.ok(ReflectDoneCmd{false, d.now}).at("action") == "dispatch_workers");
    // A non-synergy unknown branch is still refused.
    CodeReadyCmd c;
    c.branch = "gen-1/a/mutate-77";
    CHECK(d.err(c).code == ErrorCode::kNotFound);
  }

  TEST_CASE("multi-objective replies carry arrays and the global front is never eliminated") {
    Driver d;
    auto cfg = make_config(2);
    cfg.top_k_survive = 1;
    d.init(cfg);
    d.seed({10.0, 0.5});
    d.ok(BeginGenerationCmd{d.now});
    // A trade-off: every variant is on the global front.
    d.evaluate_batch([](int i) { return std::vector<double>{5.0 + i, 0.9 + 0.01 * i}; });
    auto reply = d.ok(SelectCmd{});
    CHECK(reply.at("best_obj").is_array());
    CHECK(reply.at("keep").size() == d.batch_branches().size());
    CHECK(reply.at("pareto_front_size") == d.batch_branches().size());
  }

  TEST_CASE("targets: validation, freeze and boost") {
    Driver d;
    d.ok(InitCmd{"run-1", make_config(), d.now, "s"});
    CHECK(d.err(RegisterTargetsCmd{{{"../evil", "a.py", "f"}}}).message.find("targets[0].id") !=
          std::string::npos);
    CHECK(d.err(RegisterTargetsCmd{{{"ok", "../a.py", "f"}}}).message.find("targets[0].file") !=
          std::string::npos);
    CHECK(d.err(RegisterTargetsCmd{{{"ok", "/etc/passwd", "f"}}}).code ==
          ErrorCode::kInvalidArgument);
    d.ok(RegisterTargetsCmd{{{"t1", "a.py", "f"}, {"t2", "b.py", "g"}}});
    CHECK(d.err(RegisterTargetsCmd{{{"t1", "a.py", "other"}}}).code == ErrorCode::kConflict);
    d.ok(RegisterTargetsCmd{{{"t1", "a.py", "f"}}});  // identical: no-op
    CHECK(d.s.targets.size() == 2);
    d.ok(FreezeCmd{"t1"});
    CHECK(d.s.target("t1")->frozen);
    auto boost = d.ok(BoostCmd{"t1"});
    CHECK(boost.at("temperature") == doctest::Approx(2.0));
    CHECK_FALSE(d.s.target("t1")->frozen);
    CHECK(d.err(FreezeCmd{"nope"}).message.find("t1, t2") != std::string::npos);
  }
}
