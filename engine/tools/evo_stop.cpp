// evo_stop: end a run by hand.
#include "engine/tools/common.h"

namespace evo::engine::tools {
namespace {

struct Params {
  RunArg run;
  std::string reason;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    t.field("reason", &Params::reason, spec({{"maxLength", kTextMaxLength}}));
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_stop(Engine& engine) {
  ToolDef def;
  def.name = "evo_stop";
  def.title = "Stop a run";
  def.description =
      "Stop the run now: items in flight are abandoned, no further generation is planned, and "
      "the reply is the final `done` summary. Stopping a finished run returns its summary.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<state::Done>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    return to_outcome(expect<state::Done>(engine.mutate(
        p->run, [&](state::State& s) { return state::handle(s, state::StopCmd{p->reason}); })));
  };
  return def;
}

}  // namespace evo::engine::tools
