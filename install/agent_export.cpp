// Rendering of the embedded agent files for each client. Placeholders become `<argument>` and
// an Inputs section says where each comes from.
#include "install/agent_export.h"

#include <algorithm>

#include "assets/agent_files.h"

namespace evo::install {
namespace {

using assets::AgentFile;

std::string slug(const std::string& name) {
  std::string s = name;
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

// The body with each {{argument}} as <argument>, and the arguments explained below it.
std::string body_for_file(const AgentFile& agent, const std::string& inputs_intro) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& a : agent.arguments) values.emplace_back(a.name, "<" + a.name + ">");
  auto rendered = assets::render_agent(agent, values);
  std::string text = rendered ? *rendered : agent.body;
  if (!agent.arguments.empty()) {
    text += "\n## Inputs\n\n" + inputs_intro + "\n\n";
    for (const auto& a : agent.arguments) {
      text += "- `<" + a.name + ">`: " + a.description + (a.required ? "" : " (optional)") + "\n";
    }
  }
  return text;
}

const AgentFile* protocol() {
  for (const auto& a : assets::agent_files()) {
    if (a.file == "AGENTS.md") return &a;
  }
  return nullptr;
}

std::string with_protocol(std::string text) {
  if (const auto* p = protocol()) {
    text += "\n---\n\n" + p->body;
  }
  return text;
}

std::string yaml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<ExportedFile> claude_files() {
  std::vector<ExportedFile> out;
  for (const auto& a : assets::agent_files()) {
    if (a.file == "AGENTS.md") continue;
    if (a.name == "orchestrator") {
      std::string text = "---\ndescription: " + yaml_string(a.description) +
                         "\nargument-hint: <repo_path> <benchmark_cmd> [objectives JSON]\n---\n" +
                         kInstalledMarker + "\n\nArguments: $ARGUMENTS\n\n" +
                         body_for_file(a, "Taken from the arguments above, in that order.") +
                         "\nStart one `evo-<role>` subagent per Worker, PolicyAgent and "
                         "ReflectAgent task, passing it the JSON named in its Inputs.\n";
      out.push_back({"commands/evo-orchestrate.md", with_protocol(text)});
      continue;
    }
    std::string text = "---\nname: evo-" + slug(a.name) +
                       "\ndescription: " + yaml_string(a.description) + "\n---\n" +
                       kInstalledMarker + "\n\n" +
                       body_for_file(a, "The orchestrator passes them in your task.");
    out.push_back({"agents/evo-" + slug(a.name) + ".md", with_protocol(text)});
  }
  return out;
}

std::vector<ExportedFile> cursor_files() {
  std::vector<ExportedFile> out;
  for (const auto& a : assets::agent_files()) {
    const std::string name = a.file == "AGENTS.md" ? "protocol" : slug(a.name);
    std::string text = "---\ndescription: " + yaml_string("evo-engine: " + a.description) +
                       "\nalwaysApply: false\n---\n" + kInstalledMarker + "\n\n" +
                       body_for_file(a, "The orchestrator (or the user) passes them in the task.");
    out.push_back({"rules/evo-" + name + ".mdc", text});
  }
  return out;
}

std::vector<ExportedFile> windsurf_files() {
  std::vector<ExportedFile> out;
  for (const auto& a : assets::agent_files()) {
    const std::string name = a.file == "AGENTS.md" ? "protocol" : slug(a.name);
    std::string text = "---\ntrigger: model_decision\ndescription: " +
                       yaml_string("evo-engine: " + a.description) + "\n---\n" + kInstalledMarker +
                       "\n\n" +
                       body_for_file(a, "The orchestrator (or the user) passes them in the task.");
    out.push_back({"rules/evo-" + name + ".md", text});
  }
  return out;
}

std::string windsurf_global_block() {
  std::string text =
      "# evo-engine\n\n"
      "The MCP server `evo-engine` keeps the books of evolutionary code-optimization runs over "
      "git repositories. When the user asks to evolve or optimize code with it, fetch its MCP "
      "prompts first and follow them: `evo_protocol` (the loop and what the server enforces), "
      "then the role you play:";
  for (const auto& a : assets::agent_files()) {
    if (a.file == "AGENTS.md") continue;
    text += " `" + a.name + "`";
  }
  text +=
      ". Every evo-engine reply names the next action; the server owns every deterministic "
      "decision. Its memory lives in `<repo>/memory/` (never commit it).\n";
  return text;
}

}  // namespace evo::install
