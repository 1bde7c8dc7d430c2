// Shared tool helpers. See common.h.
#include "engine/tools/common.h"

namespace evo::engine::tools {

Result<state::FitnessReadyCmd> fitness_cmd(const FitnessFields& f) {
  state::FitnessReadyCmd cmd;
  cmd.branch = f.branch;
  if (cmd.branch.empty()) return missing_argument("branch");
  EVO_ASSIGN_OR_RETURN(cmd.fitness, merge_fitness(f.fitness, f.fitness_values));
  cmd.success = f.success;
  cmd.operation = f.operation;
  if (!f.target_id.empty()) cmd.target_id = f.target_id;
  cmd.parent_branches = f.parent_branches;
  cmd.raw_output = f.raw_output;
  cmd.reason = f.reason;
  return cmd;
}

ToolOutcome to_outcome(const Error& e) {
  return ToolOutcome::fail(std::string(error_code_name(e.code)) + ": " + e.message,
                           wire::to_json(wire::error_reply(e)));
}

std::vector<ToolDef> all_tools(Engine& engine) {
  std::vector<ToolDef> tools{make_evo_init(engine),
                             make_evo_register_targets(engine),
                             make_evo_report_seed(engine),
                             make_evo_step(engine),
                             make_evo_next_batch(engine),
                             make_evo_report_fitness(engine),
                             make_evo_select_survivors(engine),
                             make_evo_get_status(engine),
                             make_evo_get_lineage(engine),
                             make_evo_freeze_target(engine),
                             make_evo_boost_target(engine),
                             make_evo_record_synergy(engine),
                             make_evo_check_cache(engine),
                             make_evo_revalidate_targets(engine),
                             make_evo_list_runs(engine),
                             make_evo_stop(engine)};
  // A refusal by inputSchema carries the same error members as the tools' own refusals. Every
  // result is written by a wire::Shape, the table its outputSchema comes from (wire_tests and
  // tools_test check every kind against it), so the session does not check it again per call.
  for (auto& tool : tools) {
    tool.output_exact_by_construction = true;
    tool.refusal_content = [](const std::string& message) {
      return wire::to_json(wire::error_reply(make_error(ErrorCode::kInvalidArgument, message)));
    };
  }
  return tools;
}

const Contract<TargetParams>& target_id_contract() {
  static const Contract<TargetParams> kTable = [] {
    Contract<TargetParams> t;
    t.field("target_id", &TargetParams::target_id,
            spec({{"minLength", 1}, {"maxLength", kIdMaxLength}}).require());
    with_run(t, &TargetParams::run);
    return t;
  }();
  return kTable;
}

const Contract<RunOnlyParams>& run_only_contract() {
  static const Contract<RunOnlyParams> kTable = [] {
    Contract<RunOnlyParams> t;
    with_run(t, &RunOnlyParams::run);
    return t;
  }();
  return kTable;
}

}  // namespace evo::engine::tools
