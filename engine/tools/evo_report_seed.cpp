// evo_report_seed: the baseline fitness of the unmodified code.
#include "engine/tools/common.h"

namespace evo::engine::tools {
namespace {

struct Params {
  RunArg run;
  std::optional<std::vector<double>> fitness;
  std::optional<std::vector<double>> fitness_values;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    t.custom("fitness", fitness_schema(), false,
             [](const json& v, const std::string& path, Params& out) -> Status {
               std::vector<double> values;
               EVO_TRY(read_number_or_array(v, path, values));
               out.fitness = std::move(values);
               return {};
             });
    t.field("fitness_values", &Params::fitness_values, spec(fitness_values_schema()));
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_report_seed(Engine& engine) {
  ToolDef def;
  def.name = "evo_report_seed";
  def.title = "Report the seed fitness";
  def.description =
      "Report the benchmark result of the unmodified code (branch/tag seed-baseline), one "
      "value per objective as `fitness_values` (or `fitness`). It counts as one evaluation.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<state::SeedRecorded>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    auto fitness = merge_fitness(p->fitness, p->fitness_values);
    if (!fitness) return to_outcome(fitness.error());
    if (!*fitness) {
      return to_outcome(missing_argument("fitness_values", " (one value per objective)"));
    }
    return to_outcome(expect<state::SeedRecorded>(engine.mutate(p->run, [&](state::State& s) {
      return state::handle(s, state::ReportSeedCmd{**fitness});
    })));
  };
  return def;
}

}  // namespace evo::engine::tools
