// evo_report_seed: the baseline fitness of the unmodified code.
#include "server/tools/common.h"

namespace evo::server::tools {

ToolDef make_evo_report_seed(Engine& engine) {
  ToolDef def;
  def.name = "evo_report_seed";
  def.title = "Report the seed fitness";
  def.description =
      "Report the benchmark result of the unmodified code (branch/tag seed-baseline), one "
      "value per objective as `fitness_values` (or `fitness`). It counts as one evaluation.";
  def.input_schema = object_schema(fitness_properties());
  def.output_schema = output_schema({{"seed_obj", json::object()},
                                     {"seed_obj_values", {{"type", "array"}}},
                                     {"total_evals", {{"type", "integer"}}}},
                                    {"seed_obj", "total_evals"});
  def.handler = [&engine](const json& args, ToolContext&) {
    auto fitness = read_fitness(args);
    if (!fitness) return to_outcome(fitness.error());
    if (!*fitness) {
      return ToolOutcome::fail(
          "invalid_argument: argument 'fitness_values' is required (one value per objective)");
    }
    return to_outcome(engine.mutate(run_arg(args), [&](state::State& s) {
      return state::handle(s, state::ReportSeedCmd{**fitness});
    }));
  };
  return def;
}

}  // namespace evo::server::tools
