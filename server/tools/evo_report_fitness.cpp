// evo_report_fitness: the legacy fitness report; same rules as evo_step fitness_ready.
#include "server/tools/phases.h"

namespace evo::server::tools {

ToolDef make_evo_report_fitness(Engine& engine) {
  ToolDef def;
  def.name = "evo_report_fitness";
  def.title = "Report a fitness (legacy)";
  def.description =
      "Legacy flow: record the benchmark result of an approved branch. Refused for a branch "
      "that was never reviewed, or that moved since review.";
  json props = fitness_properties();
  props["branch"] = {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}};
  props["target_id"] = {{"type", "string"}, {"maxLength", 200}};
  props["operation"] = {{"type", "string"},
                        {"enum", {"mutate", "crossover", "structural", "synergy"}}};
  props["parent_branches"] = {{"type", "array"}, {"items", {{"type", "string"}}}};
  props["success"] = {{"type", "boolean"}};
  props["code_hash"] = {{"type", "string"}, {"maxLength", 128}};
  props["raw_output"] = {{"type", "string"}, {"maxLength", 1000000}};
  props["reason"] = {{"type", "string"}, {"maxLength", 4096}};
  def.input_schema = object_schema(props, {"branch"});
  def.output_schema = output_schema({{"branch", {{"type", "string"}}},
                                     {"success", {{"type", "boolean"}}},
                                     {"total_evals", {{"type", "integer"}}},
                                     {"on_pareto_front", {{"type", "boolean"}}}},
                                    {"branch", "total_evals"});
  def.handler = [&engine](const json& args, ToolContext&) {
    auto cmd = read_fitness_cmd(args);
    if (!cmd) return to_outcome(cmd.error());
    return to_legacy_outcome(fitness_ready(engine, run_arg(args), std::move(cmd).value()));
  };
  return def;
}

}  // namespace evo::server::tools
