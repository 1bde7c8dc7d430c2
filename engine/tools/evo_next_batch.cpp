// evo_next_batch: the legacy way to get a generation's items. It moves the same lifecycle as
// evo_step begin_generation (and closes a pending reflect phase, which legacy clients skip).
#include "engine/tools/phases.h"

namespace evo::engine::tools {
ToolDef make_evo_next_batch(Engine& engine) {
  ToolDef def;
  def.name = "evo_next_batch";
  def.title = "Get the next batch (legacy)";
  def.description =
      "Legacy flow: plan (or return) the current generation's batch. Items still need "
      "evo_step code_ready and policy approval before their fitness is accepted.";
  def.input_schema = run_only_contract().input_schema();
  def.output_schema = output_schema({{"generation", {{"type", "integer"}}},
                                     {"batch", {{"type", "array"}}},
                                     {"batch_size", {{"type", "integer"}}},
                                     {"done", {{"type", "boolean"}}}},
                                    {"batch", "done"});
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = run_only_contract().parse(args);
    if (!p) return to_outcome(p.error());
    auto r = begin_generation(engine, p->run, /*legacy=*/true);
    if (!r) return to_outcome(r);
    const json& step = *r;
    if (step.at("action") == "done") {
      return ToolOutcome::ok({{"done", true},
                              {"reason", step.at("reason")},
                              {"batch", json::array()},
                              {"batch_size", 0},
                              {"generation", step.at("generation")}});
    }
    return ToolOutcome::ok({{"done", false},
                            {"generation", step.at("generation")},
                            {"budget_remaining", step.at("budget_remaining")},
                            {"batch_size", step.at("batch_size")},
                            {"batch", step.at("items")}});
  };
  return def;
}

}  // namespace evo::engine::tools
