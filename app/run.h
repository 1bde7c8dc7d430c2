// The whole command line of evo-engine (serve, status, demo, install, uninstall, --version) as a
// function, so a second binary can serve the same composition with more in it: the conformance
// test server (tests/conformance) adds the suite's fixtures, which production never lists.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mcp/catalog.h"
#include "mcp/tool.h"

namespace evo::app {

struct Extras {
  std::string program = "evo-engine";
  std::string description =
      "evo-engine: an MCP server that keeps the books of evolutionary code optimization";
  // Called once per served process, after the production tools and content are in: may append
  // tools and add prompts, resources and completions. Empty for evo-engine itself.
  std::function<void(std::vector<mcp::ToolDef>& tools, mcp::Catalog& catalog)> add;
};

// Parses argv and runs the chosen command; returns the process exit code.
int run_cli(int argc, char** argv, const Extras& extras);

}  // namespace evo::app
