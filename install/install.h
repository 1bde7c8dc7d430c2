// `evo-engine install claude|cursor|windsurf` and `evo-engine uninstall ...`: registers the
// server in the client's MCP config (absolute binary path, merged into what is there, written
// atomically; Claude Code through `claude mcp add-json` when its CLI is on PATH) and copies the
// agent files where the client reads agents or rules. `--dry-run` prints what would change.
#pragma once

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace evo::install {

inline constexpr const char* kServerName = "evo-engine";

struct InstallOptions {
  std::string client;          // claude | cursor | windsurf
  std::string scope = "user";  // user | project
  std::string http_url;        // a remote server (Streamable HTTP) instead of stdio
  std::string project_dir;     // --scope project: the project (default: the current directory)
  std::string command;         // the binary to register (default: this executable)
  bool dry_run = false;
  bool uninstall = false;
  bool no_cli = false;  // claude: edit the config files even when the `claude` CLI is on PATH
};

struct InstallCommands {
  CLI::App* install = nullptr;
  CLI::App* uninstall = nullptr;
};

// Adds the `install` and `uninstall` subcommands, both filling `options`.
InstallCommands add_install_commands(CLI::App& app, InstallOptions& options);

// Plans and applies (or, with dry_run, prints) the changes. Reports on `out`, problems on
// `err`; returns the process exit code.
int run_install(InstallOptions options, std::ostream& out, std::ostream& err);

}  // namespace evo::install
