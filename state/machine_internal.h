// Private to state/: what the machine_*.cpp files share. The error helpers, the event commit,
// the in-flight queries, and one function per command, which handle() (machine.cpp) dispatches
// to. Nothing outside state/ includes this; the public API is machine.h.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/strings.h"
#include "state/events.h"
#include "state/machine.h"
#include "state/model.h"

namespace evo::state::detail {

inline Error invalid(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}
inline Error illegal(std::string message) {
  return make_error(ErrorCode::kIllegalTransition, std::move(message));
}
inline Error conflict(std::string message) {
  return make_error(ErrorCode::kConflict, std::move(message));
}

// The phases a branch may take next: for the message, and for the error's details.
inline std::vector<std::string> allowed_next_phases(const Individual& ind) {
  switch (ind.state) {
    case ItemState::kPlanned:
      return {"code_ready"};
    case ItemState::kCoded:
      return {"policy_pass", "policy_fail", "code_ready"};
    case ItemState::kApproved:
      return {"fitness_ready", "code_ready"};
    case ItemState::kRejected:
      return {"code_ready"};
    case ItemState::kEvaluated:
    case ItemState::kFailed:
    case ItemState::kAbandoned:
      return {};
  }
  return {};
}

inline std::string allowed_next(const Individual& ind) {
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

// Refuses a phase for a branch in its current state, with the branch, the state and the
// allowed next phases as details.
inline Error item_error(const Individual& ind, const std::string& what) {
  ErrorDetails details;
  details.branch = ind.branch;
  details.state = to_string(ind.state);
  details.allowed_next = allowed_next_phases(ind);
  return make_error(ErrorCode::kIllegalTransition,
                    "branch '" + ind.branch + "' is " + to_string(ind.state) + ": " + what +
                        " (allowed next: " + allowed_next(ind) + ")",
                    std::move(details));
}

inline Error run_finished_error(const State& s) {
  return illegal("run " + s.run_id + " is finished (" + s.done_reason +
                 "); no further changes are accepted");
}

inline Transition make_transition(std::vector<Event> events, Reply reply) {
  Transition t;
  t.events = std::move(events);
  t.reply = std::move(reply);
  return t;
}

inline Transition commit(State& s, std::vector<Event> events) {
  for (const auto& e : events) apply_event(s, e);
  return make_transition(std::move(events), Reply{});
}

// At most `max` bytes of `text`, never ending inside a UTF-8 sequence: a cut sequence would
// make the event impossible to encode as JSON (nlohmann refuses invalid UTF-8).
inline std::string utf8_prefix(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

inline std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

inline std::vector<std::uint64_t> in_flight_ids(const State& s, bool late_only = false) {
  std::vector<std::uint64_t> ids;
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    if (ind.in_flight() && (!late_only || ind.registered_late)) ids.push_back(id);
  }
  return ids;
}

inline std::string describe_in_flight(const State& s, const std::vector<std::uint64_t>& ids) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < ids.size() && i < 10; ++i) {
    const auto& ind = s.individuals[ids[i]];
    parts.push_back(ind.branch + " (" + to_string(ind.state) + ")");
  }
  std::string out = join(parts, ", ");
  if (ids.size() > 10) out += ", and " + std::to_string(ids.size() - 10) + " more";
  return out;
}

inline Status require_not_done(const State& s) {
  if (s.phase == RunPhase::kDone) return run_finished_error(s);
  return {};
}
inline Status require_active_run(const State& s) {
  if (s.phase == RunPhase::kDone) return run_finished_error(s);
  if (s.phase == RunPhase::kSetup) {
    return illegal("no generation is in progress: call begin_generation first");
  }
  return {};
}
inline Error unknown_branch(const State& s, const std::string& branch) {
  ErrorDetails details;
  details.field = "branch";
  details.branch = branch;
  return make_error(ErrorCode::kNotFound,
                    "argument 'branch': '" + branch + "' is not an item of run " + s.run_id +
                        " (generation " + std::to_string(s.generation) + ")",
                    std::move(details));
}
inline Error unknown_target(const State& s, const std::string& id) {
  std::vector<std::string> ids;
  for (const auto& t : s.targets) ids.push_back(t.id);
  return make_error(ErrorCode::kNotFound, "argument 'target_id': unknown target '" + id +
                                              "' (registered: " + join(ids, ", ") + ")");
}

// Plans the next generation, or finishes the run when a budget is reached
// (machine_generation.cpp).
Transition plan_or_finish(State& s, std::vector<Event> events, std::int64_t now_ms);

// One function per command. Each validates first and leaves `s` untouched on error.
// machine_setup.cpp
Result<Transition> on_init(State& s, const InitCmd& c);
Result<Transition> on_register_targets(State& s, const RegisterTargetsCmd& c);
Result<Transition> on_report_seed(State& s, const ReportSeedCmd& c);
// machine_generation.cpp
Result<Transition> on_begin_generation(State& s, const BeginGenerationCmd& c);
Result<Transition> on_select(State& s, const SelectCmd& c);
Result<Transition> on_reflect_done(State& s, const ReflectDoneCmd& c);
Result<Transition> on_stop(State& s, const StopCmd& c);
// machine_items.cpp
Result<Transition> on_code_ready(State& s, const CodeReadyCmd& c);
Result<Transition> on_policy_pass(State& s, const PolicyPassCmd& c);
Result<Transition> on_policy_fail(State& s, const PolicyFailCmd& c);
Result<Transition> on_fitness_ready(State& s, const FitnessReadyCmd& c);
// machine_steering.cpp
Result<Transition> on_freeze(State& s, const FreezeCmd& c);
Result<Transition> on_boost(State& s, const BoostCmd& c);
Result<Transition> on_record_synergy(State& s, const RecordSynergyCmd& c);

}  // namespace evo::state::detail
