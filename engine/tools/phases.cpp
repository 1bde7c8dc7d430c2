// evo_step phase implementations. See phases.h.
#include "engine/tools/phases.h"

#include <spdlog/spdlog.h>

#include "core/validate.h"
#include "engine/git_edge.h"

namespace evo::engine::tools {

Result<state::Reply> begin_generation(Engine& engine, const RunArg& run, bool legacy) {
  return engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::BeginGenerationCmd{engine.now_ms(), legacy});
  });
}

namespace {

// What code_ready observes, as planned from the state; equal plans observe the same thing.
struct CodeReadyObservation {
  state::CodeReadyPlan plan;
  std::string repo_path;
  bool operator==(const CodeReadyObservation& o) const {
    return plan.branch == o.plan.branch && plan.uses_git == o.plan.uses_git &&
           plan.parent_branch == o.plan.parent_branch &&
           plan.parent_commit == o.plan.parent_commit && plan.scope == o.plan.scope &&
           plan.late_item.has_value() == o.plan.late_item.has_value() && repo_path == o.repo_path;
  }
  bool needs_io() const { return plan.uses_git; }
};

// fitness_ready checks the branch tip when the run pins the reviewed commit.
struct TipObservation {
  bool pins = false;
  std::string repo_path;
  bool operator==(const TipObservation& o) const = default;
  bool needs_io() const { return pins; }
};

}  // namespace

Result<state::Reply> code_ready(Engine& engine, const RunArg& run, const std::string& branch,
                                const std::optional<std::string>& parent_commit) {
  if (auto p = branch_name_problem(branch); !p.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "argument 'branch': " + p);
  }
  if (parent_commit && !parent_commit->empty()) {
    if (auto p = branch_name_problem(*parent_commit); !p.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "argument 'parent_commit': " + p);
    }
  }
  std::optional<std::string> client_parent;
  if (parent_commit && !parent_commit->empty()) client_parent = parent_commit;
  // The diff and the content hash are read with no engine lock held: other calls go on
  // meanwhile, and the decision re-checks the plan before it commits.
  return engine.mutate_observed<CodeReadyObservation, state::GitObservation>(
      run,
      [&](const state::State& s) -> Result<CodeReadyObservation> {
        EVO_ASSIGN_OR_RETURN(auto plan, state::prepare_code_ready(s, branch));
        return CodeReadyObservation{std::move(plan), s.config.repo_path};
      },
      [&](const CodeReadyObservation& o) -> Result<state::GitObservation> {
        if (!o.plan.uses_git) return state::GitObservation{};
        return engine.git().code(o.repo_path, o.plan, client_parent);
      },
      [&](state::State& s, const CodeReadyObservation&,
          state::GitObservation& git) -> Result<state::Transition> {
        state::CodeReadyCmd cmd;
        cmd.branch = branch;
        cmd.git = std::move(git);
        return state::handle(s, cmd);
      });
}

Result<state::Reply> policy_pass(Engine& engine, const RunArg& run, const std::string& branch) {
  return engine.mutate(
      run, [&](state::State& s) { return state::handle(s, state::PolicyPassCmd{branch}); });
}

Result<state::Reply> policy_fail(Engine& engine, const RunArg& run, const std::string& branch,
                                 const std::string& reason) {
  return engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::PolicyFailCmd{branch, reason});
  });
}

Result<state::Reply> fitness_ready(Engine& engine, const RunArg& run, state::FitnessReadyCmd cmd) {
  if (auto p = branch_name_problem(cmd.branch); !p.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "argument 'branch': " + p);
  }
  return engine.mutate_observed<TipObservation, std::optional<std::string>>(
      run,
      [&](const state::State& s) -> Result<TipObservation> {
        const bool pins =
            s.config.policy_mode != state::PolicyMode::kOff && state::pins_commit(s, cmd.branch);
        return TipObservation{pins, pins ? s.config.repo_path : std::string()};
      },
      [&](const TipObservation& o) -> Result<std::optional<std::string>> {
        if (!o.pins) return std::optional<std::string>();
        EVO_ASSIGN_OR_RETURN(auto tip, engine.git().tip(o.repo_path, cmd.branch));
        return std::optional<std::string>(std::move(tip));
      },
      [&](state::State& s, const TipObservation&,
          std::optional<std::string>& tip) -> Result<state::Transition> {
        cmd.observed_commit = std::move(tip);
        return state::handle(s, cmd);
      });
}

Result<state::Reply> select(Engine& engine, const RunArg& run, bool force) {
  // Tags and archive refs are written after the commit, with the engine lock released. They
  // are safe to repeat, so every successful select (a re-sent one included) writes them: a
  // crash between the commit and the refs is repaired by the client's retry.
  return engine.mutate(
      run, [&](state::State& s) { return state::handle(s, state::SelectCmd{force}); },
      [&engine](const state::State& s, Outbox& outbox) {
        if (s.config.policy_mode == state::PolicyMode::kOff) return;
        if (!s.config.manage_refs && !s.config.archive_eliminated) return;
        outbox.add([&engine, path = s.config.repo_path, plan = plan_refs_after_select(s)] {
          engine.git().refs(path, plan, engine.logger());
        });
      });
}

Result<state::Reply> reflect_done(Engine& engine, const RunArg& run, bool force) {
  return engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::ReflectDoneCmd{force, engine.now_ms()});
  });
}

}  // namespace evo::engine::tools
