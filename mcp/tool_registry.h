// The tools one server offers, checked and compiled once at startup and shared read-only by every
// session: wire descriptions for tools/list, argument and output validation for tools/call.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "mcp/tool.h"

namespace evo::mcp {

class ToolRegistry {
 public:
  // Refuses (kInvalidArgument, naming the tool) a bad name (1-128 chars of [A-Za-z0-9_.-]), a
  // duplicate name, a missing description or handler, an inputSchema without `type: "object"`
  // at its root, an outputSchema that is present but not an object schema, and any schema
  // valijson cannot compile. Tools keep the order given.
  static Result<std::shared_ptr<const ToolRegistry>> create(std::vector<ToolDef> tools);

  ToolRegistry(const ToolRegistry&) = delete;
  ToolRegistry& operator=(const ToolRegistry&) = delete;
  ~ToolRegistry();

  std::size_t size() const;
  // nullptr when no tool has that name.
  const ToolDef* find(std::string_view name) const;
  // The tools/list entry of the tool at `index` (< size()).
  nlohmann::json describe(std::size_t index) const;
  // Messages for every problem with `args`, unknown names first; empty when they are valid.
  std::vector<std::string> check_arguments(const ToolDef& tool, const nlohmann::json& args) const;
  // Messages when a successful outcome does not match the tool's outputSchema.
  std::vector<std::string> check_output(const ToolDef& tool,
                                        const nlohmann::json& structured) const;

 private:
  struct Entry;
  ToolRegistry();
  std::vector<Entry> entries_;
};

// Opaque cursors for paginated list methods (tools/list now, prompts/resources later).
std::string encode_cursor(std::size_t offset);
// The offset a cursor stands for, or nullopt when it is not one of ours or points past `total`.
std::optional<std::size_t> decode_cursor(const nlohmann::json& cursor, std::size_t total);

}  // namespace evo::mcp
