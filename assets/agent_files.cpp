// Front matter parsing and placeholder rendering for the agent role files.
#include "assets/agent_files.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "assets/assets.h"
#include "assets/template.h"

namespace evo::assets {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string unquote(std::string v) {
  v = trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    v = v.substr(1, v.size() - 2);
  }
  return v;
}

// "key: value" -> (key, value); nullopt-like empty key when there is no ':'.
std::pair<std::string, std::string> key_value(const std::string& line) {
  const auto colon = line.find(':');
  if (colon == std::string::npos) return {};
  return {trim(line.substr(0, colon)), unquote(line.substr(colon + 1))};
}

Error bad(const std::string& file, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, file + ": " + what);
}

}  // namespace

Result<AgentFile> parse_agent_file(const std::string& file, const std::string& text) {
  AgentFile agent;
  agent.file = file;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || trim(line) != "---") return bad(file, "no front matter");
  bool closed = false;
  bool in_arguments = false;
  while (std::getline(in, line)) {
    if (trim(line) == "---") {
      closed = true;
      break;
    }
    if (trim(line).empty()) continue;
    const bool indented = line.front() == ' ' || line.front() == '\t';
    if (!indented) {
      in_arguments = false;
      auto [key, value] = key_value(line);
      if (key == "name")
        agent.name = value;
      else if (key == "description")
        agent.description = value;
      else if (key == "arguments") {
        if (value == "[]") continue;
        if (!value.empty()) return bad(file, "'arguments' must be [] or a list");
        in_arguments = true;
      }
      continue;
    }
    if (!in_arguments) return bad(file, "unexpected indented line: " + trim(line));
    std::string item = trim(line);
    if (item.rfind("- ", 0) == 0) {
      agent.arguments.emplace_back();
      item = trim(item.substr(2));
    }
    if (agent.arguments.empty()) return bad(file, "argument field before '- name:'");
    auto [key, value] = key_value(item);
    auto& arg = agent.arguments.back();
    if (key == "name")
      arg.name = value;
    else if (key == "description")
      arg.description = value;
    else if (key == "required")
      arg.required = value == "true";
    else
      return bad(file, "unknown argument field '" + key + "'");
  }
  if (!closed) return bad(file, "front matter is not closed with ---");
  if (agent.name.empty()) return bad(file, "front matter has no name");
  for (const auto& a : agent.arguments) {
    if (a.name.empty()) return bad(file, "an argument has no name");
  }
  std::ostringstream rest;
  rest << in.rdbuf();
  agent.body = rest.str();
  while (!agent.body.empty() && agent.body.front() == '\n') agent.body.erase(0, 1);
  std::istringstream body(agent.body);
  while (std::getline(body, line)) {
    if (line.rfind("# ", 0) == 0) {
      agent.title = trim(line.substr(2));
      break;
    }
  }
  return agent;
}

const std::vector<AgentFile>& agent_files() {
  static const std::vector<AgentFile> kFiles = [] {
    std::vector<AgentFile> out;
    for (const auto& a : assets::all()) {
      const std::string path(a.path);
      if (path.rfind("agents/", 0) != 0) continue;
      auto parsed = parse_agent_file(path.substr(7), std::string(a.text));
      if (!parsed) {
        // A build bug (the unit tests parse every embedded file). Reported on stderr, never on
        // stdout (the stdio transport's channel); the other files are still served.
        std::fprintf(stderr, "evo-engine: error: embedded %s is not served: %s\n", path.c_str(),
                     parsed.error().message.c_str());
        continue;
      }
      out.push_back(std::move(parsed).value());
    }
    std::sort(out.begin(), out.end(), [](const AgentFile& x, const AgentFile& y) {
      if ((x.file == "AGENTS.md") != (y.file == "AGENTS.md")) return x.file == "AGENTS.md";
      return x.file < y.file;
    });
    return out;
  }();
  return kFiles;
}

Result<std::string> render_agent(const AgentFile& agent,
                                 const std::vector<std::pair<std::string, std::string>>& values) {
  TemplateVars vars;
  for (const auto& a : agent.arguments) vars[a.name] = std::string();
  for (const auto& [name, value] : values) {
    if (vars.count(name) == 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "prompt '" + agent.name + "' has no argument '" + name + "'");
    }
    vars[name] = value;
  }
  auto text = render_template(agent.body, vars);
  if (!text) {
    return make_error(ErrorCode::kInternal, "agents/" + agent.file + ": " + text.error().message);
  }
  return text;
}

}  // namespace evo::assets
