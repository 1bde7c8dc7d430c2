// evo_get_status: where a run stands.
#include "server/tools/common.h"
#include "state/replies.h"

namespace evo::server::tools {
namespace {

struct Params {
  RunArg run;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_get_status(Engine& engine) {
  ToolDef def;
  def.name = "evo_get_status";
  def.title = "Run status";
  def.description =
      "Current generation, phase, evaluations and budget, seed and best fitness, the global "
      "Pareto front, per-target temperature and stagnation, and the items still in flight.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema({{"run_id", {{"type", "string"}}},
                                     {"phase", {{"type", "string"}}},
                                     {"generation", {{"type", "integer"}}},
                                     {"total_evals", {{"type", "integer"}}},
                                     {"targets", {{"type", "object"}}}},
                                    {"run_id", "phase", "generation", "total_evals"});
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    return to_outcome(engine.read(
        p->run, [](const state::State& s) -> Result<json> { return state::status_json(s); }));
  };
  return def;
}

}  // namespace evo::server::tools
