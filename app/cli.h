// Pieces of the command-line front end shared by its subcommands.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace spdlog {
class logger;
}

namespace evo::app::cli {

// --data-dir, else $EVO_DATA_DIR, else $XDG_STATE_HOME/evo-engine, else
// ~/.local/state/evo-engine.
std::string resolve_data_dir(const std::string& flag);

// `evo-engine status`: a table of every run, or one run in detail; --json prints JSON.
int run_status(const std::string& data_dir, const std::optional<std::string>& run, bool as_json,
               std::shared_ptr<spdlog::logger> logger);

}  // namespace evo::app::cli
