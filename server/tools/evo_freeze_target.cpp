// evo_freeze_target: stop evolving a target.
#include "server/tools/common.h"

namespace evo::server::tools {

ToolDef make_evo_freeze_target(Engine& engine) {
  ToolDef def;
  def.name = "evo_freeze_target";
  def.title = "Freeze a target";
  def.description = "Stop planning variants for a target (temperature 0) until it is boosted.";
  def.input_schema = object_schema(
      {{"target_id", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}}}, {"target_id"});
  def.output_schema = output_schema({{"target_id", {{"type", "string"}}},
                                     {"status", {{"type", "string"}}}},
                                    {"target_id", "status"});
  def.handler = [&engine](const json& args, ToolContext&) {
    const auto id = args.at("target_id").get<std::string>();
    return to_outcome(engine.mutate(run_arg(args), [&](state::State& s) {
      return state::handle(s, state::FreezeCmd{id});
    }));
  };
  return def;
}

}  // namespace evo::server::tools
