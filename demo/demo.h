// `evo-engine demo`: a complete scripted evolution, no LLM. Copies the bundled example into a
// fresh git repository, starts this binary as a real `serve --stdio` child, and plays every
// role (orchestrator, workers, PolicyAgent, reflect) against it over MCP.
#pragma once

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace evo::demo {

struct DemoOptions {
  int generations = 5;
  int pop_size = 8;
  std::uint64_t seed = 42;
  bool json = false;        // print the final summary as JSON on stdout (progress to stderr)
  bool clean = false;       // remove the repository and data directory at the end
  std::string example_dir;  // empty: the example embedded in the binary
};

// Registers the demo's options on its subcommand.
void add_demo_options(CLI::App& command, DemoOptions& options);

// Runs the demo. 0 when the run finished and the best fitness beats the seed's; 1 otherwise,
// after a clear message on stderr. Never throws.
int run_demo(const DemoOptions& options);

}  // namespace evo::demo
