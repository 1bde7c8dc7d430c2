// The fixtures the official MCP conformance suite (@modelcontextprotocol/conformance) calls by
// name: tools, prompts, resources and completions. Served only behind
// `serve --conformance-fixtures`, never in the production lists.
#pragma once

#include <vector>

#include "server/protocol/catalog.h"
#include "server/protocol/tool.h"

namespace evo::server::fixtures {

std::vector<ToolDef> conformance_tools();
void add_conformance_fixtures(Catalog& catalog);

}  // namespace evo::server::fixtures
