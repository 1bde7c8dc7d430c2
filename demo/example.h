// The project the demo evolves: the bundled example (embedded at build time) or a directory
// given with --example-dir, and its manifest, evo-demo.json, naming what to evolve and how to
// score it.
#pragma once

#include <string>

#include "core/result.h"

namespace evo::demo {

struct ExampleSpec {
  std::string name;             // "pid", or the --example-dir's directory name
  std::string title;            // one line for humans
  std::string target_id;        // evo_register_targets id
  std::string target_file;      // repo-relative
  std::string target_function;  // whose body holds the numeric parameters
  std::string target_description;
  std::string benchmark_cmd;   // run with /bin/sh -c in the variant's worktree
  std::string benchmark_file;  // a protected file one scripted worker edits (and is refused)
  std::string objective;       // the objective's name; it is minimized
};

inline constexpr const char* kManifestName = "evo-demo.json";

// Writes the example's files into `dest` (an existing empty directory): the embedded example
// when `example_dir` is empty, else a copy of that directory (without .git and __pycache__).
// Returns the parsed manifest.
Result<ExampleSpec> write_example(const std::string& example_dir, const std::string& dest);

}  // namespace evo::demo
