// evo_boost_target: give a target more of each generation's variants.
#include "server/tools/common.h"

namespace evo::server::tools {

ToolDef make_evo_boost_target(Engine& engine) {
  ToolDef def;
  def.name = "evo_boost_target";
  def.title = "Boost a target";
  def.description =
      "Raise a target's temperature by 1 (capped at 3), unfreeze it and reset its stagnation, "
      "so it gets a larger share of the next generations.";
  def.input_schema = object_schema(
      {{"target_id", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}}}, {"target_id"});
  def.output_schema = output_schema({{"target_id", {{"type", "string"}}},
                                     {"temperature", {{"type", "number"}}}},
                                    {"target_id", "temperature"});
  def.handler = [&engine](const json& args, ToolContext&) {
    const auto id = args.at("target_id").get<std::string>();
    return to_outcome(engine.mutate(run_arg(args), [&](state::State& s) {
      return state::handle(s, state::BoostCmd{id});
    }));
  };
  return def;
}

}  // namespace evo::server::tools
