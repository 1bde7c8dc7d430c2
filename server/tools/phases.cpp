// evo_step phase implementations. See phases.h.
#include "server/tools/phases.h"

#include <spdlog/spdlog.h>

#include "core/validate.h"
#include "server/git_edge.h"

namespace evo::server::tools {

Result<json> begin_generation(Engine& engine, const RunArg& run, bool legacy) {
  return engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::BeginGenerationCmd{engine.now_ms(), legacy});
  });
}

Result<json> code_ready(Engine& engine, const RunArg& run, const std::string& branch,
                        const std::optional<std::string>& parent_commit) {
  if (auto p = branch_name_problem(branch); !p.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "argument 'branch': " + p);
  }
  if (parent_commit && !parent_commit->empty()) {
    if (auto p = branch_name_problem(*parent_commit); !p.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "argument 'parent_commit': " + p);
    }
  }
  return engine.mutate(run, [&](state::State& s) -> Result<state::Transition> {
    auto plan = state::prepare_code_ready(s, branch);
    if (!plan) return plan.error();
    state::CodeReadyCmd cmd;
    cmd.branch = branch;
    if (plan->uses_git) {
      auto repo = engine.repo(s.config.repo_path);
      if (!repo) return repo.error();
      std::optional<std::string> client_parent;
      if (parent_commit && !parent_commit->empty()) client_parent = parent_commit;
      auto obs = observe_code(**repo, *plan, client_parent);
      if (!obs) return obs.error();
      cmd.git = std::move(obs).value();
    }
    return state::handle(s, cmd);
  });
}

Result<json> policy_pass(Engine& engine, const RunArg& run, const std::string& branch) {
  return engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::PolicyPassCmd{branch});
  });
}

Result<json> policy_fail(Engine& engine, const RunArg& run, const std::string& branch,
                         const std::string& reason) {
  return engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::PolicyFailCmd{branch, reason});
  });
}

Result<json> fitness_ready(Engine& engine, const RunArg& run, state::FitnessReadyCmd cmd) {
  if (auto p = branch_name_problem(cmd.branch); !p.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "argument 'branch': " + p);
  }
  return engine.mutate(run, [&](state::State& s) -> Result<state::Transition> {
    if (s.config.policy_mode != state::PolicyMode::kOff && state::pins_commit(s, cmd.branch)) {
      auto repo = engine.repo(s.config.repo_path);
      if (!repo) return repo.error();
      auto tip = observe_tip(**repo, cmd.branch);
      if (!tip) return tip.error();
      cmd.observed_commit = *tip;
    }
    return state::handle(s, cmd);
  });
}

Result<json> select(Engine& engine, const RunArg& run, bool force) {
  auto reply = engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::SelectCmd{force});
  });
  if (!reply) return reply;
  // Tags and archive refs are written after the commit. They are safe to repeat, so every
  // successful select (a re-sent one included) applies them: a crash between the commit and
  // the refs is repaired by the client's retry.
  const auto run_id = reply->value("run_id", std::string());
  (void)engine.read(run_id.empty() ? run : RunArg(run_id),
                    [&](const state::State& s) -> Result<json> {
                      if (s.config.policy_mode == state::PolicyMode::kOff) return json();
                      if (!s.config.manage_refs && !s.config.archive_eliminated) return json();
                      auto repo = engine.repo(s.config.repo_path);
                      if (!repo) {
                        engine.logger().warn("run {}: refs not updated: {}", s.run_id,
                                             repo.error().message);
                        return json();
                      }
                      manage_refs_after_select(**repo, s, engine.logger());
                      return json();
                    });
  return reply;
}

Result<json> reflect_done(Engine& engine, const RunArg& run, bool force) {
  return engine.mutate(run, [&](state::State& s) {
    return state::handle(s, state::ReflectDoneCmd{force, engine.now_ms()});
  });
}

}  // namespace evo::server::tools
