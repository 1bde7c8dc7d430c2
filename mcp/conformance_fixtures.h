// The fixtures the official MCP conformance suite (@modelcontextprotocol/conformance) calls by
// name: tools, prompts, resources and completions. Served only behind
// `serve --conformance-fixtures`, never in the production lists.
#pragma once

#include <vector>

#include "mcp/catalog.h"
#include "mcp/tool.h"

namespace evo::mcp::fixtures {

std::vector<ToolDef> conformance_tools();
void add_conformance_fixtures(Catalog& catalog);

}  // namespace evo::mcp::fixtures
