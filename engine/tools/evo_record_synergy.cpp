// evo_record_synergy: the result of combining the best variants of several targets.
#include "engine/tools/common.h"

namespace evo::engine::tools {
namespace {

struct Params : state::RecordSynergyCmd {
  RunArg run;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    using C = state::RecordSynergyCmd;
    Contract<Params> t;
    const json numbers{{"type", "array"}, {"minItems", 1}, {"items", {{"type", "number"}}}};
    t.field("branch", &C::branch, spec(branch_schema()).require());
    t.field("target_ids", &C::target_ids,
            spec({{"minItems", 2}, {"items", {{"type", "string"}}}}).require());
    t.field("fitness_values", &C::fitness_values, spec(numbers).require());
    t.field("success", &C::success);
    t.custom(
        "individual_fitnesses", {{"type", "object"}, {"additionalProperties", numbers}}, false,
        [](const json& v, const std::string& path, Params& out) -> Status {
          if (!v.is_object()) return argument_error(path, "must be an object");
          for (const auto& [key, values] : v.items()) {
            EVO_TRY(contract_detail::read(values, path + "." + key, out.individual_fitnesses[key]));
          }
          return {};
        });
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_record_synergy(Engine& engine) {
  ToolDef def;
  def.name = "evo_record_synergy";
  def.title = "Record a synergy experiment";
  def.description =
      "Record the fitness of a branch combining several targets' best variants, with the "
      "individual fitnesses for comparison; the per-objective synergy gain is computed "
      "(positive means the combination helps).";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<state::SynergyAccepted>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    const state::RecordSynergyCmd& cmd = *p;
    return to_outcome(expect<state::SynergyAccepted>(
        engine.mutate(p->run, [&](state::State& s) { return state::handle(s, cmd); })));
  };
  return def;
}

}  // namespace evo::engine::tools
