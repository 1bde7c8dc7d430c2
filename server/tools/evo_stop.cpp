// evo_stop: end a run by hand.
#include "server/tools/common.h"

namespace evo::server::tools {

ToolDef make_evo_stop(Engine& engine) {
  ToolDef def;
  def.name = "evo_stop";
  def.title = "Stop a run";
  def.description =
      "Stop the run now: items in flight are abandoned, no further generation is planned, and "
      "the reply is the final `done` summary. Stopping a finished run returns its summary.";
  def.input_schema = object_schema({{"reason", {{"type", "string"}, {"maxLength", 4096}}}});
  def.output_schema = output_schema({{"action", {{"type", "string"}}},
                                     {"reason", {{"type", "string"}}}},
                                    {"action", "reason"});
  def.handler = [&engine](const json& args, ToolContext&) {
    const auto reason = args.value("reason", std::string());
    return to_outcome(engine.mutate(run_arg(args), [&](state::State& s) {
      return state::handle(s, state::StopCmd{reason});
    }));
  };
  return def;
}

}  // namespace evo::server::tools
