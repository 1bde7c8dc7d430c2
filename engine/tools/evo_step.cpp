// evo_step: the state-machine driver. One phase per call; each reply names the next action.
#include "engine/tools/phases.h"

namespace evo::engine::tools {
namespace {

constexpr std::array<std::string_view, 7> kPhases{
    "begin_generation", "code_ready", "policy_pass", "policy_fail",
    "fitness_ready",    "select",     "reflect_done"};

struct Params : FitnessFields {
  std::string phase;
  std::optional<std::string> parent_commit;
  bool force = false;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    bind_fitness_fields(t);
    t.custom("phase", enum_schema(kPhases), true,
             [](const json& v, const std::string& path, Params& out) -> Status {
               EVO_TRY(contract_detail::read(v, path, out.phase));
               for (auto name : kPhases) {
                 if (name == out.phase) return {};
               }
               return argument_error(path, one_of({kPhases.begin(), kPhases.end()}));
             });
    t.field("branch", &Params::branch, spec(branch_schema()));
    t.field("parent_commit", &Params::parent_commit, spec({{"maxLength", kBranchMaxLength}}));
    t.field("force", &Params::force);
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

Result<state::Reply> run_phase(Engine& engine, const json& args) {
  EVO_ASSIGN_OR_RETURN(Params p, contract().parse(args));
  const auto& phase = p.phase;
  const auto& run = p.run;
  const auto& branch = p.branch;
  auto need_branch = [&]() -> Status {
    if (branch.empty()) return argument_error("branch", "required for phase '" + phase + "'");
    return {};
  };
  if (phase == "begin_generation") return begin_generation(engine, run, false);
  if (phase == "code_ready") {
    EVO_TRY(need_branch());
    return code_ready(engine, run, branch, p.parent_commit);
  }
  if (phase == "policy_pass") {
    EVO_TRY(need_branch());
    return policy_pass(engine, run, branch);
  }
  if (phase == "policy_fail") {
    EVO_TRY(need_branch());
    std::string reason = p.reason.empty() ? p.raw_output : p.reason;
    if (reason.empty()) {
      return argument_error("reason", "required for phase 'policy_fail' (say why)");
    }
    return policy_fail(engine, run, branch, reason);
  }
  if (phase == "fitness_ready") {
    EVO_ASSIGN_OR_RETURN(auto cmd, fitness_cmd(p));
    return fitness_ready(engine, run, std::move(cmd));
  }
  if (phase == "select") return select(engine, run, p.force);
  return reflect_done(engine, run, p.force);
}

}  // namespace

ToolDef make_evo_step(Engine& engine) {
  ToolDef def;
  def.name = "evo_step";
  def.title = "Advance the evolution loop";
  def.description =
      "Drive the loop one phase at a time. Orchestrator: begin_generation -> dispatch_workers "
      "{items}; select -> reflect {keep, eliminate, best_branch, best_obj}; reflect_done -> "
      "dispatch_workers or done {reason}. Worker: code_ready {branch} -> check_policy {diff, "
      "changed_files, violations, flags} (or worker_done when rejected or a cache hit, or "
      "run_benchmark when auto-approved); fitness_ready {branch, fitness, success} -> "
      "worker_done {is_new_best, total_evals, on_pareto_front}. PolicyAgent: policy_pass -> "
      "run_benchmark; policy_fail {reason} -> worker_done {rejected}. Illegal transitions are "
      "refused with the branch's state and the allowed next phases.";
  def.input_schema = contract().input_schema();
  def.output_schema = wire::output_schema(wire::step_reply_schema());
  def.handler = [&engine](const json& args, ToolContext&) {
    return to_outcome(run_phase(engine, args));
  };
  return def;
}

}  // namespace evo::engine::tools
