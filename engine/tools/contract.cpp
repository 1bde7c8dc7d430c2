// The field-table readers and the schema snippets every tool shares. See contract.h.
#include "engine/tools/contract.h"

#include <cmath>
#include <limits>

namespace evo::engine::tools {

json id_schema() {
  return {
      {"type", "string"}, {"minLength", 1}, {"maxLength", kIdMaxLength}, {"pattern", kIdPattern}};
}

json branch_schema() {
  return {{"type", "string"}, {"minLength", 1}, {"maxLength", kBranchMaxLength}};
}

json enum_schema(const std::vector<std::string_view>& names) {
  json list = json::array();
  for (auto n : names) list.push_back(std::string(n));
  return {{"type", "string"}, {"enum", list}};
}

json run_schema() {
  json s = id_schema();
  s["description"] = "Run id (from evo_init or evo_list_runs). Default: the latest run.";
  return s;
}

Error argument_error(const std::string& path, const std::string& problem) {
  ErrorDetails details;
  details.field = path;
  return make_error(ErrorCode::kInvalidArgument, "argument '" + path + "': " + problem,
                    std::move(details));
}

Error missing_argument(const std::string& path, const std::string& why) {
  ErrorDetails details;
  details.field = path;
  details.rule = "required";
  return make_error(ErrorCode::kInvalidArgument, "argument '" + path + "' is required" + why,
                    std::move(details));
}

std::string one_of(const std::vector<std::string_view>& names) {
  std::string out = "must be one of ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

namespace contract_detail {

Status read(const json& v, const std::string& path, std::string& out) {
  if (!v.is_string()) return argument_error(path, "must be a string");
  out = v.get<std::string>();
  return {};
}

Status read(const json& v, const std::string& path, bool& out) {
  if (!v.is_boolean()) return argument_error(path, "must be a boolean");
  out = v.get<bool>();
  return {};
}

Status read(const json& v, const std::string& path, int& out) {
  if (!v.is_number_integer()) return argument_error(path, "must be an integer");
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      return argument_error(path, "is out of range");
    }
    out = static_cast<int>(u);
    return {};
  }
  const auto i = v.get<std::int64_t>();
  if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max()) {
    return argument_error(path, "is out of range");
  }
  out = static_cast<int>(i);
  return {};
}

Status read(const json& v, const std::string& path, std::uint64_t& out) {
  if (!v.is_number_integer()) return argument_error(path, "must be an integer");
  if (!v.is_number_unsigned() && v.get<std::int64_t>() < 0) {
    return argument_error(path, "must be >= 0");
  }
  out = v.get<std::uint64_t>();
  return {};
}

Status read(const json& v, const std::string& path, double& out) {
  if (!v.is_number()) return argument_error(path, "must be a number");
  out = v.get<double>();
  return {};
}

namespace {
template <typename E, typename Names, typename Parse>
Status read_enum(const json& v, const std::string& path, const Names& names, Parse parse, E& out) {
  const std::vector<std::string_view> list(names.begin(), names.end());
  if (!v.is_string()) return argument_error(path, one_of(list));
  auto parsed = parse(v.get_ref<const std::string&>());
  if (!parsed) return argument_error(path, one_of(list));
  out = *parsed;
  return {};
}
}  // namespace

Status read(const json& v, const std::string& path, Direction& out) {
  return read_enum(v, path, kDirectionNames, parse_direction, out);
}
Status read(const json& v, const std::string& path, Operation& out) {
  return read_enum(v, path, kOperationNames, parse_operation, out);
}
Status read(const json& v, const std::string& path, state::PolicyMode& out) {
  return read_enum(v, path, state::kPolicyModeNames, state::parse_policy_mode, out);
}
Status read(const json& v, const std::string& path, state::BenchmarkFormat& out) {
  return read_enum(v, path, state::kBenchmarkFormatNames, state::parse_benchmark_format, out);
}

Status read(const json& v, const std::string& path, state::Strategy& out) {
  return read_enum(v, path, state::kStrategyNames, state::parse_strategy, out);
}

Status read(const json& v, const std::string& path, std::vector<std::string>& out) {
  if (!v.is_array()) return argument_error(path, "must be an array");
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string s;
    EVO_TRY(read(v[i], path + "[" + std::to_string(i) + "]", s));
    out.push_back(std::move(s));
  }
  return {};
}

Status read(const json& v, const std::string& path, std::vector<double>& out) {
  if (!v.is_array()) return argument_error(path, "must be an array");
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    double d = 0;
    EVO_TRY(read(v[i], path + "[" + std::to_string(i) + "]", d));
    out.push_back(d);
  }
  return {};
}

}  // namespace contract_detail

Status read_number_or_array(const json& v, const std::string& path, std::vector<double>& out) {
  if (v.is_number()) {
    out = {v.get<double>()};
    return {};
  }
  if (!v.is_array()) return argument_error(path, "must be a number or an array of numbers");
  return contract_detail::read(v, path, out);
}

json fitness_schema() {
  return {{"description",
           "Fitness: a number for a single objective, or an array with one finite value per "
           "objective, in the order of evo_init's objectives."},
          {"type", json::array({"number", "array"})},
          {"items", {{"type", "number"}}},
          {"minItems", 1}};
}

json fitness_values_schema() {
  return {{"description", "Fitness as an array, one finite value per objective."},
          {"type", "array"},
          {"items", {{"type", "number"}}},
          {"minItems", 1}};
}

Result<std::optional<std::vector<double>>> merge_fitness(
    const std::optional<std::vector<double>>& fitness,
    const std::optional<std::vector<double>>& fitness_values) {
  if (fitness && fitness_values && *fitness != *fitness_values) {
    ErrorDetails details;
    details.field = "fitness";
    details.rule = "fitness_disagrees";
    return make_error(ErrorCode::kInvalidArgument,
                      "arguments 'fitness' and 'fitness_values' disagree; send one of them",
                      std::move(details));
  }
  for (const auto* v : {&fitness, &fitness_values}) {
    if (!*v) continue;
    for (double x : **v) {
      if (!std::isfinite(x)) return argument_error("fitness", "values must be finite numbers");
    }
  }
  return fitness ? fitness : fitness_values;
}

}  // namespace evo::engine::tools
