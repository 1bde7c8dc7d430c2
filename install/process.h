// Running another program (the `claude` CLI) without a shell: argv as given, an optional
// working directory, output passed through or discarded.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace evo::install {

// The executable `name` found on $PATH, if any.
std::optional<std::filesystem::path> find_on_path(const std::string& name);

// Runs argv[0] (searched on PATH) and waits; returns its exit status (128+signal when killed).
// `quiet` discards its stdout and stderr; otherwise they go to ours (stdout to stderr, so a
// caller's stdout stays its own).
Result<int> run_program(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                        bool quiet);

}  // namespace evo::install
