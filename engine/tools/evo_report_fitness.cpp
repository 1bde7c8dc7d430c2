// evo_report_fitness: the legacy fitness report; same rules as evo_step fitness_ready.
#include "engine/tools/phases.h"

namespace evo::engine::tools {
namespace {

struct Params : FitnessFields {};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    bind_fitness_fields(t);
    t.field("branch", &Params::branch, spec(branch_schema()).require());
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

Result<state::WorkerDone> report(Engine& engine, const json& args) {
  EVO_ASSIGN_OR_RETURN(Params p, contract().parse(args));
  EVO_ASSIGN_OR_RETURN(auto cmd, fitness_cmd(p));
  return expect<state::WorkerDone>(fitness_ready(engine, p.run, std::move(cmd)));
}

}  // namespace

ToolDef make_evo_report_fitness(Engine& engine) {
  ToolDef def;
  def.name = "evo_report_fitness";
  def.title = "Report a fitness (legacy)";
  def.description =
      "Legacy flow: record the benchmark result of an approved branch. Refused for a branch "
      "that was never reviewed, or that moved since review.";
  def.input_schema = contract().input_schema();
  def.output_schema = wire::output_schema(wire::legacy_worker_done_shape().schema());
  def.handler = [&engine](const json& args, ToolContext&) {
    return to_outcome(report(engine, args), wire::legacy_worker_done_shape());
  };
  return def;
}

}  // namespace evo::engine::tools
