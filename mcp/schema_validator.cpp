// valijson behind a small facade: compiles schemas once, guards std::regex against long input,
// and turns valijson's generic error list into one message per violated rule.
#include "mcp/schema_validator.h"

#include <optional>
#include <utility>
#include <variant>

// valijson's std::regex trips GCC 12's -Wmaybe-uninitialized inside std::function under
// -fsanitize; the warning is about library code, not ours.
#pragma GCC diagnostic push
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#pragma GCC diagnostic pop

#include "core/strings.h"
#include "mcp/jsonrpc.h"
#include "mcp/schema_walk.h"

namespace evo::mcp {
namespace {

using nlohmann::json;
using schema_walk::allowed_names;
using schema_walk::format_path;
using schema_walk::member;
using schema_walk::Path;
using schema_walk::schema_at;
using schema_walk::show_value;
using schema_walk::subject;

// Maps valijson's context ("<root>", "[objectives]", "[0]") onto the instance, which tells an
// array index from an object key named "0".
std::pair<Path, const json*> locate(const json& instance, const std::vector<std::string>& context) {
  Path path;
  const json* cur = &instance;
  for (std::size_t i = 1; i < context.size(); ++i) {
    std::string seg = context[i];
    if (seg.size() >= 2 && seg.front() == '[' && seg.back() == ']')
      seg = seg.substr(1, seg.size() - 2);
    if (cur != nullptr && cur->is_array() && !seg.empty() &&
        seg.find_first_not_of("0123456789") == std::string::npos && seg.size() < 19) {
      const auto index = static_cast<std::size_t>(std::stoull(seg));
      path.emplace_back(index);
      cur = index < cur->size() ? &cur->at(index) : nullptr;
    } else {
      path.emplace_back(seg);
      if (cur != nullptr && cur->is_object()) {
        const auto it = cur->find(seg);
        cur = it == cur->end() ? nullptr : &*it;
      } else {
        cur = nullptr;
      }
    }
  }
  return {std::move(path), cur};
}

std::string quoted_tail(const std::string& text) {
  const auto last = text.rfind('\'');
  if (last == std::string::npos || last == 0) return {};
  const auto first = text.rfind('\'', last - 1);
  if (first == std::string::npos) return {};
  return text.substr(first + 1, last - first - 1);
}

std::string rule_value(const json* node, const char* key, const std::string& description) {
  if (const json* v = member(node, key); v != nullptr && v->is_number()) return show_value(*v);
  // Fall back to the number valijson printed with std::to_string ("1.000000").
  const auto pos = description.find_last_of(' ');
  std::string tail = pos == std::string::npos ? description : description.substr(pos + 1);
  try {
    return show_value(json(std::stod(tail)));
  } catch (const std::exception&) {
    return tail;
  }
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

// One valijson error in words; nullopt for the wrapper errors valijson adds on every level above
// the real failure.
std::optional<std::string> explain(const valijson::ValidationResults::Error& error,
                                   const json& schema, const json& instance,
                                   std::string_view noun) {
  static constexpr std::string_view kWrappers[] = {
      "Failed to validate against schema associated with property name",
      "Failed to validate item #",
      "Failed to validate against additional properties schema",
      "Failed to validate against schema associated with pattern",
      "Failed to validate against child schema #",
      "Failed to validate against dependent schema",
      "Failed to validate against a conditional schema",
  };
  const std::string& d = error.description;
  for (const auto w : kWrappers) {
    if (starts_with(d, w)) return std::nullopt;
  }
  auto [path, value] = locate(instance, error.context);
  const json* node = schema_at(schema, path);

  if (starts_with(d, "Missing required property '")) {
    path.emplace_back(quoted_tail(d));
    return std::string(noun) + " '" + format_path(path) + "' is required";
  }
  if (starts_with(d, "Object contains a property that could not be validated")) {
    path.emplace_back(quoted_tail(d));
    return "unknown " + std::string(noun) + " '" + format_path(path) +
           "' (allowed: " + allowed_names(node) + ")";
  }
  const std::string who = subject(noun, path) + ": ";
  if (starts_with(d, "Value type not permitted by 'type' constraint")) {
    std::string expected = "the declared type";
    if (const json* t = member(node, "type"); t != nullptr) {
      if (t->is_string()) {
        expected = t->get<std::string>();
      } else if (t->is_array()) {
        std::vector<std::string> names;
        for (const auto& n : *t) names.push_back(show_value(n));
        expected = join(names, " or ");
      }
    }
    return who + "must be of type " + expected +
           (value != nullptr ? std::string(", got ") + value->type_name() : std::string());
  }
  if (starts_with(d, "Failed to match against any enum values")) {
    const json* values = member(node, "enum");
    if (values == nullptr || !values->is_array()) return who + "must be one of the allowed values";
    std::vector<std::string> shown;
    for (const auto& v : *values) shown.push_back(show_value(v));
    return who + "must be one of " + join(shown, ", ");
  }
  if (starts_with(d, "Expected number less than or equal to")) {
    return who + "must be <= " + rule_value(node, "maximum", d);
  }
  if (starts_with(d, "Expected number less than")) {
    const json* ex = member(node, "exclusiveMaximum");
    return who + "must be < " +
           rule_value(node, ex != nullptr && ex->is_number() ? "exclusiveMaximum" : "maximum", d);
  }
  if (starts_with(d, "Expected number greater than or equal to")) {
    return who + "must be >= " + rule_value(node, "minimum", d);
  }
  if (starts_with(d, "Expected number greater than")) {
    const json* ex = member(node, "exclusiveMinimum");
    return who + "must be > " +
           rule_value(node, ex != nullptr && ex->is_number() ? "exclusiveMinimum" : "minimum", d);
  }
  if (starts_with(d, "Array should contain no fewer than")) {
    return who + "must have at least " + rule_value(node, "minItems", d) + " item(s)";
  }
  if (starts_with(d, "Array should contain no more than")) {
    return who + "must have at most " + rule_value(node, "maxItems", d) + " item(s)";
  }
  if (starts_with(d, "String should be no fewer than")) {
    return who + "must be at least " + rule_value(node, "minLength", d) + " character(s) long";
  }
  if (starts_with(d, "String should be no more than")) {
    return who + "must be at most " + rule_value(node, "maxLength", d) + " character(s) long";
  }
  if (starts_with(d, "Object should have no fewer than")) {
    return who + "must have at least " + rule_value(node, "minProperties", d) + " field(s)";
  }
  if (starts_with(d, "Object should have no more than")) {
    return who + "must have at most " + rule_value(node, "maxProperties", d) + " field(s)";
  }
  if (starts_with(d, "Failed to match regex specified by 'pattern'")) {
    const json* p = member(node, "pattern");
    return who + "must match pattern " +
           (p != nullptr && p->is_string() ? "'" + p->get<std::string>() + "'"
                                           : std::string("the declared pattern"));
  }
  if (starts_with(d, "Value should be a multiple of")) {
    return who + "must be a multiple of " + rule_value(node, "multipleOf", d);
  }
  if (starts_with(d, "Failed to match expected value set by 'const'")) {
    const json* c = member(node, "const");
    return who + "must be exactly " + (c != nullptr ? show_value(*c) : "the declared value");
  }
  if (starts_with(d, "Elements at indexes #")) return who + "must not contain duplicate items";
  if (starts_with(d, "Array contains more items than allowed") ||
      starts_with(d, "Cannot validate item #")) {
    return who + "has more items than allowed";
  }
  if (starts_with(d, "Failed to validate against any schemas allowed by anyOf") ||
      starts_with(d, "Failed to validate against any child schemas allowed by oneOf")) {
    return who + "must match one of the allowed forms";
  }
  if (starts_with(d, "Failed to validate against exactly one child schema")) {
    return who + "must match exactly one of the allowed forms";
  }
  if (starts_with(d, "Target should not validate against schema specified in 'not'")) {
    return who + "matches a form that is not allowed";
  }
  if (starts_with(d, "String should be a valid ")) {
    return who + "must be a valid " +
           d.substr(std::string_view("String should be a valid ").size());
  }
  return who + d;
}
}  // namespace

struct CompiledSchema::Impl {
  json source;
  valijson::Schema schema;
  bool uses_regex = false;
};

CompiledSchema::CompiledSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledSchema::CompiledSchema(CompiledSchema&&) noexcept = default;
CompiledSchema& CompiledSchema::operator=(CompiledSchema&&) noexcept = default;
CompiledSchema::~CompiledSchema() = default;

Result<CompiledSchema> CompiledSchema::compile(const json& schema) {
  if (!schema.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "a schema must be a JSON object");
  }
  if (auto bad = schema_walk::bad_pattern(schema))
    return make_error(ErrorCode::kInvalidArgument, *bad);
  auto impl = std::make_unique<Impl>();
  impl->source = schema;
  impl->uses_regex = schema_walk::uses_regex(schema);
  try {
    valijson::SchemaParser parser;  // draft 7
    const valijson::adapters::NlohmannJsonAdapter adapter(impl->source);
    parser.populateSchema(adapter, impl->schema);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("schema does not compile: ") + e.what());
  }
  return CompiledSchema(std::move(impl));
}

std::vector<std::string> CompiledSchema::validate(const json& instance, std::string_view noun,
                                                  bool refuse_unknown_root_keys) const {
  const json& schema = impl_->source;
  if (refuse_unknown_root_keys && instance.is_object()) {
    const json* extra = member(&schema, "additionalProperties");
    const bool extras_allowed =
        (extra != nullptr && !(extra->is_boolean() && !extra->get<bool>())) ||
        member(&schema, "patternProperties") != nullptr;
    const json* props = member(&schema, "properties");
    if (!extras_allowed) {
      std::vector<std::string> unknown;
      for (const auto& [key, unused] : instance.items()) {
        if (props == nullptr || !props->is_object() || !props->contains(key)) {
          unknown.push_back("'" + key + "'");
        }
      }
      if (!unknown.empty()) {
        return {"unknown " + std::string(noun) + (unknown.size() > 1 ? "s " : " ") +
                join(unknown, ", ") + " (allowed: " + allowed_names(&schema) + ")"};
      }
    }
  }
  if (impl_->uses_regex) {
    if (auto refused = schema_walk::find_overlong_regex_subject(schema, instance, noun)) {
      return {*refused};
    }
  }

  valijson::ValidationResults results;
  try {
    valijson::Validator validator;  // per call: its regex cache is not thread-safe
    const valijson::adapters::NlohmannJsonAdapter target(instance);
    // Without a results sink valijson stops at the first failure (a failing anyOf alternative
    // costs one check, not a full walk); the errors are collected only to explain a refusal.
    if (validator.validate(impl_->schema, target, nullptr)) return {};
    (void)validator.validate(impl_->schema, target, &results);
  } catch (const std::exception& e) {
    return {std::string(noun) + "s could not be checked: " + e.what()};
  }

  std::vector<std::string> messages;
  for (const auto& error : results) {
    auto message = explain(error, schema, instance, noun);
    if (!message) continue;
    bool seen = false;
    for (const auto& m : messages) seen = seen || m == *message;
    if (!seen) messages.push_back(std::move(*message));
  }
  if (messages.empty()) messages.push_back(std::string(noun) + "s do not match the schema");
  return messages;
}

}  // namespace evo::mcp
