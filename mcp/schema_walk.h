// Internal to evo::protocol: walking a JSON Schema alongside an instance (paths, $ref, the
// subschema at a path) and the regex safety checks that run before valijson.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace evo::mcp::schema_walk {

using Segment = std::variant<std::string, std::size_t>;
using Path = std::vector<Segment>;

// "objectives[0].direction".
std::string format_path(const Path& path);
// "argument 'objectives[0].direction'", or "arguments" for the root.
std::string subject(std::string_view noun, const Path& path);
// Strings bare, everything else as compact JSON.
std::string show_value(const nlohmann::json& v);
// `node` with local "$ref": "#/..." pointers followed; nullptr when one cannot be resolved.
const nlohmann::json* resolve(const nlohmann::json& root, const nlohmann::json* node);
// node[key] when node is an object that has it.
const nlohmann::json* member(const nlohmann::json* node, const char* key);
// The subschema that governs `path`, when it can be found without guessing (no anyOf etc.).
const nlohmann::json* schema_at(const nlohmann::json& root, const Path& path);
// "a, b, c" from the node's properties, or "none".
std::string allowed_names(const nlohmann::json* node);

// True when any regex-backed keyword (pattern, format, patternProperties, propertyNames)
// appears anywhere in the schema.
bool uses_regex(const nlohmann::json& schema);
// The first `pattern` or patternProperties key std::regex refuses, with its error.
std::optional<std::string> bad_pattern(const nlohmann::json& schema);
// A message for the first string (value or key) in `instance` longer than
// kMaxRegexSubjectLength at a position some regex may check.
std::optional<std::string> find_overlong_regex_subject(const nlohmann::json& schema,
                                                       const nlohmann::json& instance,
                                                       std::string_view noun);

}  // namespace evo::mcp::schema_walk
