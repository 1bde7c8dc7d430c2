// evo_step: the state-machine driver. One phase per call; each reply names the next action.
#include "server/tools/phases.h"

namespace evo::server::tools {
namespace {

constexpr const char* kPhases[] = {"begin_generation", "code_ready",   "policy_pass",
                                   "policy_fail",      "fitness_ready", "select",
                                   "reflect_done"};

Result<json> run_phase(Engine& engine, const json& args) {
  const auto phase = args.at("phase").get<std::string>();
  const auto run = run_arg(args);
  const auto branch = args.value("branch", std::string());
  auto need_branch = [&]() -> Status {
    if (branch.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "argument 'branch': required for phase '" + phase + "'");
    }
    return {};
  };
  if (phase == "begin_generation") return begin_generation(engine, run, false);
  if (phase == "code_ready") {
    EVO_TRY(need_branch());
    return code_ready(engine, run, branch, opt_string(args, "parent_commit"),
                      args.value("code_hash", std::string()));
  }
  if (phase == "policy_pass") {
    EVO_TRY(need_branch());
    return policy_pass(engine, run, branch);
  }
  if (phase == "policy_fail") {
    EVO_TRY(need_branch());
    std::string reason = args.value("reason", std::string());
    if (reason.empty()) reason = args.value("raw_output", std::string());
    if (reason.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "argument 'reason': required for phase 'policy_fail' (say why)");
    }
    return policy_fail(engine, run, branch, reason);
  }
  if (phase == "fitness_ready") {
    auto cmd = read_fitness_cmd(args);
    if (!cmd) return cmd.error();
    return fitness_ready(engine, run, std::move(cmd).value());
  }
  if (phase == "select") return select(engine, run, args.value("force", false));
  return reflect_done(engine, run, args.value("force", false));
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
  json props = fitness_properties();
  props["phase"] = {{"type", "string"}, {"enum", kPhases}};
  props["branch"] = {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}};
  props["parent_commit"] = {{"type", "string"}, {"maxLength", 200}};
  props["success"] = {{"type", "boolean"}};
  props["operation"] = {{"type", "string"},
                        {"enum", {"mutate", "crossover", "structural", "synergy"}}};
  props["target_id"] = {{"type", "string"}, {"maxLength", 200}};
  props["parent_branches"] = {{"type", "array"}, {"items", {{"type", "string"}}}};
  props["code_hash"] = {{"type", "string"}, {"maxLength", 128}};
  props["raw_output"] = {{"type", "string"}, {"maxLength", 1000000}};
  props["reason"] = {{"type", "string"}, {"maxLength", 4096}};
  props["force"] = {{"type", "boolean"}};
  def.input_schema = object_schema(props, {"phase"});
  def.output_schema = output_schema(
      {{"action",
        {{"type", "string"},
         {"enum",
          {"dispatch_workers", "check_policy", "run_benchmark", "worker_done", "reflect",
           "done"}}}}},
      {"action"});
  def.handler = [&engine](const json& args, ToolContext&) {
    return to_outcome(run_phase(engine, args));
  };
  return def;
}

}  // namespace evo::server::tools
