// Shared tool helpers. See common.h.
#include "server/tools/common.h"

#include <cmath>

namespace evo::server::tools {

json run_property() {
  return {{"type", "string"},
          {"description", "Run id (from evo_init or evo_list_runs). Default: the latest run."},
          {"minLength", 1},
          {"maxLength", 64},
          {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]*$"}};
}

json string_property(const std::string& description, std::size_t max_length) {
  return {{"type", "string"}, {"description", description}, {"maxLength", max_length}};
}

json object_schema(json properties, std::vector<std::string> required) {
  properties["run"] = run_property();
  json schema{{"type", "object"}, {"properties", std::move(properties)},
              {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

json output_schema(json properties, std::vector<std::string> required) {
  json schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

json fitness_properties() {
  return {{"fitness",
           {{"description",
             "Fitness: a number for a single objective, or an array with one finite value per "
             "objective, in the order of evo_init's objectives."},
            {"type", json::array({"number", "array"})},
            {"items", {{"type", "number"}}},
            {"minItems", 1}}},
          {"fitness_values",
           {{"description", "Fitness as an array, one finite value per objective."},
            {"type", "array"},
            {"items", {{"type", "number"}}},
            {"minItems", 1}}}};
}

std::optional<std::string> run_arg(const json& args) { return opt_string(args, "run"); }

std::optional<std::string> opt_string(const json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<std::optional<std::vector<double>>> read_fitness(const json& args) {
  std::optional<std::vector<double>> a;
  std::optional<std::vector<double>> b;
  if (auto it = args.find("fitness"); it != args.end() && !it->is_null()) {
    if (it->is_number()) {
      a = std::vector<double>{it->get<double>()};
    } else {
      a = it->get<std::vector<double>>();
    }
  }
  if (auto it = args.find("fitness_values"); it != args.end() && !it->is_null()) {
    b = it->get<std::vector<double>>();
  }
  if (a && b && *a != *b) {
    return make_error(ErrorCode::kInvalidArgument,
                      "arguments 'fitness' and 'fitness_values' disagree; send one of them");
  }
  for (const auto* v : {&a, &b}) {
    if (!*v) continue;
    for (double x : **v) {
      if (!std::isfinite(x)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "argument 'fitness': values must be finite numbers");
      }
    }
  }
  return a ? a : b;
}

ToolOutcome to_outcome(const Result<json>& result) {
  if (result.ok()) return ToolOutcome::ok(result.value());
  const auto& e = result.error();
  return ToolOutcome::fail(std::string(error_code_name(e.code)) + ": " + e.message);
}

ToolOutcome to_legacy_outcome(const Result<json>& result) {
  if (!result.ok()) return to_outcome(result);
  json out = result.value();
  out.erase("action");
  return ToolOutcome::ok(std::move(out));
}

std::vector<ToolDef> all_tools(Engine& engine) {
  return {make_evo_init(engine),           make_evo_register_targets(engine),
          make_evo_report_seed(engine),    make_evo_step(engine),
          make_evo_next_batch(engine),     make_evo_report_fitness(engine),
          make_evo_select_survivors(engine), make_evo_get_status(engine),
          make_evo_get_lineage(engine),    make_evo_freeze_target(engine),
          make_evo_boost_target(engine),   make_evo_record_synergy(engine),
          make_evo_check_cache(engine),    make_evo_revalidate_targets(engine),
          make_evo_list_runs(engine),      make_evo_stop(engine)};
}

}  // namespace evo::server::tools
