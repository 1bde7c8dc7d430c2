// evo_select_survivors: the legacy select; same rules as evo_step select.
#include "engine/tools/phases.h"

namespace evo::engine::tools {
namespace {

struct Params {
  RunArg run;
  bool force = false;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    t.field("force", &Params::force);
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_select_survivors(Engine& engine) {
  ToolDef def;
  def.name = "evo_select_survivors";
  def.title = "Select survivors (legacy)";
  def.description =
      "Legacy flow: NSGA-II selection at the end of a generation. Refused while items are in "
      "flight unless force is true (they are then abandoned).";
  def.input_schema = contract().input_schema();
  def.output_schema = wire::output_schema(wire::legacy_reflect_shape().schema());
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    return to_outcome(expect<state::Reflect>(select(engine, p->run, p->force)),
                      wire::legacy_reflect_shape());
  };
  return def;
}

}  // namespace evo::engine::tools
