// An item's lifecycle: code_ready (the policy verdict and the content cache), policy_pass,
// policy_fail and fitness_ready, and validate_fitness (machine.h), which every fitness input
// goes through. What code_ready needs beforehand is in machine_code_ready_plan.cpp.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/validate.h"
#include "policy/rules.h"
#include "state/machine_internal.h"
#include "state/replies.h"

namespace evo::state {

using nlohmann::json;

namespace detail {

Result<Transition> on_code_ready(State& s, const CodeReadyCmd& c) {
  EVO_ASSIGN_OR_RETURN(auto plan, prepare_code_ready(s, c.branch));
  Individual* ind = s.find(c.branch);
  const GitObservation& git = c.git;
  if (ind != nullptr && ind->state != ItemState::kPlanned) {
    const bool same_commit = !git.read || git.commit == ind->commit;
    if (same_commit) {
      // The same report again: the same reply, counted once.
      switch (ind->code_outcome) {
        case CodeOutcome::kAwaitingReview:
          if (ind->state == ItemState::kCoded || ind->state == ItemState::kApproved ||
              ind->state == ItemState::kRejected) {
            return Transition{{}, check_policy_reply(s, *ind, git)};
          }
          break;
        case CodeOutcome::kAutoApproved:
          if (ind->state == ItemState::kApproved) {
            return Transition{{}, run_benchmark_reply(s, *ind)};
          }
          break;
        case CodeOutcome::kAutoRejected:
          return Transition{{}, rejected_reply(*ind)};
        case CodeOutcome::kCached:
          return Transition{{}, worker_done_reply(s, *ind)};
        case CodeOutcome::kNone:
          break;
      }
    }
    if (ind->state == ItemState::kEvaluated || ind->state == ItemState::kFailed ||
        ind->state == ItemState::kAbandoned) {
      return item_error(*ind, "code_ready is not accepted once a result is final");
    }
    // A new commit after review (a worker fixed a crash): it is reviewed afresh.
  }
  CodeReported ev;
  ev.branch = c.branch;
  ev.late_item = plan.late_item;
  if (!git.read) {
    ev.outcome = CodeOutcome::kAutoApproved;
  } else {
    ev.commit = git.commit;
    ev.parent_commit = git.parent_commit;
    ev.code_hash = git.code_hash;
    ev.changed_files = git.facts.changed_paths();
    policy::PolicyConfig pc{s.config.protected_patterns, s.config.test_patterns};
    auto verdict = policy::evaluate(git.facts, plan.scope, pc);
    ev.violations = verdict.violations;
    ev.flags = verdict.flags;
    const bool hard = !verdict.violations.empty();
    std::optional<std::uint64_t> hit;
    if (!hard && !git.code_hash.empty()) {
      const auto original = s.cache_hit(git.code_hash);
      if (original && s.individuals[*original].branch != c.branch) hit = original;
    }
    if (hard && s.config.policy_mode != PolicyMode::kAgent) {
      ev.outcome = CodeOutcome::kAutoRejected;
      std::vector<std::string> reasons;
      for (const auto& v : verdict.violations) reasons.push_back(v.rule + ": " + v.detail);
      ev.reason = "policy violation: " + join(reasons, "; ");
    } else if (hit) {
      ev.outcome = CodeOutcome::kCached;
      ev.cache_of = hit;
    } else if ((s.config.policy_mode == PolicyMode::kServer && verdict.flags.empty()) ||
               s.config.policy_mode == PolicyMode::kOff) {
      ev.outcome = CodeOutcome::kAutoApproved;
    } else {
      ev.outcome = CodeOutcome::kAwaitingReview;
    }
  }
  const CodeOutcome outcome = ev.outcome;
  auto t = commit(s, {std::move(ev)});
  const Individual& now = *s.find(c.branch);
  switch (outcome) {
    case CodeOutcome::kAutoApproved:
      t.reply = run_benchmark_reply(s, now);
      break;
    case CodeOutcome::kAutoRejected:
      t.reply = rejected_reply(now);
      break;
    case CodeOutcome::kCached:
      t.reply = worker_done_reply(s, now);
      break;
    default:
      t.reply = check_policy_reply(s, now, git);
      break;
  }
  return t;
}

Result<Transition> on_policy_pass(State& s, const PolicyPassCmd& c) {
  EVO_TRY(require_active_run(s));
  Individual* ind = s.find(c.branch);
  if (ind == nullptr) return unknown_branch(s, c.branch);
  if (ind->state == ItemState::kApproved && ind->code_outcome == CodeOutcome::kAwaitingReview) {
    return Transition{{}, run_benchmark_reply(s, *ind)};
  }
  if (ind->state != ItemState::kCoded) {
    return item_error(*ind, "policy_pass needs a branch awaiting review");
  }
  if (!ind->violations.empty()) {
    std::vector<std::string> rules;
    for (const auto& v : ind->violations) rules.push_back(v.rule + " (" + v.path + ")");
    ErrorDetails details;
    details.rule = ind->violations.front().rule;
    details.branch = ind->branch;
    details.state = to_string(ind->state);
    details.allowed_next = {"policy_fail"};
    return make_error(ErrorCode::kPolicyViolation,
                      "branch '" + ind->branch +
                          "' cannot be approved: it has hard policy violations: " +
                          join(rules, ", ") + " (allowed next: policy_fail)",
                      std::move(details));
  }
  auto t = commit(s, {PolicyDecided{c.branch, true, {}}});
  t.reply = run_benchmark_reply(s, *s.find(c.branch));
  return t;
}

Result<Transition> on_policy_fail(State& s, const PolicyFailCmd& c) {
  EVO_TRY(require_active_run(s));
  if (c.reason.empty()) return invalid("argument 'reason': must say why the diff was rejected");
  Individual* ind = s.find(c.branch);
  if (ind == nullptr) return unknown_branch(s, c.branch);
  if (ind->state == ItemState::kRejected && ind->code_outcome == CodeOutcome::kAwaitingReview) {
    if (ind->reason == c.reason) return Transition{{}, rejected_reply(*ind)};
    return conflict("branch '" + ind->branch + "' was already rejected with reason '" +
                    ind->reason + "'");
  }
  if (ind->state != ItemState::kCoded) {
    return item_error(*ind, "policy_fail needs a branch awaiting review");
  }
  auto t = commit(s, {PolicyDecided{c.branch, false, c.reason}});
  t.reply = rejected_reply(*s.find(c.branch));
  return t;
}

Result<Transition> on_fitness_ready(State& s, const FitnessReadyCmd& c) {
  if (s.phase == RunPhase::kDone) return run_finished_error(s);
  Individual* ind = s.find(c.branch);
  if (ind == nullptr || ind->is_seed) return unknown_branch(s, c.branch);
  if (c.target_id && *c.target_id != ind->target_id) {
    return conflict("argument 'target_id': '" + *c.target_id + "' but branch '" + ind->branch +
                    "' was planned for target '" + ind->target_id + "'");
  }
  if (c.operation && *c.operation != ind->operation) {
    return conflict("argument 'operation': '" + std::string(to_string(*c.operation)) +
                    "' but branch '" + ind->branch + "' was planned as '" +
                    std::string(to_string(ind->operation)) + "'");
  }
  if (c.parent_branches && !c.parent_branches->empty() &&
      *c.parent_branches != ind->parent_branches) {
    return conflict("argument 'parent_branches': " + json(*c.parent_branches).dump() +
                    " but branch '" + ind->branch + "' was planned with parents " +
                    json(ind->parent_branches).dump());
  }
  std::vector<double> fitness;
  if (c.success) {
    if (!c.fitness) {
      return invalid(
          "argument 'fitness': required when success is true (one value per "
          "objective, as 'fitness' or 'fitness_values')");
    }
    EVO_TRY(validate_fitness(s, *c.fitness, "fitness"));
    fitness = *c.fitness;
  }
  if (ind->state == ItemState::kEvaluated || ind->state == ItemState::kFailed) {
    const bool same = ind->success == c.success && (!c.success || ind->fitness == fitness);
    if (same) return Transition{{}, worker_done_reply(s, *ind)};
    if (ind->cache_of) {
      return conflict("branch '" + ind->branch + "' was a cache hit of '" +
                      branch_of(s, ind->cache_of) + "' with fitness " + json(ind->fitness).dump() +
                      "; a different result cannot be recorded");
    }
    return conflict("branch '" + ind->branch + "' already has a recorded result (success=" +
                    (ind->success ? std::string("true, fitness ") + json(ind->fitness).dump()
                                  : std::string("false")) +
                    "); a conflicting report is refused");
  }
  if (ind->state != ItemState::kApproved) {
    const char* why = ind->state == ItemState::kPlanned    ? "it was never coded and reviewed"
                      : ind->state == ItemState::kCoded    ? "it is still awaiting policy review"
                      : ind->state == ItemState::kRejected ? "it was rejected by policy"
                                                           : "it is no longer in flight";
    return item_error(*ind, std::string("fitness cannot be recorded because ") + why);
  }
  if (c.observed_commit && !ind->commit.empty()) {
    if (c.observed_commit->empty()) {
      return illegal("branch '" + ind->branch +
                     "' no longer exists in the repository; the "
                     "reviewed commit " +
                     ind->commit + " cannot be benchmarked from it");
    }
    if (*c.observed_commit != ind->commit) {
      return illegal("branch '" + ind->branch + "' moved since review: reviewed commit " +
                     ind->commit + ", now " + *c.observed_commit +
                     "; an unreviewed commit was benchmarked (allowed next: code_ready with "
                     "the new commit)");
    }
  }
  std::string reason = c.reason;
  if (!c.success && reason.empty()) reason = "benchmark failed";
  auto t = commit(s, {FitnessReported{c.branch, c.success, fitness, utf8_prefix(c.raw_output, 2000),
                                      c.success ? std::string() : reason}});
  t.reply = worker_done_reply(s, *s.find(c.branch));
  return t;
}

}  // namespace detail

using detail::invalid;

Status validate_fitness(const State& s, const std::vector<double>& fitness,
                        const std::string& field) {
  const auto n = s.config.objectives.size();
  if (fitness.size() != n) {
    std::vector<std::string> names;
    for (const auto& o : s.config.objectives) names.push_back(o.name);
    return invalid("argument '" + field + "': has " + std::to_string(fitness.size()) +
                   " value(s) but the run has " + std::to_string(n) + " objective(s) (" +
                   join(names, ", ") + "); pass one value per objective, in that order");
  }
  for (std::size_t i = 0; i < fitness.size(); ++i) {
    if (!std::isfinite(fitness[i])) {
      return invalid("argument '" + field + "[" + std::to_string(i) +
                     "]': must be a finite number (NaN and infinities are refused)");
    }
  }
  return {};
}

}  // namespace evo::state
