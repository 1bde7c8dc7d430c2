// Command handling: validation first, then events, then the reply. See machine.h.
#include "state/machine.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/strings.h"
#include "core/validate.h"
#include "state/planner.h"
#include "state/replies.h"

namespace evo::state {

using nlohmann::json;

namespace {

Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}
Error illegal(std::string message) {
  return make_error(ErrorCode::kIllegalTransition, std::move(message));
}
Error conflict(std::string message) {
  return make_error(ErrorCode::kConflict, std::move(message));
}

// The phases a branch may move through next, for error messages.
std::string allowed_next(const Individual& ind) {
  switch (ind.state) {
    case ItemState::kPlanned:
      return "code_ready";
    case ItemState::kCoded:
      return "policy_pass, policy_fail, or code_ready with a new commit";
    case ItemState::kApproved:
      return "fitness_ready, or code_ready with a new commit";
    case ItemState::kRejected:
      return "code_ready with a new commit";
    case ItemState::kEvaluated:
    case ItemState::kFailed:
      return "none (its result is recorded; the orchestrator may select)";
    case ItemState::kAbandoned:
      return "none (it was abandoned)";
  }
  return "none";
}

Error item_error(const Individual& ind, const std::string& what) {
  return illegal("branch '" + ind.branch + "' is " + to_string(ind.state) + ": " + what +
                 " (allowed next: " + allowed_next(ind) + ")");
}

Error run_finished_error(const State& s) {
  return illegal("run " + s.run_id + " is finished (" + s.done_reason +
                 "); no further changes are accepted");
}

Transition make_transition(std::vector<Event> events, Reply reply) {
  Transition t;
  t.events = std::move(events);
  t.reply = std::move(reply);
  return t;
}

Transition commit(State& s, std::vector<Event> events) {
  for (const auto& e : events) apply_event(s, e);
  return make_transition(std::move(events), Reply{});
}

// At most `max` bytes of `text`, never ending inside a UTF-8 sequence: a cut sequence would
// make the event impossible to encode as JSON (nlohmann refuses invalid UTF-8).
std::string utf8_prefix(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Status validate_config(const Config& c) {
  if (c.objectives.empty())
    return invalid("argument 'objectives': must hold at least one objective");
  std::set<std::string> names;
  for (std::size_t i = 0; i < c.objectives.size(); ++i) {
    const auto& name = c.objectives[i].name;
    if (name.empty()) {
      return invalid("argument 'objectives[" + std::to_string(i) + "].name': must not be empty");
    }
    if (!names.insert(name).second) {
      return invalid("argument 'objectives[" + std::to_string(i) + "].name': '" + name +
                     "' is used twice; objective names must be unique");
    }
  }
  if (c.benchmark_cmd.empty()) return invalid("argument 'benchmark_cmd': must not be empty");
  if (c.max_fe < 1) return invalid("argument 'max_fe': must be at least 1");
  if (c.pop_size < 1) return invalid("argument 'pop_size': must be at least 1");
  if (c.top_k_survive < 1) return invalid("argument 'top_k_survive': must be at least 1");
  if (c.parallel_workers < 1) {
    return invalid("argument 'parallel_workers': must be at least 1");
  }
  if (c.synergy_interval < 1) return invalid("argument 'synergy_interval': must be at least 1");
  auto rate_ok = [](double r) { return std::isfinite(r) && r >= 0.0 && r <= 1.0; };
  if (!rate_ok(c.mutation_rate)) return invalid("argument 'mutation_rate': must be in [0, 1]");
  if (!rate_ok(c.structural_rate)) return invalid("argument 'structural_rate': must be in [0, 1]");
  if (c.max_generations && *c.max_generations < 1) {
    return invalid("argument 'max_generations': must be at least 1");
  }
  if (c.max_wall_time_s && !(std::isfinite(*c.max_wall_time_s) && *c.max_wall_time_s > 0)) {
    return invalid("argument 'max_wall_time_s': must be a positive number of seconds");
  }
  if (c.stagnation_generations && *c.stagnation_generations < 1) {
    return invalid("argument 'stagnation_generations': must be at least 1");
  }
  if (c.target_fitness) {
    if (c.target_fitness->size() != c.objectives.size()) {
      return invalid("argument 'target_fitness': must hold one value per objective (" +
                     std::to_string(c.objectives.size()) + "), got " +
                     std::to_string(c.target_fitness->size()));
    }
    for (double v : *c.target_fitness) {
      if (!std::isfinite(v)) return invalid("argument 'target_fitness': values must be finite");
    }
  }
  return {};
}

// Whether the representative best meets target_fitness on every objective.
bool target_reached(const State& s) {
  if (!s.config.target_fitness) return false;
  // Any archive member meeting the target counts, not just the representative.
  for (const auto& m : s.archive.members()) {
    bool all = true;
    for (std::size_t i = 0; i < s.config.objectives.size(); ++i) {
      const double want = (*s.config.target_fitness)[i];
      const double got = m.fitness[i];
      const bool ok =
          s.config.objectives[i].direction == Direction::kMin ? got <= want : got >= want;
      if (!ok) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

std::optional<RunFinished> stop_check(const State& s, std::int64_t now_ms) {
  RunFinished fin;
  if (s.budget_remaining() == 0) {
    fin.reason_code = "max_fe";
    fin.reason = "budget exhausted: " + std::to_string(s.total_evals) + " of " +
                 std::to_string(s.config.max_fe) + " evaluations used";
  } else if (s.config.max_generations && s.generation >= *s.config.max_generations) {
    fin.reason_code = "max_generations";
    fin.reason = "max_generations reached: " + std::to_string(s.generation) + " generations";
  } else if (s.config.max_wall_time_s &&
             static_cast<double>(now_ms - s.created_at_ms) >= *s.config.max_wall_time_s * 1000.0) {
    fin.reason_code = "max_wall_time";
    fin.reason = "wall-clock budget of " + fmt_double(*s.config.max_wall_time_s) + " s used";
  } else if (s.config.stagnation_generations &&
             s.gens_without_improvement >= *s.config.stagnation_generations) {
    fin.reason_code = "stagnation";
    fin.reason =
        "no target improved for " + std::to_string(s.gens_without_improvement) + " generations";
  } else if (target_reached(s)) {
    fin.reason_code = "target_fitness";
    fin.reason = "target fitness reached by " + branch_of(s, s.best);
  } else if (std::none_of(s.targets.begin(), s.targets.end(),
                          [](const Target& t) { return !t.frozen; })) {
    fin.reason_code = "no_active_targets";
    fin.reason = "every target is frozen";
  } else {
    return std::nullopt;
  }
  return fin;
}

std::vector<std::uint64_t> in_flight_ids(const State& s, bool late_only = false) {
  std::vector<std::uint64_t> ids;
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    if (ind.in_flight() && (!late_only || ind.registered_late)) ids.push_back(id);
  }
  return ids;
}

std::string describe_in_flight(const State& s, const std::vector<std::uint64_t>& ids) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < ids.size() && i < 10; ++i) {
    const auto& ind = s.individuals[ids[i]];
    parts.push_back(ind.branch + " (" + to_string(ind.state) + ")");
  }
  std::string out = join(parts, ", ");
  if (ids.size() > 10) out += ", and " + std::to_string(ids.size() - 10) + " more";
  return out;
}

// Plans the next generation, or finishes the run when a budget is reached.
Transition plan_or_finish(State& s, std::vector<Event> events, std::int64_t now_ms) {
  for (const auto& e : events) apply_event(s, e);
  if (auto fin = stop_check(s, now_ms)) {
    fin->abandoned = in_flight_ids(s);
    events.emplace_back(*fin);
    apply_event(s, events.back());
    return make_transition(std::move(events), done_reply(s));
  }
  GenerationPlanned plan = plan_generation_event(s);
  if (plan.items.empty()) {
    RunFinished fin{"no_active_targets", "the plan for this generation is empty", {}};
    events.emplace_back(fin);
  } else {
    events.emplace_back(std::move(plan));
  }
  apply_event(s, events.back());
  return make_transition(std::move(events),
                         s.phase == RunPhase::kDone ? done_reply(s) : dispatch_reply(s));
}

struct Handler {
  State& s;

  Result<Transition> operator()(const InitCmd& c) const {
    if (!s.run_id.empty()) return conflict("run " + s.run_id + " is already initialized");
    if (!is_valid_target_id(c.run_id))
      return invalid("run id '" + c.run_id + "' " + target_id_rule());
    EVO_TRY(validate_config(c.config));
    auto t = commit(s, {RunInitialized{c.run_id, c.config, c.now_ms, c.seed_commit}});
    t.reply = init_reply(s);
    return t;
  }

  Result<Transition> operator()(const RegisterTargetsCmd& c) const {
    if (s.phase == RunPhase::kDone) return run_finished_error(s);
    if (c.targets.empty()) return invalid("argument 'targets': must hold at least one target");
    std::set<std::string> seen;
    std::vector<TargetSpec> fresh;
    for (std::size_t i = 0; i < c.targets.size(); ++i) {
      const auto& t = c.targets[i];
      const std::string at = "argument 'targets[" + std::to_string(i) + "]";
      if (!is_valid_target_id(t.id))
        return invalid(at + ".id': '" + t.id + "' " + target_id_rule());
      if (auto p = relative_path_problem(t.file); !p.empty()) return invalid(at + ".file': " + p);
      if (t.function.empty()) return invalid(at + ".function': must not be empty");
      for (char ch : t.function) {
        if (static_cast<unsigned char>(ch) < 0x20) {
          return invalid(at + ".function': must not contain control characters");
        }
      }
      if (!seen.insert(t.id).second) return invalid(at + ".id': '" + t.id + "' appears twice");
      for (const auto& parent : t.derived_from) {
        if (s.target(parent) == nullptr && seen.count(parent) == 0) {
          return invalid(at + ".derived_from': unknown target '" + parent + "'");
        }
      }
      if (const Target* existing = s.target(t.id)) {
        if (existing->file != t.file || existing->function != t.function) {
          return conflict(at + "': target '" + t.id + "' is already registered as " +
                          existing->file + ":" + existing->function);
        }
        continue;
      }
      fresh.push_back(t);
    }
    Transition t;
    if (!fresh.empty()) t = commit(s, {TargetsRegistered{fresh}});
    t.reply = targets_registered_reply(s, c.targets);
    return t;
  }

  Result<Transition> operator()(const ReportSeedCmd& c) const {
    if (s.phase == RunPhase::kDone) return run_finished_error(s);
    EVO_TRY(validate_fitness(s, c.fitness, "fitness_values"));
    Transition t;
    if (auto seed = s.seed_obj()) {
      if (*seed != c.fitness) {
        return conflict("the seed fitness is already recorded as " + json(*seed).dump() +
                        "; a different value cannot replace it");
      }
    } else {
      t = commit(s, {SeedReported{c.fitness}});
    }
    t.reply = seed_reply(s);
    return t;
  }

  Result<Transition> operator()(const BeginGenerationCmd& c) const {
    switch (s.phase) {
      case RunPhase::kDone:
        return Transition{{}, done_reply(s)};
      case RunPhase::kGenerating:
        return Transition{{}, dispatch_reply(s)};
      case RunPhase::kReflecting:
        if (c.legacy) return (*this)(ReflectDoneCmd{false, c.now_ms});
        return illegal("generation " + std::to_string(s.last_selection.generation) +
                       " was selected; call reflect_done to plan the next one (allowed next: "
                       "reflect_done)");
      case RunPhase::kSetup:
        break;
    }
    if (s.targets.empty()) {
      return illegal("no targets are registered: call evo_register_targets first");
    }
    if (!s.seed_obj()) {
      return illegal("the seed fitness is not reported: call evo_report_seed first");
    }
    return plan_or_finish(s, {}, c.now_ms);
  }

  Result<Transition> operator()(const CodeReadyCmd& c) const {
    auto plan = prepare_code_ready(s, c.branch);
    if (!plan) return plan.error();
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
    ev.late_item = plan->late_item;
    if (!git.read) {
      ev.outcome = CodeOutcome::kAutoApproved;
    } else {
      ev.commit = git.commit;
      ev.parent_commit = git.parent_commit;
      ev.code_hash = git.code_hash;
      ev.changed_files = git.facts.changed_paths();
      policy::PolicyConfig pc{s.config.protected_patterns, s.config.test_patterns};
      auto verdict = policy::evaluate(git.facts, plan->scope, pc);
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

  Result<Transition> operator()(const PolicyPassCmd& c) const {
    EVO_TRY(require_active_run());
    Individual* ind = s.find(c.branch);
    if (ind == nullptr) return unknown_branch(c.branch);
    if (ind->state == ItemState::kApproved && ind->code_outcome == CodeOutcome::kAwaitingReview) {
      return Transition{{}, run_benchmark_reply(s, *ind)};
    }
    if (ind->state != ItemState::kCoded) {
      return item_error(*ind, "policy_pass needs a branch awaiting review");
    }
    if (!ind->violations.empty()) {
      std::vector<std::string> rules;
      for (const auto& v : ind->violations) rules.push_back(v.rule + " (" + v.path + ")");
      return make_error(ErrorCode::kPolicyViolation, "branch '" + ind->branch +
                                                         "' cannot be approved: it has hard policy "
                                                         "violations: " +
                                                         join(rules, ", ") +
                                                         " (allowed next: policy_fail)");
    }
    auto t = commit(s, {PolicyDecided{c.branch, true, {}}});
    t.reply = run_benchmark_reply(s, *s.find(c.branch));
    return t;
  }

  Result<Transition> operator()(const PolicyFailCmd& c) const {
    EVO_TRY(require_active_run());
    if (c.reason.empty()) return invalid("argument 'reason': must say why the diff was rejected");
    Individual* ind = s.find(c.branch);
    if (ind == nullptr) return unknown_branch(c.branch);
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

  Result<Transition> operator()(const FitnessReadyCmd& c) const {
    if (s.phase == RunPhase::kDone) return run_finished_error(s);
    Individual* ind = s.find(c.branch);
    if (ind == nullptr || ind->is_seed) return unknown_branch(c.branch);
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
                        branch_of(s, ind->cache_of) + "' with fitness " +
                        json(ind->fitness).dump() + "; a different result cannot be recorded");
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
    auto t =
        commit(s, {FitnessReported{c.branch, c.success, fitness, utf8_prefix(c.raw_output, 2000),
                                   c.success ? std::string() : reason}});
    t.reply = worker_done_reply(s, *s.find(c.branch));
    return t;
  }

  Result<Transition> operator()(const SelectCmd& c) const {
    switch (s.phase) {
      case RunPhase::kDone:
        return run_finished_error(s);
      case RunPhase::kReflecting:
        return Transition{{}, reflect_reply(s)};
      case RunPhase::kSetup:
        return illegal("no generation is in progress: call begin_generation first");
      case RunPhase::kGenerating:
        break;
    }
    auto flying = in_flight_ids(s);
    if (!flying.empty() && !c.force) {
      return illegal("select refused: " + std::to_string(flying.size()) +
                     " item(s) still in flight: " + describe_in_flight(s, flying) +
                     " (finish them, or call select with force: true to abandon them)");
    }
    auto t = commit(s, {select_event(s, flying)});
    t.reply = reflect_reply(s);
    return t;
  }

  Result<Transition> operator()(const ReflectDoneCmd& c) const {
    switch (s.phase) {
      case RunPhase::kDone:
        return Transition{{}, done_reply(s)};
      case RunPhase::kSetup:
        return illegal("reflect_done before select: no generation has been selected");
      case RunPhase::kGenerating:
        if (s.last_reflected_generation == s.generation - 1 && s.generation > 0) {
          return Transition{{}, dispatch_reply(s)};
        }
        return illegal("reflect_done before select: generation " + std::to_string(s.generation) +
                       " has not been selected (allowed next: select)");
      case RunPhase::kReflecting:
        break;
    }
    auto flying = in_flight_ids(s, /*late_only=*/true);
    if (!flying.empty() && !c.force) {
      return illegal("reflect_done refused: synergy item(s) still in flight: " +
                     describe_in_flight(s, flying) + " (finish them, or pass force: true)");
    }
    std::vector<Event> events;
    events.emplace_back(ReflectCompleted{s.last_selection.generation, flying});
    return plan_or_finish(s, std::move(events), c.now_ms);
  }

  Result<Transition> operator()(const FreezeCmd& c) const {
    EVO_TRY(require_not_done());
    const Target* t = s.target(c.target_id);
    if (t == nullptr) return unknown_target(c.target_id);
    Transition tr;
    if (!t->frozen) tr = commit(s, {TargetFrozen{c.target_id}});
    tr.reply = target_temperature_reply(s, c.target_id);
    return tr;
  }

  Result<Transition> operator()(const BoostCmd& c) const {
    EVO_TRY(require_not_done());
    const Target* t = s.target(c.target_id);
    if (t == nullptr) return unknown_target(c.target_id);
    const double temp = selection::boosted_temperature(t->frozen ? 1.0 : t->temperature);
    auto tr = commit(s, {TargetBoosted{c.target_id, temp}});
    tr.reply = target_temperature_reply(s, c.target_id);
    return tr;
  }

  Result<Transition> operator()(const RecordSynergyCmd& c) const {
    EVO_TRY(require_not_done());
    if (auto p = branch_name_problem(c.branch); !p.empty()) {
      return invalid("argument 'branch': " + p);
    }
    if (c.target_ids.size() < 2) {
      return invalid("argument 'target_ids': a synergy combines at least two targets");
    }
    for (const auto& tid : c.target_ids) {
      if (s.target(tid) == nullptr) return unknown_target(tid);
    }
    if (c.success) EVO_TRY(validate_fitness(s, c.fitness_values, "fitness_values"));
    for (const auto& [tid, f] : c.individual_fitnesses) {
      if (std::find(c.target_ids.begin(), c.target_ids.end(), tid) == c.target_ids.end()) {
        return invalid("argument 'individual_fitnesses': '" + tid + "' is not one of target_ids");
      }
      EVO_TRY(validate_fitness(s, f, "individual_fitnesses." + tid));
    }
    SynergyRecord r;
    r.branch = c.branch;
    r.generation = s.generation;
    r.target_ids = c.target_ids;
    r.fitness_values = c.success ? c.fitness_values : std::vector<double>{};
    r.success = c.success;
    r.individual_fitnesses = c.individual_fitnesses;
    if (c.success && !c.individual_fitnesses.empty()) {
      for (std::size_t i = 0; i < s.config.objectives.size(); ++i) {
        const auto& obj = s.config.objectives[i];
        std::optional<double> best;
        for (const auto& [tid, f] : c.individual_fitnesses) {
          const double v = f[i];
          if (!best || (obj.direction == Direction::kMin ? v < *best : v > *best)) best = v;
        }
        if (!best) continue;
        const double combined = c.fitness_values[i];
        const double gain = obj.direction == Direction::kMin ? *best - combined : combined - *best;
        // Finite inputs can still overflow (1.7e308 - -1.7e308): a non-finite gain would be
        // stored as null and make the run's log undecodable, so the call is refused.
        if (!std::isfinite(gain)) {
          return invalid("argument 'fitness_values[" + std::to_string(i) +
                         "]': the synergy gain of objective '" + obj.name +
                         "' (combined vs the best alone) overflows to infinity; the values "
                         "must differ by at most 1.7976931348623157e308");
        }
        r.synergy_gain[obj.name] = gain;
      }
    }
    Transition t;
    auto existing = std::find_if(s.synergy_records.begin(), s.synergy_records.end(),
                                 [&](const SynergyRecord& x) { return x.branch == c.branch; });
    if (existing != s.synergy_records.end()) {
      if (existing->fitness_values != r.fitness_values || existing->success != r.success ||
          existing->target_ids != r.target_ids) {
        return conflict("synergy branch '" + c.branch +
                        "' is already recorded with a different "
                        "result");
      }
      r = *existing;
    } else {
      t = commit(s, {SynergyRecorded{r}});
    }
    t.reply = synergy_reply(r);
    return t;
  }

  Result<Transition> operator()(const StopCmd& c) const {
    if (s.phase == RunPhase::kDone) return Transition{{}, done_reply(s)};
    RunFinished fin{"stopped", c.reason.empty() ? "stopped by evo_stop" : "stopped: " + c.reason,
                    in_flight_ids(s)};
    auto t = commit(s, {fin});
    t.reply = done_reply(s);
    return t;
  }

  // --- helpers -------------------------------------------------------------------------------
  Status require_not_done() const {
    if (s.phase == RunPhase::kDone) return run_finished_error(s);
    return {};
  }
  Status require_active_run() const {
    if (s.phase == RunPhase::kDone) return run_finished_error(s);
    if (s.phase == RunPhase::kSetup) {
      return illegal("no generation is in progress: call begin_generation first");
    }
    return {};
  }
  Error unknown_branch(const std::string& branch) const {
    return make_error(ErrorCode::kNotFound,
                      "argument 'branch': '" + branch + "' is not an item of run " + s.run_id +
                          " (generation " + std::to_string(s.generation) + ")");
  }
  Error unknown_target(const std::string& id) const {
    std::vector<std::string> ids;
    for (const auto& t : s.targets) ids.push_back(t.id);
    return make_error(ErrorCode::kNotFound, "argument 'target_id': unknown target '" + id +
                                                "' (registered: " + join(ids, ", ") + ")");
  }
};

}  // namespace

Result<Transition> handle(State& state, const Command& command) {
  if (state.run_id.empty() && !std::holds_alternative<InitCmd>(command)) {
    return make_error(ErrorCode::kNotFound, "the run is not initialized: call evo_init first");
  }
  return std::visit(Handler{state}, command);
}

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

std::optional<std::vector<std::string>> parse_synergy_branch(const std::string& branch,
                                                             int generation) {
  // gen-<N>/synergy/<a>+<b>...-<i>, N <= generation
  if (branch.rfind("gen-", 0) != 0) return std::nullopt;
  const auto slash = branch.find('/');
  if (slash == std::string::npos || slash == 4) return std::nullopt;
  const std::string num = branch.substr(4, slash - 4);
  if (num.size() > 9 || !std::all_of(num.begin(), num.end(), ::isdigit)) return std::nullopt;
  if (std::stoi(num) > generation) return std::nullopt;
  const std::string rest = branch.substr(slash + 1);
  if (rest.rfind("synergy/", 0) != 0) return std::nullopt;
  std::string combo = rest.substr(8);
  const auto dash = combo.rfind('-');
  if (dash == std::string::npos || dash + 1 == combo.size()) return std::nullopt;
  const std::string idx = combo.substr(dash + 1);
  if (!std::all_of(idx.begin(), idx.end(), ::isdigit)) return std::nullopt;
  std::vector<std::string> ids = SynergyKey::parse(combo.substr(0, dash)).target_ids;
  if (ids.size() < 2) return std::nullopt;
  for (const auto& id : ids) {
    if (!is_valid_target_id(id)) return std::nullopt;
  }
  return ids;
}

policy::Scope scope_of(const State& s, const Individual& ind) {
  policy::Scope scope;
  scope.op = ind.operation;
  if (ind.operation == Operation::kSynergy) {
    for (const auto& id : SynergyKey::parse(ind.target_id).target_ids) {
      if (const Target* t = s.target(id)) {
        scope.files.push_back(t->file);
        if (!t->function.empty()) scope.functions.push_back(t->function);
      }
    }
  } else {
    if (!ind.target_file.empty()) scope.files.push_back(ind.target_file);
    if (!ind.target_function.empty()) scope.functions.push_back(ind.target_function);
  }
  std::sort(scope.files.begin(), scope.files.end());
  scope.files.erase(std::unique(scope.files.begin(), scope.files.end()), scope.files.end());
  return scope;
}

Result<CodeReadyPlan> prepare_code_ready(const State& s, const std::string& branch) {
  if (s.run_id.empty()) {
    return make_error(ErrorCode::kNotFound, "the run is not initialized: call evo_init first");
  }
  if (s.phase == RunPhase::kDone) return run_finished_error(s);
  if (s.phase == RunPhase::kSetup) {
    return illegal("no generation is in progress: call begin_generation first");
  }
  if (auto p = branch_name_problem(branch); !p.empty()) return invalid("argument 'branch': " + p);
  CodeReadyPlan plan;
  plan.branch = branch;
  plan.uses_git = s.config.policy_mode != PolicyMode::kOff;
  const Individual* ind = s.find(branch);
  Individual late;
  if (ind == nullptr) {
    auto ids = parse_synergy_branch(branch, s.generation);
    if (!ids) {
      return make_error(ErrorCode::kNotFound,
                        "argument 'branch': '" + branch + "' was not planned in generation " +
                            std::to_string(s.generation) + " of run " + s.run_id +
                            " (only synergy branches gen-N/synergy/<a>+<b>-<i> may be "
                            "registered at code_ready)");
    }
    PlannedItem item;
    item.branch = branch;
    item.operation = Operation::kSynergy;
    SynergyKey key;
    for (std::size_t i = 0; i < ids->size(); ++i) {
      const Target* t = s.target((*ids)[i]);
      if (t == nullptr) {
        return make_error(ErrorCode::kNotFound,
                          "argument 'branch': synergy branch names unknown "
                          "target '" +
                              (*ids)[i] + "'");
      }
      key.target_ids.push_back(t->id);
      item.parent_branches.push_back(t->best ? s.individuals[*t->best].branch : "seed-baseline");
    }
    item.target_id = key.str();
    plan.late_item = item;
    late.operation = Operation::kSynergy;
    late.target_id = item.target_id;
    late.parent_branches = item.parent_branches;
    ind = &late;
  } else {
    const bool current = std::find(s.batch.begin(), s.batch.end(), ind->id) != s.batch.end();
    if (ind->is_seed || !current) {
      return illegal("branch '" + branch + "' belongs to generation " +
                     std::to_string(ind->generation) +
                     ", which has been selected; only items "
                     "of generation " +
                     std::to_string(s.generation) + " accept code_ready");
    }
  }
  plan.parent_branch = ind->parent_branches.empty() ? "seed-baseline" : ind->parent_branches[0];
  if (const Individual* parent = s.find(plan.parent_branch)) plan.parent_commit = parent->commit;
  plan.scope = scope_of(s, *ind);
  return plan;
}

bool pins_commit(const State& s, const std::string& branch) {
  const Individual* ind = s.find(branch);
  return ind != nullptr && !ind->commit.empty();
}

}  // namespace evo::state
