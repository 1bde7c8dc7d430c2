// Shared pieces of the tool files: schema builders, argument readers and the mapping of
// engine results to tool outcomes. Arguments reaching a handler already passed inputSchema
// validation; these readers add the cross-field rules a schema cannot say.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "server/engine.h"
#include "server/protocol/tool.h"

namespace evo::server::tools {

using nlohmann::json;

// {type: object, properties, required, additionalProperties: false}, with the optional `run`
// property every tool takes.
json object_schema(json properties, std::vector<std::string> required = {});
json run_property();
json string_property(const std::string& description, std::size_t max_length = 4096);
json fitness_properties();  // fitness (number | array) and fitness_values (array)
// Loose output schema: an object with the listed required keys.
json output_schema(json properties, std::vector<std::string> required = {});

std::optional<std::string> run_arg(const json& args);
std::optional<std::string> opt_string(const json& args, const char* key);

// Reads `fitness` (number or array) and/or `fitness_values` (array); when both are present
// they must agree. nullopt when neither is given.
Result<std::optional<std::vector<double>>> read_fitness(const json& args);

ToolOutcome to_outcome(const Result<json>& result);
// The legacy tools answer like evo_step without its `action` field.
ToolOutcome to_legacy_outcome(const Result<json>& result);

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

}  // namespace evo::server::tools
