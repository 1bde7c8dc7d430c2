// The install plan per client and scope, and its application (or its description, for
// --dry-run). Only our entry and our files change; see install.h.
#include "install/install.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "install/agent_export.h"
#include "install/config_file.h"
#include "subprocess/subprocess.h"

namespace evo::install {
namespace {

using nlohmann::json;

struct Action {
  enum class Kind { kJsonEntry, kWriteFile, kRemoveFile, kBlock, kRun, kClaudeReplace };
  Kind kind = Kind::kWriteFile;
  fs::path path;
  std::optional<nlohmann::ordered_json> entry;  // kJsonEntry: nullopt removes ours
  std::optional<std::string> text;              // kWriteFile; kBlock (nullopt removes the block)
  bool private_file = false;
  bool only_if_missing = false;          // kJsonEntry: never replace an existing entry of ours
  std::vector<std::string> argv;         // kRun; kClaudeReplace: the `claude mcp add-json` command
  std::vector<std::string> remove_argv;  // kClaudeReplace: the `claude mcp remove` command
  fs::path cwd;
  bool may_fail = false;
  bool quiet = false;
};

struct Plan {
  std::vector<Action> actions;
  std::vector<std::string> notes;
};

fs::path home() {
  const char* h = std::getenv("HOME");
  return fs::path(h != nullptr && *h != '\0' ? h : "/");
}

fs::path claude_config_dir() {
  if (const char* d = std::getenv("CLAUDE_CONFIG_DIR"); d != nullptr && *d != '\0') return d;
  return home() / ".claude";
}

// Our entry, keys in the order people write them (command first).
nlohmann::ordered_json server_entry(const InstallOptions& o) {
  nlohmann::ordered_json entry = nlohmann::ordered_json::object();
  if (!o.http_url.empty()) {
    if (o.client == "claude") entry["type"] = "http";
    entry[o.client == "windsurf" ? "serverUrl" : "url"] = o.http_url;
  } else {
    if (o.client == "claude") entry["type"] = "stdio";
    entry["command"] = o.command;
    entry["args"] = {"serve", "--stdio"};
    entry["env"] = nlohmann::ordered_json::object();
  }
  return entry;
}

void add_files(Plan& plan, const fs::path& base, const std::vector<ExportedFile>& files,
               bool uninstall) {
  for (const auto& f : files) {
    Action a;
    a.kind = uninstall ? Action::Kind::kRemoveFile : Action::Kind::kWriteFile;
    a.path = base / f.relative_path;
    if (!uninstall) a.text = f.text;
    plan.actions.push_back(std::move(a));
  }
}

Result<Plan> make_plan(const InstallOptions& o) {
  Plan plan;
  const bool user = o.scope == "user";
  const fs::path project(o.project_dir);
  const auto entry = server_entry(o);
  const auto config = [&](fs::path path, bool private_file) -> Action& {
    Action a;
    a.kind = Action::Kind::kJsonEntry;
    a.path = std::move(path);
    if (!o.uninstall) a.entry = entry;
    a.private_file = private_file;
    plan.actions.push_back(std::move(a));
    return plan.actions.back();
  };
  if (o.client == "claude") {
    const auto cli = o.no_cli ? std::nullopt : subprocess::find_on_path("claude");
    // What `claude mcp add-json` writes: ~/.claude.json (user) or <project>/.mcp.json.
    const fs::path claude_config =
        user ? (claude_config_dir() == home() / ".claude" ? home() / ".claude.json"
                                                          : claude_config_dir() / ".claude.json")
             : project / ".mcp.json";
    if (cli) {
      Action remove;
      remove.kind = Action::Kind::kRun;
      remove.argv = {cli->string(), "mcp", "remove", kServerName, "--scope", o.scope};
      remove.cwd = user ? fs::path() : project;
      remove.may_fail = true;  // absent is fine
      if (o.uninstall) {
        plan.actions.push_back(remove);
      } else {
        // The CLI refuses to add a name twice: remove, then add; the old entry comes back when
        // the add fails.
        Action replace;
        replace.kind = Action::Kind::kClaudeReplace;
        replace.path = claude_config;
        replace.cwd = remove.cwd;
        replace.remove_argv = remove.argv;
        replace.argv = {cli->string(), "mcp",     "add-json", kServerName,
                        entry.dump(),  "--scope", o.scope};
        plan.actions.push_back(std::move(replace));
      }
    } else {
      config(claude_config, user);
    }
    add_files(plan, user ? claude_config_dir() : project / ".claude", claude_files(), o.uninstall);
  } else if (o.client == "cursor") {
    config(user ? home() / ".cursor" / "mcp.json" : project / ".cursor" / "mcp.json", false);
    if (user) {
      plan.notes.emplace_back(
          "Cursor reads rule files per project: run `evo-engine install cursor --scope project` "
          "in a repository to add the agent rules there (the agents are also MCP prompts).");
    } else {
      add_files(plan, project / ".cursor", cursor_files(), o.uninstall);
    }
  } else if (o.client == "windsurf") {
    const fs::path windsurf_config = home() / ".codeium" / "windsurf" / "mcp_config.json";
    // Windsurf has one MCP config for every workspace. A project install makes sure our entry
    // is there without replacing one set up for the user (maybe on purpose, e.g. --http); a
    // project uninstall leaves it for the other projects.
    if (user) {
      config(windsurf_config, false);
    } else if (!o.uninstall) {
      config(windsurf_config, false).only_if_missing = true;
    }
    if (user) {
      Action a;
      a.kind = Action::Kind::kBlock;
      a.path = home() / ".codeium" / "windsurf" / "memories" / "global_rules.md";
      if (!o.uninstall) a.text = windsurf_global_block();
      plan.actions.push_back(std::move(a));
    } else {
      plan.notes.emplace_back(
          o.uninstall ? "Windsurf has one MCP config for every workspace: the evo-engine entry "
                        "in ~/.codeium/windsurf/mcp_config.json stays (other projects may use "
                        "it); `evo-engine uninstall windsurf` removes it."
                      : "Windsurf has one MCP config for every workspace: ~/.codeium/windsurf/"
                        "mcp_config.json gets the evo-engine entry only when it has none (an "
                        "existing one is kept; `evo-engine install windsurf` replaces it).");
      add_files(plan, project / ".windsurf", windsurf_files(), o.uninstall);
    }
  } else {
    return make_error(ErrorCode::kInvalidArgument, "unknown client '" + o.client + "'");
  }
  return plan;
}

bool has_marker(const std::optional<std::string>& text) {
  return text && text->find(kInstalledMarker) != std::string::npos;
}

// Removes a rules file that our change left empty.
bool remove_file(const fs::path& path, std::ostream& out) {
  std::error_code ec;
  fs::remove(path, ec);
  if (!ec) out << "removed " << path.string() << " (nothing else was in it)\n";
  return !ec;
}

std::string quoted(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    const bool plain = a.find_first_of(" '\"{}$\\") == std::string::npos && !a.empty();
    s += (s.empty() ? "" : " ") + (plain ? a : "'" + a + "'");
  }
  return s;
}

// Applies (or describes) one action. Returns false on a failure worth a non-zero exit.
bool apply(const Action& a, bool dry_run, std::ostream& out, std::ostream& err) {
  const std::string verb = dry_run ? "would " : "";
  const auto fail = [&](const std::string& what) {
    err << "evo-engine install: " << a.path.string() << ": " << what << "\n";
    return false;
  };
  switch (a.kind) {
    case Action::Kind::kJsonEntry: {
      auto current = read_text(a.path);
      if (!current) return fail(current.error().message);
      if (a.only_if_missing && *current) {
        if (auto existing = json_entry(**current, "mcpServers", kServerName)) {
          out << "kept the existing mcpServers." << kServerName << " in " << a.path.string() << ": "
              << existing->dump() << "\n";
          return true;
        }
      }
      auto next = with_json_entry(*current, "mcpServers", kServerName, a.entry);
      if (!next) return fail(next.error().message);
      if (*current && **current == *next) {
        out << "unchanged " << a.path.string() << "\n";
        return true;
      }
      if (!a.entry && (!*current || !json_entry(**current, "mcpServers", kServerName))) {
        out << "nothing to remove in " << a.path.string() << "\n";
        return true;
      }
      out << verb << (a.entry ? "set" : "remove") << " mcpServers." << kServerName << " in "
          << a.path.string();
      if (a.entry) out << ": " << a.entry->dump();
      out << "\n";
      if (dry_run) return true;
      // Even when our entry was all it held, the file stays (as {"mcpServers": {}}): it may
      // have existed before the install.
      auto ok = write_atomic(a.path, *next, a.private_file);
      return ok.ok() || fail(ok.error().message);
    }
    case Action::Kind::kWriteFile: {
      auto current = read_text(a.path);
      if (!current) return fail(current.error().message);
      if (*current && !has_marker(*current)) {
        return fail("exists and was not written by evo-engine install; not overwritten");
      }
      if (*current && **current == *a.text) {
        out << "unchanged " << a.path.string() << "\n";
        return true;
      }
      out << verb << "write " << a.path.string() << " (" << a.text->size() << " bytes)\n";
      if (dry_run) return true;
      auto ok = write_atomic(a.path, *a.text);
      return ok.ok() || fail(ok.error().message);
    }
    case Action::Kind::kRemoveFile: {
      auto current = read_text(a.path);
      if (!current) return fail(current.error().message);
      if (!*current) return true;
      if (!has_marker(*current)) {
        out << "kept " << a.path.string() << " (not written by evo-engine install)\n";
        return true;
      }
      out << verb << "remove " << a.path.string() << "\n";
      if (dry_run) return true;
      std::error_code ec;
      fs::remove(a.path, ec);
      return !ec || fail(ec.message());
    }
    case Action::Kind::kBlock: {
      auto current = read_text(a.path);
      if (!current) return fail(current.error().message);
      if (!a.text && !*current) return true;
      const std::string before = current->value_or("");
      const std::string after = with_block(before, kBlockBegin, kBlockEnd, a.text);
      if (*current && before == after) {
        out << "unchanged " << a.path.string() << "\n";
        return true;
      }
      out << verb << (a.text ? "write" : "remove") << " the evo-engine block in " << a.path.string()
          << "\n";
      if (dry_run) return true;
      if (after.find_first_not_of(" \t\r\n") == std::string::npos) {
        return remove_file(a.path, out) || fail("cannot remove");
      }
      auto ok = write_atomic(a.path, after);
      return ok.ok() || fail(ok.error().message);
    }
    case Action::Kind::kRun: {
      out << verb << "run " << quoted(a.argv)
          << (a.cwd.empty() ? "" : " (in " + a.cwd.string() + ")") << "\n";
      if (dry_run) return true;
      out.flush();
      auto rc = subprocess::run_foreground(a.argv, a.cwd, a.quiet);
      if (!rc) return fail(rc.error().message);
      if (*rc != 0 && !a.may_fail) {
        err << "evo-engine install: `" << quoted(a.argv) << "` exited with " << *rc << "\n";
        return false;
      }
      return true;
    }
    case Action::Kind::kClaudeReplace: {
      out << verb << "run " << quoted(a.remove_argv) << " then " << quoted(a.argv)
          << (a.cwd.empty() ? "" : " (in " + a.cwd.string() + ")") << "\n";
      if (dry_run) return true;
      // The entry the CLI holds now (it keeps it in this file), to put it back on a failure.
      std::optional<nlohmann::json> previous;
      if (auto current = read_text(a.path); current && *current) {
        previous = json_entry(**current, "mcpServers", kServerName);
      }
      out.flush();
      auto removed = subprocess::run_foreground(a.remove_argv, a.cwd, true);
      if (!removed) return fail(removed.error().message);
      auto rc = subprocess::run_foreground(a.argv, a.cwd, false);
      if (rc && *rc == 0) return true;
      err << "evo-engine install: `" << quoted(a.argv) << "` "
          << (rc ? "exited with " + std::to_string(*rc) : rc.error().message) << "\n";
      if (!previous) return false;
      auto restore = a.argv;
      restore[4] = previous->dump();
      auto back = subprocess::run_foreground(restore, a.cwd, false);
      if (back && *back == 0) {
        err << "evo-engine install: the previous mcpServers." << kServerName
            << " entry was restored: " << previous->dump() << "\n";
      } else {
        err << "evo-engine install: the previous mcpServers." << kServerName
            << " entry could not be restored; it was: " << previous->dump() << "\n";
      }
      return false;
    }
  }
  return false;
}

}  // namespace

InstallCommands add_install_commands(CLI::App& app, InstallOptions& o) {
  InstallCommands cmds;
  for (const bool uninstall : {false, true}) {
    auto* sub = app.add_subcommand(
        uninstall ? "uninstall" : "install",
        uninstall ? "Remove evo-engine's entry and agent files from a client's configuration"
                  : "Register evo-engine with a client (claude, cursor, windsurf) and copy the "
                    "agent files where it reads agents or rules");
    sub->add_option("client", o.client, "claude | cursor | windsurf")
        ->required()
        ->check(CLI::IsMember({"claude", "cursor", "windsurf"}));
    sub->add_option("--scope", o.scope, "user (default) or project")
        ->check(CLI::IsMember({"user", "project"}));
    sub->add_option("--project", o.project_dir,
                    "The project for --scope project (default: the current directory)");
    sub->add_flag("--dry-run", o.dry_run, "Print what would change; change nothing");
    if (!uninstall) {
      sub->add_option("--http", o.http_url,
                      "Register a running Streamable HTTP server (its URL) instead of stdio");
      sub->add_option("--command", o.command,
                      "The evo-engine binary to register (default: this one, absolute)");
    }
    sub->add_flag("--no-cli", o.no_cli,
                  "claude: edit the config files even when the `claude` CLI is on PATH");
    (uninstall ? cmds.uninstall : cmds.install) = sub;
  }
  return cmds;
}

int run_install(InstallOptions o, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  if (o.project_dir.empty()) o.project_dir = fs::current_path(ec).string();
  o.project_dir = fs::absolute(o.project_dir, ec).lexically_normal().string();
  if (o.command.empty()) o.command = fs::read_symlink("/proc/self/exe", ec).string();
  if (!o.command.empty()) o.command = fs::absolute(o.command, ec).lexically_normal().string();
  if (o.command.empty() && o.http_url.empty()) {
    err << "evo-engine install: cannot find this binary's path; pass --command\n";
    return 2;
  }
  if (!o.http_url.empty() && o.http_url.rfind("http://", 0) != 0 &&
      o.http_url.rfind("https://", 0) != 0) {
    err << "evo-engine install: --http must be an http:// or https:// URL\n";
    return 2;
  }
  auto plan = make_plan(o);
  if (!plan) {
    err << "evo-engine install: " << plan.error().message << "\n";
    return 2;
  }
  bool ok = true;
  for (const auto& a : plan->actions) ok = apply(a, o.dry_run, out, err) && ok;
  for (const auto& n : plan->notes) out << "note: " << n << "\n";
  if (!o.dry_run && ok) {
    out << (o.uninstall ? "evo-engine removed from " : "evo-engine installed for ") << o.client
        << " (" << o.scope << " scope)\n";
  }
  return ok ? 0 : 1;
}

}  // namespace evo::install
