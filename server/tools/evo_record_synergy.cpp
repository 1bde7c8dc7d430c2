// evo_record_synergy: the result of combining the best variants of several targets.
#include "server/tools/common.h"

namespace evo::server::tools {

ToolDef make_evo_record_synergy(Engine& engine) {
  ToolDef def;
  def.name = "evo_record_synergy";
  def.title = "Record a synergy experiment";
  def.description =
      "Record the fitness of a branch combining several targets' best variants, with the "
      "individual fitnesses for comparison; the per-objective synergy gain is computed "
      "(positive means the combination helps).";
  def.input_schema = object_schema(
      {{"branch", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}}},
       {"target_ids", {{"type", "array"}, {"minItems", 2}, {"items", {{"type", "string"}}}}},
       {"fitness_values", {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "number"}}}}},
       {"success", {{"type", "boolean"}}},
       {"individual_fitnesses",
        {{"type", "object"},
         {"additionalProperties",
          {{"type", "array"}, {"minItems", 1}, {"items", {{"type", "number"}}}}}}}},
      {"branch", "target_ids", "fitness_values"});
  def.output_schema = output_schema({{"branch", {{"type", "string"}}},
                                     {"target_ids", {{"type", "array"}}},
                                     {"success", {{"type", "boolean"}}}},
                                    {"branch", "target_ids", "success"});
  def.handler = [&engine](const json& args, ToolContext&) {
    state::RecordSynergyCmd cmd;
    cmd.branch = args.at("branch").get<std::string>();
    cmd.target_ids = args.at("target_ids").get<std::vector<std::string>>();
    cmd.fitness_values = args.at("fitness_values").get<std::vector<double>>();
    cmd.success = args.value("success", true);
    if (auto it = args.find("individual_fitnesses"); it != args.end()) {
      cmd.individual_fitnesses = it->get<std::map<std::string, std::vector<double>>>();
    }
    return to_outcome(engine.mutate(run_arg(args), [&](state::State& s) {
      return state::handle(s, cmd);
    }));
  };
  return def;
}

}  // namespace evo::server::tools
