// One contract per tool: a field table binds each argument's JSON name to a member of the tool's
// `Params` struct, with its schema constraints and description. The advertised inputSchema, the
// parsing with path-named errors and the defaults (the struct's member initializers) all come
// from that one table, in the spirit of clangd's LSPBinder and LLDB's MCP Binder.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "state/model.h"

namespace evo::engine::tools {

using nlohmann::json;

// Written once: every id (run, target) and every branch name is bounded the same way.
inline constexpr const char* kIdPattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
inline constexpr std::size_t kIdMaxLength = 64;
inline constexpr std::size_t kBranchMaxLength = 200;
inline constexpr std::size_t kTextMaxLength = 4096;

// Schema snippets the tables share.
json id_schema();      // {type string, 1..64, kIdPattern}
json branch_schema();  // {type string, 1..200}
json enum_schema(const std::vector<std::string_view>& names);
template <std::size_t N>
json enum_schema(const std::array<std::string_view, N>& names) {
  return enum_schema(std::vector<std::string_view>(names.begin(), names.end()));
}

// An error naming the argument at fault by its path; details.field carries the path too.
Error argument_error(const std::string& path, const std::string& problem);
// "argument 'x' is required<why>" (the wording clients already match on).
Error missing_argument(const std::string& path, const std::string& why = "");

// "must be one of a, b, c" (the wording the schema validator uses for `enum`).
std::string one_of(const std::vector<std::string_view>& names);

namespace contract_detail {

// Typed readers: each checks the JSON type and converts, naming `path` on failure.
Status read(const json& v, const std::string& path, std::string& out);
Status read(const json& v, const std::string& path, bool& out);
Status read(const json& v, const std::string& path, int& out);
Status read(const json& v, const std::string& path, std::uint64_t& out);
Status read(const json& v, const std::string& path, double& out);
Status read(const json& v, const std::string& path, Direction& out);
Status read(const json& v, const std::string& path, Operation& out);
Status read(const json& v, const std::string& path, state::PolicyMode& out);
Status read(const json& v, const std::string& path, state::BenchmarkFormat& out);
Status read(const json& v, const std::string& path, state::Strategy& out);
Status read(const json& v, const std::string& path, std::vector<std::string>& out);
Status read(const json& v, const std::string& path, std::vector<double>& out);

template <typename T>
Status read(const json& v, const std::string& path, std::optional<T>& out) {
  T value{};
  EVO_TRY(read(v, path, value));
  out = std::move(value);
  return {};
}

// The JSON Schema `type` of a C++ member (absent for members read by a custom reader).
template <typename T>
struct SchemaType {
  static json get() { return nullptr; }
};
template <>
struct SchemaType<std::string> {
  static json get() { return "string"; }
};
template <>
struct SchemaType<bool> {
  static json get() { return "boolean"; }
};
template <>
struct SchemaType<int> {
  static json get() { return "integer"; }
};
template <>
struct SchemaType<std::uint64_t> {
  static json get() { return "integer"; }
};
template <>
struct SchemaType<double> {
  static json get() { return "number"; }
};
template <>
struct SchemaType<Direction> {
  static json get() { return "string"; }
};
template <>
struct SchemaType<Operation> {
  static json get() { return "string"; }
};
template <>
struct SchemaType<state::PolicyMode> {
  static json get() { return "string"; }
};
template <>
struct SchemaType<state::BenchmarkFormat> {
  static json get() { return "string"; }
};
template <>
struct SchemaType<std::vector<std::string>> {
  static json get() { return "array"; }
};
template <>
struct SchemaType<std::vector<double>> {
  static json get() { return "array"; }
};
template <typename T>
struct SchemaType<std::optional<T>> {
  static json get() { return SchemaType<T>::get(); }
};

// The enum names a member accepts, so the schema's `enum` and the parser share one spelling.
template <typename T>
struct EnumNames {
  static std::optional<std::vector<std::string_view>> get() { return std::nullopt; }
};
template <>
struct EnumNames<Direction> {
  static std::optional<std::vector<std::string_view>> get() {
    return std::vector<std::string_view>(kDirectionNames.begin(), kDirectionNames.end());
  }
};
template <>
struct EnumNames<Operation> {
  static std::optional<std::vector<std::string_view>> get() {
    return std::vector<std::string_view>(kOperationNames.begin(), kOperationNames.end());
  }
};
template <>
struct EnumNames<state::PolicyMode> {
  static std::optional<std::vector<std::string_view>> get() {
    return std::vector<std::string_view>(state::kPolicyModeNames.begin(),
                                         state::kPolicyModeNames.end());
  }
};
template <>
struct EnumNames<state::BenchmarkFormat> {
  static std::optional<std::vector<std::string_view>> get() {
    return std::vector<std::string_view>(state::kBenchmarkFormatNames.begin(),
                                         state::kBenchmarkFormatNames.end());
  }
};
template <>
struct EnumNames<state::Strategy> {
  static std::optional<std::vector<std::string_view>> get() {
    return std::vector<std::string_view>(state::kStrategyNames.begin(),
                                         state::kStrategyNames.end());
  }
};
template <typename T>
struct EnumNames<std::optional<T>> {
  static std::optional<std::vector<std::string_view>> get() { return EnumNames<T>::get(); }
};

// The default as a description suffix: " Default 500." (taken from the struct, not retyped).
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <typename T>
std::string default_text(const T& value) {
  if constexpr (IsOptional<T>::value) {
    return value ? default_text(*value) : std::string("none");
  } else if constexpr (std::is_enum_v<T>) {
    return std::string(to_string(value));
  } else {
    return json(value).dump();
  }
}

}  // namespace contract_detail

// How one field is described; everything but the member binding.
struct FieldSpec {
  FieldSpec() = default;
  explicit FieldSpec(json extra, std::string text = {})
      : constraints(std::move(extra)), description(std::move(text)) {}
  FieldSpec& require() {
    required = true;
    return *this;
  }
  // Appends " Default <the struct's initializer>." to the description.
  FieldSpec& with_default() {
    show_default = true;
    return *this;
  }

  json constraints = json::object();  // extra schema keywords (minimum, maxLength, items, ...)
  std::string description;            // omitted from the schema when empty
  bool required = false;
  bool show_default = false;
};
// Constraints and a description (a function, so a braced JSON object converts unambiguously).
inline FieldSpec spec(json extra, std::string text = {}) {
  return FieldSpec(std::move(extra), std::move(text));
}
// A description alone.
inline FieldSpec described(std::string text) {
  return spec(json::object(), std::move(text));
}

template <typename P>
class Contract {
 public:
  using Reader = std::function<Status(const json& value, const std::string& path, P& out)>;

  // Binds `name` to `member` (a member of P or of a base of P). The schema `type` and `enum`
  // come from the member's C++ type; `spec.constraints` adds the rest.
  template <typename T, typename C>
  Contract& field(std::string name, T C::*member, FieldSpec spec = {}) {
    static_assert(std::is_base_of_v<C, P>, "member of another struct");
    json schema = spec.constraints;
    if (auto type = contract_detail::SchemaType<T>::get(); !type.is_null()) {
      if (!schema.contains("type")) schema["type"] = type;
    }
    if (auto names = contract_detail::EnumNames<T>::get()) {
      schema.erase("type");
      schema["type"] = "string";
      schema["enum"] = *names;
    }
    std::string description = spec.description;
    if (spec.show_default) {
      const P defaults{};
      description += " Default " + contract_detail::default_text(defaults.*member) + ".";
    }
    if (!description.empty()) schema["description"] = description;
    Reader reader = [member](const json& v, const std::string& path, P& out) -> Status {
      return contract_detail::read(v, path, out.*member);
    };
    return add(std::move(name), std::move(schema), spec.required, std::move(reader));
  }

  // A field whose reading is not a plain member conversion (a number-or-array, a nested table).
  Contract& custom(std::string name, json schema, bool required, Reader reader) {
    return add(std::move(name), std::move(schema), required, std::move(reader));
  }

  // {type: object, properties, required, additionalProperties: false}.
  json input_schema() const {
    json properties = json::object();
    std::vector<std::string> required;
    for (const auto& f : fields_) {
      properties[f.name] = f.schema;
      if (f.required) required.push_back(f.name);
    }
    json schema{
        {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
    if (!required.empty()) schema["required"] = required;
    return schema;
  }

  // Reads `args` (an object) into a P that starts from its defaults. `prefix` names the
  // enclosing path for nested tables ("objectives[2].").
  Result<P> parse(const json& args, const std::string& prefix = "") const {
    if (!args.is_object()) {
      return argument_error(prefix.empty() ? "arguments" : prefix.substr(0, prefix.size() - 1),
                            "must be an object");
    }
    P out{};
    for (const auto& f : fields_) {
      const auto it = args.find(f.name);
      const std::string path = prefix + f.name;
      if (it == args.end() || it->is_null()) {
        if (f.required) return missing_argument(path);
        continue;
      }
      EVO_TRY(f.read(*it, path, out));
    }
    for (const auto& [key, value] : args.items()) {
      (void)value;
      if (!has(key)) return argument_error(prefix + key, "is not a known argument");
    }
    return out;
  }

  bool has(const std::string& name) const {
    for (const auto& f : fields_) {
      if (f.name == name) return true;
    }
    return false;
  }

 private:
  struct Field {
    std::string name;
    json schema;
    bool required = false;
    Reader read;
  };
  Contract& add(std::string name, json schema, bool required, Reader reader) {
    fields_.push_back({std::move(name), std::move(schema), required, std::move(reader)});
    return *this;
  }
  std::vector<Field> fields_;
};

// Reads an array of objects through a nested table, naming each element ("targets[3].id").
template <typename T>
Status read_array(const Contract<T>& table, const json& v, const std::string& path,
                  std::vector<T>& out) {
  if (!v.is_array()) return argument_error(path, "must be an array");
  out.clear();
  for (std::size_t i = 0; i < v.size(); ++i) {
    EVO_ASSIGN_OR_RETURN(auto item, table.parse(v[i], path + "[" + std::to_string(i) + "]."));
    out.push_back(std::move(item));
  }
  return {};
}

// The optional `run` argument every run-scoped tool takes.
json run_schema();
template <typename P, typename C>
Contract<P>& with_run(Contract<P>& table, std::optional<std::string> C::*member) {
  static_assert(std::is_base_of_v<C, P>, "member of another struct");
  return table.custom("run", run_schema(), false,
                      [member](const json& v, const std::string& path, P& out) -> Status {
                        return contract_detail::read(v, path, out.*member);
                      });
}

// fitness (number | array) and fitness_values (array): when both are present they must
// agree; every value must be finite. nullopt when neither is given.
json fitness_schema();
json fitness_values_schema();
Result<std::optional<std::vector<double>>> merge_fitness(
    const std::optional<std::vector<double>>& fitness,
    const std::optional<std::vector<double>>& fitness_values);
// A number or an array of numbers, as a vector.
Status read_number_or_array(const json& v, const std::string& path, std::vector<double>& out);

}  // namespace evo::engine::tools
