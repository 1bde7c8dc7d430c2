// Shared pieces of the tool files: the fitness fields evo_step and evo_report_fitness share,
// the output schema helper and the mapping of engine results to tool outcomes. Arguments
// reaching a handler already passed inputSchema validation; each tool's contract (contract.h)
// reads them into its Params, and the handlers add the cross-field rules a schema cannot say.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/engine.h"
#include "engine/tools/contract.h"
#include "mcp/tool.h"
#include "state/machine.h"
#include "wire/replies.h"

namespace evo::engine::tools {

using mcp::ClientReply;
using mcp::ToolContext;
using mcp::ToolDef;
using mcp::ToolOutcome;
using nlohmann::json;
using RunArg = std::optional<std::string>;

// A tool's outputSchema: the exact schema of its result, or of the error it sends.
template <typename T>
json output_schema_of() {
  return wire::output_schema(wire::schema_of<T>());
}

// The fitness_ready fields shared by evo_step and evo_report_fitness.
struct FitnessFields {
  RunArg run;
  std::string branch;
  std::optional<std::vector<double>> fitness;
  std::optional<std::vector<double>> fitness_values;
  bool success = true;
  std::optional<Operation> operation;
  std::string target_id;
  std::optional<std::vector<std::string>> parent_branches;
  // Accepted for compatibility with the reference; the server computes its own hash.
  std::string code_hash;
  std::string raw_output;
  std::string reason;
};

template <typename P>
Contract<P>& bind_fitness_fields(Contract<P>& table) {
  static_assert(std::is_base_of_v<FitnessFields, P>);
  table.custom("fitness", fitness_schema(), false,
               [](const json& v, const std::string& path, P& out) -> Status {
                 std::vector<double> values;
                 EVO_TRY(read_number_or_array(v, path, values));
                 out.fitness = std::move(values);
                 return {};
               });
  table.field("fitness_values", &FitnessFields::fitness_values, spec(fitness_values_schema()));
  table.field("success", &FitnessFields::success);
  table.field("operation", &FitnessFields::operation);
  table.field("target_id", &FitnessFields::target_id, spec({{"maxLength", kBranchMaxLength}}));
  table.field("parent_branches", &FitnessFields::parent_branches,
              spec({{"items", {{"type", "string"}}}}));
  table.field("code_hash", &FitnessFields::code_hash, spec({{"maxLength", 128}}));
  table.field("raw_output", &FitnessFields::raw_output, spec({{"maxLength", 1000000}}));
  table.field("reason", &FitnessFields::reason, spec({{"maxLength", kTextMaxLength}}));
  return table;
}

// The fitness_ready command from those fields (fitness and fitness_values must agree).
Result<state::FitnessReadyCmd> fitness_cmd(const FitnessFields& f);

// The tool's outcome: the reply in its wire form, or the error with its structured details
// (wire::ErrorReply) beside the text.
ToolOutcome to_outcome(const Error& error);
// The reply a command was expected to give (an internal error for any other).
template <typename T>
Result<T> expect(Result<state::Reply> reply) {
  if (!reply.ok()) return reply.error();
  if (auto* value = std::get_if<T>(&reply.value())) return std::move(*value);
  return make_error(ErrorCode::kInternal, "the state machine gave an unexpected reply");
}

template <typename T>
ToolOutcome to_outcome(const Result<T>& result) {
  if (!result.ok()) return to_outcome(result.error());
  return ToolOutcome::ok(wire::to_json(result.value()));
}

// The same, in a form other than the type's own (the legacy tools' replies without `action`).
template <typename T>
ToolOutcome to_outcome(const Result<T>& result, const wire::Shape<T>& shape) {
  if (!result.ok()) return to_outcome(result.error());
  return ToolOutcome::ok(shape.write(result.value()));
}

// Every tool, in a stable order.
std::vector<ToolDef> all_tools(Engine& engine);

// One constructor per tool file.
ToolDef make_evo_init(Engine& engine);
ToolDef make_evo_register_targets(Engine& engine);
ToolDef make_evo_report_seed(Engine& engine);
ToolDef make_evo_next_batch(Engine& engine);
ToolDef make_evo_report_fitness(Engine& engine);
ToolDef make_evo_select_survivors(Engine& engine);
ToolDef make_evo_get_status(Engine& engine);
ToolDef make_evo_get_lineage(Engine& engine);
ToolDef make_evo_freeze_target(Engine& engine);
ToolDef make_evo_boost_target(Engine& engine);
ToolDef make_evo_record_synergy(Engine& engine);
ToolDef make_evo_check_cache(Engine& engine);
ToolDef make_evo_revalidate_targets(Engine& engine);
ToolDef make_evo_step(Engine& engine);
ToolDef make_evo_list_runs(Engine& engine);
ToolDef make_evo_stop(Engine& engine);

// The arguments of a tool that takes only the optional `run`.
struct RunOnlyParams {
  RunArg run;
};
const Contract<RunOnlyParams>& run_only_contract();

// The arguments of a tool that acts on one target (evo_freeze_target, evo_boost_target).
struct TargetParams {
  RunArg run;
  std::string target_id;
};
const Contract<TargetParams>& target_id_contract();

}  // namespace evo::engine::tools
