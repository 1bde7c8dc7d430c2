// evo-engine's command line: serve MCP over stdio and/or Streamable HTTP, show run status, run
// the demo, install into clients, print the version. The composition of a served process lives
// here: the engine, its tools, the content (prompts, resources, the memory writer) and the
// transports. Logs go to stderr (and to MCP clients as notifications/message), never to stdout.
#include "app/run.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "app/cli.h"
#include "app/serve.h"
#include "content/content.h"
#include "demo/demo.h"
#include "engine/engine.h"
#include "engine/tools/common.h"
#include "install/install.h"
#include "mcp/catalog.h"
#include "mcp/client_log_sink.h"
#include "mcp/session_setup.h"
#include "mcp/tool_registry.h"
#include "memory/memory_writer.h"

#ifndef EVO_VERSION
#define EVO_VERSION "0.0.0"
#endif

namespace evo::app {
namespace {

constexpr const char* kInstructions =
    "evo-engine keeps the books of an LLM-driven evolutionary code optimization run. "
    "Start with evo_init, register targets (evo_register_targets), report the seed fitness "
    "(evo_report_seed), then drive the loop with evo_step: begin_generation -> workers "
    "(code_ready -> policy_pass/policy_fail -> fitness_ready) -> select -> reflect_done. "
    "The server enforces policy and budgets; every reply names the next action.";

std::shared_ptr<spdlog::logger> make_logger(
    const std::string& level, const std::shared_ptr<spdlog::sinks::sink>& extra = {}) {
  auto err = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  std::vector<spdlog::sink_ptr> sinks{err};
  if (extra) sinks.push_back(extra);
  auto logger = std::make_shared<spdlog::logger>("evo-engine", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

int run_serve(const std::string& data_dir, const std::string& level, const std::string& sync,
              std::uint64_t snapshot_every, bool stdio, HttpCli& http, const Extras& extras) {
  auto client_sink = std::make_shared<mcp::ClientLogSink>();
  auto logger = make_logger(level, client_sink);
  engine::EngineOptions options;
  options.data_dir = data_dir;
  options.sync = sync == "full" ? store::SyncMode::kFull : store::SyncMode::kNormal;
  options.snapshot_every = snapshot_every;
  auto engine = engine::Engine::open(options, logger);
  if (!engine) {
    logger->critical("cannot open the data directory: {}", engine.error().message);
    return 1;
  }
  auto tool_defs = engine::tools::all_tools(**engine);
  // The memory writer (<repo>/memory/, written as events commit), then the prompts, resources and
  // completions, whose observer runs the writer and notifies subscribers of what it wrote. Both
  // outlive the serving below; the writer outlives the content that points to it.
  memory::MemoryWriter memory_writer(logger);
  mcp::Catalog catalog;
  auto content = content::attach(**engine, catalog, memory_writer, logger);
  if (extras.add) extras.add(tool_defs, catalog);
  auto registry = mcp::ToolRegistry::create(std::move(tool_defs));
  if (!registry) {
    logger->critical("tool registry: {}", registry.error().message);
    return 1;
  }
  logger->info("evo-engine {} serving MCP (data dir {})", EVO_VERSION, data_dir);
  mcp::ServerInfo info;
  info.version = EVO_VERSION;
  info.title = "evo-engine: evolutionary code optimization bookkeeping";
  info.instructions = kInstructions;
  mcp::SessionSetup setup(client_sink);
  setup.add([&](mcp::McpSession& s) { catalog.install(s); });
  return serve(info, *registry, logger, setup, stdio, http);
}

}  // namespace

int run_cli(int argc, char** argv, const Extras& extras) {
  CLI::App app{extras.description};
  app.set_version_flag("--version", extras.program + " " + EVO_VERSION);
  app.require_subcommand(1);

  std::string data_dir_flag;
  std::string log_level = "info";

  auto* serve = app.add_subcommand("serve", "Serve MCP");
  bool stdio = false;
  std::string sync = "normal";
  std::uint64_t snapshot_every = engine::EngineOptions{}.snapshot_every;
  serve->add_flag("--stdio", stdio, "Serve over stdin/stdout (one JSON message per line)");
  serve->add_option("--data-dir", data_dir_flag,
                    "State directory (default: $EVO_DATA_DIR, "
                    "else $XDG_STATE_HOME/evo-engine)");
  serve->add_option("--log-level", log_level, "trace|debug|info|warn|error|critical|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  serve
      ->add_option("--sync", sync,
                   "SQLite durability: normal (a commit survives a process crash) or full "
                   "(also a power loss; slower)")
      ->check(CLI::IsMember({"normal", "full"}));
  serve
      ->add_option("--snapshot-every", snapshot_every,
                   "Fewest events between snapshots (also at least a fifth of the run's "
                   "individuals; default 20000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
  HttpCli http;
  add_http_options(*serve, http);

  auto* status = app.add_subcommand("status", "Show runs");
  std::string run_id;
  bool as_json = false;
  status->add_option("--data-dir", data_dir_flag, "State directory");
  status->add_option("--run", run_id, "Show one run in detail");
  status->add_flag("--json", as_json, "Print JSON instead of a table");

  auto* demo_cmd = app.add_subcommand(
      "demo", "Run a scripted evolution of the bundled example through a real server (no LLM)");
  demo::DemoOptions demo_options;
  demo::add_demo_options(*demo_cmd, demo_options);

  install::InstallOptions install_options;
  const auto install_cmds = install::add_install_commands(app, install_options);

  CLI11_PARSE(app, argc, argv);

  if (demo_cmd->parsed()) return demo::run_demo(demo_options);
  if (install_cmds.install->parsed() || install_cmds.uninstall->parsed()) {
    install_options.uninstall = install_cmds.uninstall->parsed();
    return install::run_install(install_options, std::cout, std::cerr);
  }

  const std::string data_dir = cli::resolve_data_dir(data_dir_flag);
  if (serve->parsed()) {
    if (!stdio && !http.listen) {
      std::cerr << extras.program
                << " serve: choose a transport (--stdio, --http [ADDR:PORT], or both)\n";
      return 2;
    }
    return run_serve(data_dir, log_level, sync, snapshot_every, stdio, http, extras);
  }
  auto logger = make_logger("warn");
  return cli::run_status(data_dir,
                         run_id.empty() ? std::nullopt : std::optional<std::string>(run_id),
                         as_json, logger);
}

}  // namespace evo::app
