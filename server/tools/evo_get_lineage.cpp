// evo_get_lineage: the ancestry of a branch, back to the seed.
#include "server/tools/common.h"
#include "state/replies.h"

namespace evo::server::tools {

ToolDef make_evo_get_lineage(Engine& engine) {
  ToolDef def;
  def.name = "evo_get_lineage";
  def.title = "Branch lineage";
  def.description =
      "Trace a branch's ancestry: every ancestor with generation, operation, parents, fitness, "
      "Pareto rank, lifecycle state, reviewed commit, and cache-hit origin.";
  def.input_schema = object_schema(
      {{"branch", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}}}}, {"branch"});
  def.output_schema = output_schema({{"branch", {{"type", "string"}}},
                                     {"lineage", {{"type", "array"}}}},
                                    {"branch", "lineage"});
  def.handler = [&engine](const json& args, ToolContext&) {
    const auto branch = args.at("branch").get<std::string>();
    return to_outcome(engine.read(run_arg(args), [&](const state::State& s) {
      return state::lineage_json(s, branch);
    }));
  };
  return def;
}

}  // namespace evo::server::tools
