// Startup-time checks of every ToolDef (the MCP 2025-11-25 rules for names and schemas) and the
// precomputed tools/list entries.
#include "mcp/tool_registry.h"

#include <charconv>
#include <set>
#include <utility>

#include "mcp/schema_validator.h"

namespace evo::mcp {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxToolNameLength = 128;
constexpr std::string_view kCursorPrefix = "c:";

bool valid_tool_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxToolNameLength) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_object_schema(const json& schema) {
  if (!schema.is_object()) return false;
  const auto type = schema.find("type");
  return type != schema.end() && type->is_string() && type->get<std::string>() == "object";
}

Error tool_error(const std::string& name, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "tool '" + name + "': " + what);
}

}  // namespace

struct ToolRegistry::Entry {
  ToolDef def;
  CompiledSchema input;
  std::optional<CompiledSchema> output;
};

ToolRegistry::ToolRegistry() = default;
ToolRegistry::~ToolRegistry() = default;

Result<std::shared_ptr<const ToolRegistry>> ToolRegistry::create(std::vector<ToolDef> tools) {
  std::shared_ptr<ToolRegistry> registry(new ToolRegistry());
  std::set<std::string> seen;
  for (auto& def : tools) {
    if (!valid_tool_name(def.name)) {
      return tool_error(def.name, "name must be 1-128 characters from [A-Za-z0-9_.-]");
    }
    if (!seen.insert(def.name).second) return tool_error(def.name, "duplicate tool name");
    if (def.description.empty()) return tool_error(def.name, "description is required");
    if (!def.handler) return tool_error(def.name, "handler is missing");
    if (!is_object_schema(def.input_schema)) {
      return tool_error(def.name, "inputSchema must have type \"object\" at its root");
    }
    auto input = CompiledSchema::compile(def.input_schema);
    if (!input) return tool_error(def.name, "inputSchema: " + input.error().message);

    std::optional<CompiledSchema> output;
    const bool has_output = !def.output_schema.is_null() &&
                            !(def.output_schema.is_object() && def.output_schema.empty());
    if (has_output) {
      // structuredContent is an object on the wire, so the schema must describe one.
      if (!is_object_schema(def.output_schema)) {
        return tool_error(def.name, "outputSchema must have type \"object\" at its root");
      }
    }
    if (has_output && !def.output_exact_by_construction) {
      auto compiled = CompiledSchema::compile(def.output_schema);
      if (!compiled) return tool_error(def.name, "outputSchema: " + compiled.error().message);
      output = std::move(compiled).value();
    }

    registry->entries_.push_back(
        Entry{std::move(def), std::move(input).value(), std::move(output)});
  }
  return std::shared_ptr<const ToolRegistry>(std::move(registry));
}

std::size_t ToolRegistry::size() const {
  return entries_.size();
}

const ToolDef* ToolRegistry::find(std::string_view name) const {
  for (const auto& entry : entries_) {
    if (entry.def.name == name) return &entry.def;
  }
  return nullptr;
}

json ToolRegistry::describe(std::size_t index) const {
  // Built per tools/list from the definition: a second resident copy of every schema would
  // cost more than listing does.
  const ToolDef& def = entries_.at(index).def;
  json description{
      {"name", def.name}, {"description", def.description}, {"inputSchema", def.input_schema}};
  if (!def.title.empty()) description["title"] = def.title;
  const bool has_output =
      !def.output_schema.is_null() && !(def.output_schema.is_object() && def.output_schema.empty());
  if (has_output) description["outputSchema"] = def.output_schema;
  return description;
}

std::vector<std::string> ToolRegistry::check_arguments(const ToolDef& tool,
                                                       const json& args) const {
  for (const auto& entry : entries_) {
    if (&entry.def == &tool) return entry.input.validate(args, "argument", true);
  }
  return {"tool '" + tool.name + "' is not registered"};
}

std::vector<std::string> ToolRegistry::check_output(const ToolDef& tool,
                                                    const json& structured) const {
  for (const auto& entry : entries_) {
    if (&entry.def != &tool) continue;
    if (!structured.is_object()) return {"structured output must be a JSON object"};
    if (!entry.output) return {};
    return entry.output->validate(structured, "output field", false);
  }
  return {"tool '" + tool.name + "' is not registered"};
}

std::string encode_cursor(std::size_t offset) {
  return std::string(kCursorPrefix) + std::to_string(offset);
}

std::optional<std::size_t> decode_cursor(const json& cursor, std::size_t total) {
  if (!cursor.is_string()) return std::nullopt;
  const auto& text = cursor.get_ref<const std::string&>();
  if (text.size() <= kCursorPrefix.size() ||
      text.compare(0, kCursorPrefix.size(), kCursorPrefix) != 0) {
    return std::nullopt;
  }
  const char* first = text.data() + kCursorPrefix.size();
  const char* last = text.data() + text.size();
  std::size_t offset = 0;
  const auto [end, ec] = std::from_chars(first, last, offset);
  // Only cursors we could have issued: no sign, no trailing bytes, strictly inside the list.
  if (ec != std::errc() || end != last || *first == '+' || offset == 0 || offset >= total) {
    return std::nullopt;
  }
  return offset;
}

}  // namespace evo::mcp
