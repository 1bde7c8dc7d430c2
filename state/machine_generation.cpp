// The generation loop and its end: begin_generation, select, reflect_done, stop, plan_or_finish,
// and the stop rules (budgets, stagnation, target fitness) it checks before each plan.
// Called by handle() (machine.cpp); the helpers are in machine_internal.h.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "state/machine_internal.h"
#include "state/planner.h"
#include "state/replies.h"

namespace evo::state::detail {

namespace {

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

}  // namespace

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
  if (s.phase == RunPhase::kDone) return make_transition(std::move(events), done_reply(s));
  return make_transition(std::move(events), dispatch_reply(s));
}

Result<Transition> on_begin_generation(State& s, const BeginGenerationCmd& c) {
  switch (s.phase) {
    case RunPhase::kDone:
      return Transition{{}, done_reply(s)};
    case RunPhase::kGenerating:
      return Transition{{}, dispatch_reply(s)};
    case RunPhase::kReflecting:
      if (c.legacy) return on_reflect_done(s, ReflectDoneCmd{false, c.now_ms});
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

Result<Transition> on_select(State& s, const SelectCmd& c) {
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

Result<Transition> on_reflect_done(State& s, const ReflectDoneCmd& c) {
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

Result<Transition> on_stop(State& s, const StopCmd& c) {
  if (s.phase == RunPhase::kDone) return Transition{{}, done_reply(s)};
  RunFinished fin{"stopped", c.reason.empty() ? "stopped by evo_stop" : "stopped: " + c.reason,
                  in_flight_ids(s)};
  auto t = commit(s, {fin});
  t.reply = done_reply(s);
  return t;
}

}  // namespace evo::state::detail
