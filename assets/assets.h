// The agent role files (agents/) and memory templates (memory_templates/), embedded into the
// binary at build time (embed_assets.cmake), so prompts, memory and `install` work from any
// directory without the source tree.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace evo::assets {

struct Asset {
  std::string_view path;  // relative to the source root, e.g. "agents/worker.md"
  std::string_view text;
};

// Every embedded file, sorted by path.
const std::vector<Asset>& all();

// The text of one embedded file; nullopt when there is none.
inline std::optional<std::string_view> find(std::string_view path) {
  for (const auto& a : all()) {
    if (a.path == path) return a.text;
  }
  return std::nullopt;
}

}  // namespace evo::assets
