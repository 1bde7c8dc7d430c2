// evo_list_runs: every run in the data directory.
#include "engine/tools/common.h"

namespace evo::engine::tools {
namespace {

struct Params {};

const Contract<Params>& contract() {
  static const Contract<Params> kTable;
  return kTable;
}

}  // namespace

ToolDef make_evo_list_runs(Engine& engine) {
  ToolDef def;
  def.name = "evo_list_runs";
  def.title = "List runs";
  def.description =
      "List every run in the data directory, oldest first, with phase, "
      "generation, evaluations and best fitness. Tools default to the latest.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<state::RunList>();
  def.handler = [&engine](const json& args, ToolContext&) {
    if (auto p = contract().parse(args); !p) return to_outcome(p.error());
    return to_outcome(engine.list_runs());
  };
  return def;
}

}  // namespace evo::engine::tools
