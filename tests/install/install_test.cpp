// `evo-engine install`: configs merged (only our entry changes), agent files exported in each
// client's format, install/uninstall/dry-run for claude, cursor and windsurf under a temporary
// HOME, and files that are not ours left alone.
#include "install/install.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "install/agent_export.h"
#include "install/config_file.h"

using namespace evo::install;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A temporary HOME (and project), restored afterwards; PATH without a `claude` CLI.
struct TempHome {
  fs::path dir;
  std::string old_home;
  std::string old_path;
  TempHome() {
    char tmpl[] = "/tmp/evo-install-test-XXXXXX";
    dir = mkdtemp(tmpl);
    fs::create_directories(dir / "home");
    fs::create_directories(dir / "project");
    old_home = std::getenv("HOME") ? std::getenv("HOME") : "";
    old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
    setenv("HOME", (dir / "home").c_str(), 1);
    setenv("PATH", "/usr/bin:/bin", 1);
    unsetenv("CLAUDE_CONFIG_DIR");
  }
  ~TempHome() {
    setenv("HOME", old_home.c_str(), 1);
    setenv("PATH", old_path.c_str(), 1);
    fs::remove_all(dir);
  }
  fs::path home() const { return dir / "home"; }
  fs::path project() const { return dir / "project"; }

  int run(InstallOptions o, std::string* out_text = nullptr) {
    if (o.command.empty()) o.command = "/opt/evo/bin/evo-engine";
    if (o.project_dir.empty()) o.project_dir = project().string();
    o.no_cli = true;
    std::ostringstream out;
    std::ostringstream err;
    const int rc = run_install(o, out, err);
    if (out_text) *out_text = out.str() + err.str();
    return rc;
  }
};

InstallOptions opts(const std::string& client, const std::string& scope = "user") {
  InstallOptions o;
  o.client = client;
  o.scope = scope;
  return o;
}

}  // namespace

TEST_SUITE("install.config") {
  TEST_CASE("with_json_entry merges only our entry and keeps the rest in order") {
    const std::string doc = R"({"theme":"dark","mcpServers":{"other":{"command":"x"}},"z":1})";
    nlohmann::ordered_json entry{{"command", "/bin/evo"}};
    auto merged = with_json_entry(doc, "mcpServers", "evo-engine", entry);
    REQUIRE(merged.ok());
    const auto j = json::parse(*merged);
    CHECK(j["theme"] == "dark");
    CHECK(j["z"] == 1);
    CHECK(j["mcpServers"]["other"]["command"] == "x");
    CHECK(j["mcpServers"]["evo-engine"]["command"] == "/bin/evo");
    CHECK(merged->find("\"theme\"") < merged->find("\"mcpServers\""));  // order kept
    auto removed = with_json_entry(*merged, "mcpServers", "evo-engine", std::nullopt);
    REQUIRE(removed.ok());
    CHECK(json::parse(*removed) == json::parse(doc));
    auto fresh = with_json_entry(std::nullopt, "mcpServers", "evo-engine", entry);
    REQUIRE(fresh.ok());
    auto emptied = with_json_entry(*fresh, "mcpServers", "evo-engine", std::nullopt);
    REQUIRE(emptied.ok());
    // Nothing but our entry was there: the section stays, empty (the file is never removed).
    CHECK(json::parse(*emptied) == json{{"mcpServers", json::object()}});
  }

  TEST_CASE("with_json_entry refuses what it does not understand") {
    CHECK_FALSE(with_json_entry(std::string("{not json"), "mcpServers", "e", nullptr).ok());
    CHECK_FALSE(with_json_entry(std::string("[1,2]"), "mcpServers", "e", nullptr).ok());
    CHECK_FALSE(
        with_json_entry(std::string(R"({"mcpServers":[]})"), "mcpServers", "e", nullptr).ok());
  }

  TEST_CASE("with_block adds, replaces and removes one marked block") {
    const std::string user = "# My rules\n- use tabs\n";
    const auto added = with_block(user, "<!-- b -->", "<!-- e -->", std::string("ours v1\n"));
    CHECK(added == user + "\n<!-- b -->\nours v1\n<!-- e -->\n");
    const auto replaced = with_block(added, "<!-- b -->", "<!-- e -->", std::string("ours v2"));
    CHECK(replaced == user + "\n<!-- b -->\nours v2\n<!-- e -->\n");
    CHECK(with_block(replaced, "<!-- b -->", "<!-- e -->", std::nullopt) == user);
  }

  TEST_CASE("write_atomic keeps the mode of an existing file") {
    TempHome h;
    const auto p = h.home() / "cfg.json";
    spit(p, "{}");
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    REQUIRE(write_atomic(p, "{\"a\":1}\n").ok());
    CHECK(slurp(p) == "{\"a\":1}\n");
    CHECK((fs::status(p).permissions() & fs::perms::group_read) == fs::perms::none);
    for (const auto& e : fs::directory_iterator(h.home())) {
      CHECK(e.path().filename().string().find("evo-tmp") == std::string::npos);
    }
  }

  TEST_CASE("write_atomic through a symlink replaces the target and keeps the link") {
    TempHome h;
    const auto real = h.dir / "dotfiles" / "mcp.json";
    spit(real, "{}");
    fs::create_directories(h.home() / ".cursor");
    const auto link = h.home() / ".cursor" / "mcp.json";
    fs::create_symlink("../../dotfiles/mcp.json", link);
    REQUIRE(write_atomic(link, "{\"a\":1}\n").ok());
    CHECK(fs::is_symlink(link));
    CHECK(slurp(real) == "{\"a\":1}\n");
    for (const auto& e : fs::directory_iterator(h.dir / "dotfiles")) {
      CHECK(e.path().filename().string().find("evo-tmp") == std::string::npos);
    }
    // Through the installer too: the link survives install and uninstall.
    REQUIRE(h.run(opts("cursor")) == 0);
    CHECK(fs::is_symlink(link));
    CHECK(json::parse(slurp(real))["mcpServers"].contains("evo-engine"));
    auto un = opts("cursor");
    un.uninstall = true;
    REQUIRE(h.run(un) == 0);
    CHECK(fs::is_symlink(link));
    CHECK(json::parse(slurp(real)) == json{{"a", 1}, {"mcpServers", json::object()}});
  }
}

TEST_SUITE("install.agents") {
  TEST_CASE("every exported file is marked, has front matter and no placeholder left") {
    std::vector<ExportedFile> all;
    for (auto files : {claude_files(), cursor_files(), windsurf_files()}) {
      all.insert(all.end(), files.begin(), files.end());
    }
    CHECK(claude_files().size() == 5);
    CHECK(cursor_files().size() == 6);
    CHECK(windsurf_files().size() == 6);
    for (const auto& f : all) {
      CAPTURE(f.relative_path);
      CHECK(f.text.rfind("---\n", 0) == 0);
      CHECK(f.text.find(kInstalledMarker) != std::string::npos);
      CHECK(f.text.find("{{") == std::string::npos);
      CHECK(f.text.size() < 12000);  // Windsurf's per-file cap
    }
    const auto worker = claude_files();
    const auto it = std::find_if(worker.begin(), worker.end(), [](const ExportedFile& f) {
      return f.relative_path == "agents/evo-worker.md";
    });
    REQUIRE(it != worker.end());
    CHECK(it->text.find("name: evo-worker\n") != std::string::npos);
    CHECK(it->text.find("Your item: `<item>`") != std::string::npos);
    CHECK(it->text.find("- `<item>`: The batch item as JSON") != std::string::npos);
    CHECK(it->text.find("# The evo-engine protocol") != std::string::npos);
    CHECK(windsurf_global_block().size() < 2000);  // global_rules.md is capped at 6000
  }
}

TEST_SUITE("install.clients") {
  TEST_CASE("cursor: user config merged, project rules written, uninstall reverses both") {
    TempHome h;
    const auto cfg = h.home() / ".cursor/mcp.json";
    spit(cfg, R"({"mcpServers":{"other":{"command":"x","args":[]}},"keep":true})");
    REQUIRE(h.run(opts("cursor")) == 0);
    auto j = json::parse(slurp(cfg));
    CHECK(j["keep"] == true);
    CHECK(j["mcpServers"]["other"]["command"] == "x");
    CHECK(j["mcpServers"]["evo-engine"] == json{{"command", "/opt/evo/bin/evo-engine"},
                                                {"args", {"serve", "--stdio"}},
                                                {"env", json::object()}});
    // Idempotent: a second install changes nothing.
    const auto before = slurp(cfg);
    std::string out;
    REQUIRE(h.run(opts("cursor"), &out) == 0);
    CHECK(slurp(cfg) == before);
    CHECK(out.find("unchanged") != std::string::npos);

    REQUIRE(h.run(opts("cursor", "project")) == 0);
    CHECK(fs::exists(h.project() / ".cursor/mcp.json"));
    CHECK(slurp(h.project() / ".cursor/rules/evo-worker.mdc").find("alwaysApply: false") !=
          std::string::npos);
    spit(h.project() / ".cursor/rules/team.mdc", "---\nalwaysApply: true\n---\nours\n");

    auto un = opts("cursor");
    un.uninstall = true;
    REQUIRE(h.run(un) == 0);
    j = json::parse(slurp(cfg));
    CHECK_FALSE(j["mcpServers"].contains("evo-engine"));
    CHECK(j["mcpServers"]["other"]["command"] == "x");
    auto unp = opts("cursor", "project");
    unp.uninstall = true;
    REQUIRE(h.run(unp) == 0);
    CHECK_FALSE(fs::exists(h.project() / ".cursor/rules/evo-worker.mdc"));
    CHECK(fs::exists(h.project() / ".cursor/rules/team.mdc"));
    // It held only our entry, but a config file is never removed.
    CHECK(json::parse(slurp(h.project() / ".cursor/mcp.json")) ==
          json{{"mcpServers", json::object()}});
  }

  TEST_CASE("windsurf: mcp_config.json with serverUrl for --http; global rules block merged") {
    TempHome h;
    const auto cfg = h.home() / ".codeium/windsurf/mcp_config.json";
    const auto rules = h.home() / ".codeium/windsurf/memories/global_rules.md";
    spit(cfg, R"({"mcpServers":{"github":{"serverUrl":"https://example.invalid/mcp"}}})");
    spit(rules, "# Mine\n- be brief\n");
    auto o = opts("windsurf");
    o.http_url = "http://127.0.0.1:8765/mcp";
    REQUIRE(h.run(o) == 0);
    auto j = json::parse(slurp(cfg));
    CHECK(j["mcpServers"]["evo-engine"] == json{{"serverUrl", "http://127.0.0.1:8765/mcp"}});
    CHECK(j["mcpServers"]["github"]["serverUrl"] == "https://example.invalid/mcp");
    const auto text = slurp(rules);
    CHECK(text.rfind("# Mine\n- be brief\n", 0) == 0);
    CHECK(text.find(kBlockBegin) != std::string::npos);
    CHECK(text.find("`worker`") != std::string::npos);

    // A project install keeps the user's global entry (here the --http one) as it is.
    const auto global_before = slurp(cfg);
    std::string out;
    REQUIRE(h.run(opts("windsurf", "project"), &out) == 0);
    CHECK(slurp(h.project() / ".windsurf/rules/evo-protocol.md").find("trigger: model_decision") !=
          std::string::npos);
    CHECK(slurp(cfg) == global_before);
    CHECK(out.find("kept the existing mcpServers.evo-engine") != std::string::npos);
    // A project uninstall removes the project's rules and leaves the global entry alone.
    auto unp = opts("windsurf", "project");
    unp.uninstall = true;
    REQUIRE(h.run(unp) == 0);
    CHECK_FALSE(fs::exists(h.project() / ".windsurf/rules/evo-protocol.md"));
    CHECK(slurp(cfg) == global_before);

    auto un = opts("windsurf");
    un.uninstall = true;
    REQUIRE(h.run(un) == 0);
    CHECK(slurp(rules) == "# Mine\n- be brief\n");
    CHECK_FALSE(json::parse(slurp(cfg))["mcpServers"].contains("evo-engine"));
    CHECK(json::parse(slurp(cfg))["mcpServers"].contains("github"));
  }

  TEST_CASE("windsurf project install adds the global entry only when it is missing") {
    TempHome h;
    const auto cfg = h.home() / ".codeium/windsurf/mcp_config.json";
    REQUIRE(h.run(opts("windsurf", "project")) == 0);
    CHECK(json::parse(slurp(cfg))["mcpServers"]["evo-engine"]["command"] ==
          "/opt/evo/bin/evo-engine");
    // Installed again from elsewhere: an existing entry is never replaced.
    auto other = opts("windsurf", "project");
    other.command = "/somewhere/else/evo-engine";
    REQUIRE(h.run(other) == 0);
    CHECK(json::parse(slurp(cfg))["mcpServers"]["evo-engine"]["command"] ==
          "/opt/evo/bin/evo-engine");
    auto unp = opts("windsurf", "project");
    unp.uninstall = true;
    REQUIRE(h.run(unp) == 0);
    CHECK(json::parse(slurp(cfg))["mcpServers"].contains("evo-engine"));
  }

  TEST_CASE("claude without its CLI: ~/.claude.json and .mcp.json, agents and the command") {
    TempHome h;
    const auto cfg = h.home() / ".claude.json";
    spit(cfg, R"({"numStartups":3,"mcpServers":{"db":{"type":"stdio","command":"db"}}})");
    fs::permissions(cfg, fs::perms::owner_read | fs::perms::owner_write);
    REQUIRE(h.run(opts("claude")) == 0);
    auto j = json::parse(slurp(cfg));
    CHECK(j["numStartups"] == 3);
    CHECK(j["mcpServers"]["db"]["command"] == "db");
    CHECK(j["mcpServers"]["evo-engine"]["type"] == "stdio");
    CHECK(j["mcpServers"]["evo-engine"]["command"] == "/opt/evo/bin/evo-engine");
    CHECK((fs::status(cfg).permissions() & fs::perms::others_read) == fs::perms::none);
    CHECK(fs::exists(h.home() / ".claude/agents/evo-worker.md"));
    CHECK(fs::exists(h.home() / ".claude/commands/evo-orchestrate.md"));

    auto p = opts("claude", "project");
    p.http_url = "http://127.0.0.1:9/mcp";
    REQUIRE(h.run(p) == 0);
    CHECK(json::parse(slurp(h.project() / ".mcp.json"))["mcpServers"]["evo-engine"] ==
          json{{"type", "http"}, {"url", "http://127.0.0.1:9/mcp"}});
    CHECK(fs::exists(h.project() / ".claude/agents/evo-reflect-agent.md"));

    auto un = opts("claude");
    un.uninstall = true;
    REQUIRE(h.run(un) == 0);
    j = json::parse(slurp(cfg));
    CHECK(j["mcpServers"].size() == 1);
    CHECK_FALSE(fs::exists(h.home() / ".claude/agents/evo-worker.md"));
  }

  TEST_CASE("claude CLI: a failed add-json puts the previous entry back and fails") {
    TempHome h;
    const auto cfg = h.home() / ".claude.json";
    const json old_entry{{"type", "stdio"}, {"command", "/old/evo-engine"}};
    spit(cfg, json{{"mcpServers", {{"evo-engine", old_entry}}}}.dump());
    // A fake `claude` that logs its arguments and refuses to add the new entry.
    const auto log = h.dir / "claude.log";
    spit(h.dir / "bin" / "claude",
         "#!/bin/sh\necho \"$*\" >> '" + log.string() +
             "'\ncase \"$2 $4\" in\n  add-json*new-evo*) exit 1;;\nesac\nexit 0\n");
    fs::permissions(h.dir / "bin" / "claude", fs::perms::owner_all);
    setenv("PATH", ((h.dir / "bin").string() + ":/usr/bin:/bin").c_str(), 1);
    InstallOptions o = opts("claude");
    o.command = "/opt/new-evo/evo-engine";
    o.project_dir = h.project().string();
    std::ostringstream out;
    std::ostringstream err;
    CHECK(run_install(o, out, err) == 1);
    CAPTURE(out.str());
    CAPTURE(err.str());
    const auto calls = slurp(log);
    CHECK(calls.find("mcp remove evo-engine --scope user") != std::string::npos);
    CHECK(calls.find("mcp add-json evo-engine {\"type\":\"stdio\",\"command\":\"/opt/new-evo/") !=
          std::string::npos);
    CHECK(calls.find("mcp add-json evo-engine " + old_entry.dump() + " --scope user") !=
          std::string::npos);
    CHECK(err.str().find("previous mcpServers.evo-engine entry was restored") != std::string::npos);

    // An add that works: remove, then add, no restore.
    fs::remove(log);
    o.command = "/opt/evo/bin/evo-engine";
    std::ostringstream out2;
    std::ostringstream err2;
    CHECK(run_install(o, out2, err2) == 0);
    const auto calls2 = slurp(log);
    CHECK(calls2.find("mcp remove evo-engine") < calls2.find("mcp add-json evo-engine"));
    CHECK(calls2.find("/old/evo-engine") == std::string::npos);
  }

  TEST_CASE("dry run changes nothing; foreign files and broken configs are left alone") {
    TempHome h;
    auto o = opts("cursor", "project");
    o.dry_run = true;
    std::string out;
    REQUIRE(h.run(o, &out) == 0);
    CHECK(out.find("would set mcpServers.evo-engine") != std::string::npos);
    CHECK(out.find("would write") != std::string::npos);
    CHECK_FALSE(fs::exists(h.project() / ".cursor"));

    // A file of ours by name but not by content: not overwritten, a failure exit.
    spit(h.project() / ".cursor/rules/evo-worker.mdc", "my own worker rule\n");
    CHECK(h.run(opts("cursor", "project"), &out) == 1);
    CHECK(slurp(h.project() / ".cursor/rules/evo-worker.mdc") == "my own worker rule\n");
    CHECK(out.find("not written by evo-engine install") != std::string::npos);

    spit(h.home() / ".cursor/mcp.json", "{ broken");
    CHECK(h.run(opts("cursor"), &out) == 1);
    CHECK(slurp(h.home() / ".cursor/mcp.json") == "{ broken");

    auto bad = opts("cursor");
    bad.http_url = "ftp://x";
    CHECK(h.run(bad) == 2);
  }
}
