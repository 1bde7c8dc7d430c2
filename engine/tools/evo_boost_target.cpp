// evo_boost_target: give a target more of each generation's variants.
#include "engine/tools/common.h"

namespace evo::engine::tools {
ToolDef make_evo_boost_target(Engine& engine) {
  ToolDef def;
  def.name = "evo_boost_target";
  def.title = "Boost a target";
  def.description =
      "Raise a target's temperature by 1 (capped at 3), unfreeze it and reset its stagnation, "
      "so it gets a larger share of the next generations.";
  def.input_schema = target_id_contract().input_schema();
  def.output_schema = output_schema_of<state::TargetTemperature>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = target_id_contract().parse(args);
    if (!p) return to_outcome(p.error());
    return to_outcome(expect<state::TargetTemperature>(engine.mutate(
        p->run, [&](state::State& s) { return state::handle(s, state::BoostCmd{p->target_id}); })));
  };
  return def;
}

}  // namespace evo::engine::tools
