// A scripted driver for the pure state machine: builds commands with fake git observations
// so tests can walk every transition without a repository.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "policy/rules.h"
#include "state/machine.h"
#include "state/replies.h"
#include "wire/replies.h"

namespace evo::state::testing {

using nlohmann::json;

inline Config make_config(int objectives = 1) {
  Config c;
  c.repo_path = "/tmp/repo";
  c.benchmark_cmd = "python benchmark.py";
  c.objectives.push_back({"loss", Direction::kMin});
  if (objectives > 1) c.objectives.push_back({"accuracy", Direction::kMax});
  if (objectives > 2) c.objectives.push_back({"memory", Direction::kMin});
  c.max_fe = 100;
  c.pop_size = 4;
  c.top_k_survive = 2;
  c.seed = 42;
  c.protected_patterns = policy::default_protected_patterns();
  c.test_patterns = policy::default_test_patterns();
  return c;
}

struct Driver {
  State s;
  std::vector<Event> log;
  std::int64_t now = 1'000'000;
  int commit_counter = 0;
  std::vector<Reply> replies;  // every reply, typed, in order

  json ok(const Command& c) {
    auto r = handle(s, c);
    if (!r.ok()) FAIL("unexpected error: " << r.error().message);
    for (auto& e : r->events) log.push_back(e);
    replies.push_back(r->reply);
    return wire::to_json(r->reply);
  }
  Error err(const Command& c) {
    const json before = state_to_json(s);
    auto r = handle(s, c);
    REQUIRE_FALSE(r.ok());
    CHECK(state_to_json(s) == before);  // an error changes nothing
    return r.error();
  }

  void init(Config c = make_config(), std::vector<std::string> targets = {"loss-fn"}) {
    ok(InitCmd{"run-1", std::move(c), now, "seedcommit0000000000000000000000000000000"});
    RegisterTargetsCmd reg;
    for (const auto& t : targets) reg.targets.push_back({t, "src/" + t + ".py", "fn_" + t});
    // Make ids usable as function names.
    for (auto& t : reg.targets) {
      for (auto& ch : t.function) {
        if (ch == '-') ch = '_';
      }
    }
    ok(reg);
  }
  void seed(std::vector<double> f = {10.0}) { ok(ReportSeedCmd{std::move(f)}); }

  // A change to exactly `files` (default: the item's target file), committed as a new commit.
  GitObservation observe(const std::string& branch, std::vector<std::string> files = {},
                         std::string code_hash = {}) {
    const Individual* ind = s.find(branch);
    GitObservation g;
    g.read = true;
    g.commit = "c" + std::to_string(++commit_counter);
    g.parent_commit = "p0";
    if (files.empty() && ind != nullptr) {
      if (ind->operation == Operation::kSynergy) {
        files = scope_of(s, *ind).files;
      } else {
        files.push_back(ind->target_file);
      }
    }
    for (const auto& f : files) {
      policy::FileChange fc;
      fc.old_path = fc.new_path = f;
      fc.old_mode = fc.new_mode = policy::kModeFile;
      fc.lines_added = 1;
      fc.lines_removed = 1;
      fc.added_lines = {"    return x * 2"};
      fc.removed_lines = {"    return x * 3"};
      g.facts.files.push_back(fc);
    }
    g.facts.commit = g.commit;
    g.facts.parent_commit = g.parent_commit;
    g.facts.diff_text = "diff --git a/x b/x\n";
    g.code_hash = code_hash.empty() ? "hash-" + branch + "-" + g.commit : code_hash;
    return g;
  }

  json code_ready(const std::string& branch, GitObservation g) {
    CodeReadyCmd c;
    c.branch = branch;
    c.git = std::move(g);
    return ok(c);
  }

  json fitness(const std::string& branch, std::vector<double> f, bool success = true) {
    FitnessReadyCmd c;
    c.branch = branch;
    c.fitness = std::move(f);
    c.success = success;
    const Individual* ind = s.find(branch);
    if (ind != nullptr && !ind->commit.empty()) c.observed_commit = ind->commit;
    return ok(c);
  }

  // Codes, approves and evaluates every planned item with fitness from `score(i)`.
  template <typename F>
  void evaluate_batch(F score) {
    std::vector<std::string> branches;
    for (auto id : s.batch) branches.push_back(s.individuals[id].branch);
    int i = 0;
    for (const auto& b : branches) {
      if (!s.find(b)->in_flight()) continue;
      auto reply = code_ready(b, observe(b));
      if (reply.at("action") == "check_policy") ok(PolicyPassCmd{b});
      if (s.find(b)->state == ItemState::kApproved) fitness(b, score(i));
      ++i;
    }
  }

  std::vector<std::string> batch_branches() const {
    std::vector<std::string> out;
    for (auto id : s.batch) out.push_back(s.individuals[id].branch);
    return out;
  }
};

}  // namespace evo::state::testing
