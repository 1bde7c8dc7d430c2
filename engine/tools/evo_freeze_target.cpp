// evo_freeze_target: stop evolving a target.
#include "engine/tools/common.h"

namespace evo::engine::tools {
ToolDef make_evo_freeze_target(Engine& engine) {
  ToolDef def;
  def.name = "evo_freeze_target";
  def.title = "Freeze a target";
  def.description = "Stop planning variants for a target (temperature 0) until it is boosted.";
  def.input_schema = target_id_contract().input_schema();
  def.output_schema = output_schema_of<state::TargetTemperature>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = target_id_contract().parse(args);
    if (!p) return to_outcome(p.error());
    return to_outcome(expect<state::TargetTemperature>(engine.mutate(p->run, [&](state::State& s) {
      return state::handle(s, state::FreezeCmd{p->target_id});
    })));
  };
  return def;
}

}  // namespace evo::engine::tools
