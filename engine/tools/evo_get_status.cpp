// evo_get_status: where a run stands.
#include "engine/tools/common.h"
#include "state/replies.h"

namespace evo::engine::tools {
ToolDef make_evo_get_status(Engine& engine) {
  ToolDef def;
  def.name = "evo_get_status";
  def.title = "Run status";
  def.description =
      "Current generation, phase, evaluations and budget, seed and best fitness, the global "
      "Pareto front, per-target temperature and stagnation, and the items still in flight.";
  def.input_schema = run_only_contract().input_schema();
  def.output_schema = output_schema_of<state::RunStatus>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = run_only_contract().parse(args);
    if (!p) return to_outcome(p.error());
    return to_outcome(engine.read(p->run, [](const state::State& s) -> Result<state::RunStatus> {
      return state::status_of(s);
    }));
  };
  return def;
}

}  // namespace evo::engine::tools
