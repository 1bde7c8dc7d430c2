// evo_next_batch: the legacy way to get a generation's items. It moves the same lifecycle as
// evo_step begin_generation (and closes a pending reflect phase, which legacy clients skip).
#include "engine/tools/phases.h"

namespace evo::engine::tools {

// What evo_next_batch answers: the batch, or done with its reason.
struct NextBatch {
  bool done = false;
  std::optional<std::string> reason;  // when done
  int generation = 0;
  std::optional<std::uint64_t> budget_remaining;  // when not done
  std::uint64_t batch_size = 0;
  std::vector<state::WorkItem> batch;
};

}  // namespace evo::engine::tools

namespace evo::wire {
EVO_WIRE_SHAPE(engine::tools::NextBatch);
const Shape<engine::tools::NextBatch>& ShapeOf<engine::tools::NextBatch>::get() {
  using engine::tools::NextBatch;
  static const Shape<NextBatch> kShape = [] {
    Shape<NextBatch> s;
    s.field("done", &NextBatch::done);
    s.omittable("reason", &NextBatch::reason, "why the run finished");
    s.field("generation", &NextBatch::generation);
    s.omittable("budget_remaining", &NextBatch::budget_remaining);
    s.field("batch_size", &NextBatch::batch_size);
    s.field("batch", &NextBatch::batch, "empty when done");
    return s;
  }();
  return kShape;
}
}  // namespace evo::wire

namespace evo::engine::tools {
namespace {

Result<NextBatch> next_batch(Engine& engine, const json& args) {
  EVO_ASSIGN_OR_RETURN(auto p, run_only_contract().parse(args));
  EVO_ASSIGN_OR_RETURN(auto step, begin_generation(engine, p.run, /*legacy=*/true));
  NextBatch out;
  if (const auto* done = std::get_if<state::Done>(&step)) {
    out.done = true;
    out.reason = done->reason;
    out.generation = done->generation;
    return out;
  }
  const auto* dispatch = std::get_if<state::DispatchWorkers>(&step);
  if (dispatch == nullptr) {
    return make_error(ErrorCode::kInternal, "begin_generation gave an unexpected reply");
  }
  out.generation = dispatch->generation;
  out.budget_remaining = dispatch->budget_remaining;
  out.batch_size = dispatch->batch_size;
  out.batch = dispatch->items;
  return out;
}

}  // namespace

ToolDef make_evo_next_batch(Engine& engine) {
  ToolDef def;
  def.name = "evo_next_batch";
  def.title = "Get the next batch (legacy)";
  def.description =
      "Legacy flow: plan (or return) the current generation's batch. Items still need "
      "evo_step code_ready and policy approval before their fitness is accepted.";
  def.input_schema = run_only_contract().input_schema();
  def.output_schema = output_schema_of<NextBatch>();
  def.handler = [&engine](const json& args, ToolContext&) {
    return to_outcome(next_batch(engine, args));
  };
  return def;
}

}  // namespace evo::engine::tools
