// The agent role files in each client's own format: Claude Code subagents and a slash command,
// Cursor project rules (.mdc), Windsurf workspace rules and a short global-rules block. Every
// file carries kInstalledMarker so `uninstall` removes only what `install` wrote.
#pragma once

#include <string>
#include <vector>

namespace evo::install {

inline constexpr const char* kInstalledMarker =
    "<!-- installed by `evo-engine install`; `evo-engine uninstall` removes this file -->";
inline constexpr const char* kBlockBegin =
    "<!-- evo-engine:begin (managed by evo-engine install) -->";
inline constexpr const char* kBlockEnd = "<!-- evo-engine:end -->";

struct ExportedFile {
  std::string relative_path;  // under the client's folder, e.g. "agents/evo-worker.md"
  std::string text;
};

// Claude Code: agents/evo-<role>.md (worker, map_agent, policy_agent, reflect_agent) and
// commands/evo-orchestrate.md (the orchestrator runs in the main session, which can start
// subagents). Each ends with the protocol reference.
std::vector<ExportedFile> claude_files();
// Cursor: rules/evo-<role>.mdc, agent-requested (a description, alwaysApply false).
std::vector<ExportedFile> cursor_files();
// Windsurf workspace: rules/evo-<role>.md with `trigger: model_decision`.
std::vector<ExportedFile> windsurf_files();
// Windsurf global rules: a short block (the file is capped at 6000 characters) that points at
// the MCP prompts.
std::string windsurf_global_block();

}  // namespace evo::install
