// evo_list_runs: every run in the data directory.
#include "server/tools/common.h"

namespace evo::server::tools {

ToolDef make_evo_list_runs(Engine& engine) {
  ToolDef def;
  def.name = "evo_list_runs";
  def.title = "List runs";
  def.description = "List every run in the data directory, oldest first, with phase, "
                    "generation, evaluations and best fitness. Tools default to the latest.";
  def.input_schema = object_schema(json::object());
  def.input_schema["properties"].erase("run");
  def.output_schema = output_schema({{"runs", {{"type", "array"}}},
                                     {"count", {{"type", "integer"}}}},
                                    {"runs", "count"});
  def.handler = [&engine](const json&, ToolContext&) { return to_outcome(engine.list_runs()); };
  return def;
}

}  // namespace evo::server::tools
