// The agent role files (agents/*.md, embedded): their front matter (name, description,
// arguments) and body. Served as MCP prompts and installed into clients' agent/rule folders.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace evo::assets {

struct AgentArgument {
  std::string name;
  std::string description;
  bool required = false;
};

struct AgentFile {
  std::string file;   // "worker.md"
  std::string name;   // front matter `name`, e.g. "worker"
  std::string title;  // the body's first "# " heading
  std::string description;
  std::vector<AgentArgument> arguments;
  std::string body;  // after the front matter; `{{argument}}` placeholders
};

// Parses a file with YAML-subset front matter: `key: value` lines, and `arguments:` as `[]` or
// a list of `- name: ...` items with `description:` and `required:`.
Result<AgentFile> parse_agent_file(const std::string& file, const std::string& text);

// Every embedded agent file, parsed, sorted by file name (AGENTS.md first). A file that does
// not parse is a build-time bug; the unit tests parse them all.
const std::vector<AgentFile>& agent_files();

// The body with each `{{argument}}` replaced by its value (a declared argument without a value
// becomes ""). kInvalidArgument for an argument the file does not declare.
Result<std::string> render_agent(const AgentFile& agent,
                                 const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace evo::assets
