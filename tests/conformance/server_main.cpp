// evo-engine-conformance: evo-engine's own command line and composition, serving also the
// fixtures the official MCP conformance suite calls by name. A test binary only: the production
// evo-engine cannot list them, whatever flags it is given.
#include "app/run.h"
#include "tests/conformance/fixtures/conformance_fixtures.h"

int main(int argc, char** argv) {
  evo::app::Extras extras;
  extras.program = "evo-engine-conformance";
  extras.description =
      "evo-engine with the MCP conformance suite's fixtures (tests only, never installed)";
  extras.add = [](std::vector<evo::mcp::ToolDef>& tools, evo::mcp::Catalog& catalog) {
    for (auto& t : evo::mcp::fixtures::conformance_tools()) tools.push_back(std::move(t));
    evo::mcp::fixtures::add_conformance_fixtures(catalog);
  };
  return evo::app::run_cli(argc, argv, extras);
}
