// evo-engine's own MCP content, wired into a Catalog and an Engine: the agent files as prompts
// (with argument completion), the run resources (status, lineage, results.tsv, memory files,
// the event journal) with subscriptions, and the engine observer that runs the memory writer the
// composition root owns, then turns what it wrote into resource notifications.
#pragma once

#include <memory>
#include <string>

#include "engine/engine.h"
#include "mcp/catalog.h"
#include "memory/memory_writer.h"

namespace evo::content {

// Owns what the catalog entries and the engine observer point to; keep it alive while serving.
class Content {
 public:
  virtual ~Content() = default;
};

// Registers the engine observer (the memory writer's files first, then the notifications about
// them and the other resources), the prompts, resources, templates and completions. Call
// before serving; `engine`, `catalog` and `writer` must outlive the result.
std::unique_ptr<Content> attach(engine::Engine& engine, mcp::Catalog& catalog,
                                memory::MemoryWriter& writer,
                                std::shared_ptr<spdlog::logger> logger);

// The prompts alone: one per agent file, with argument completion (attach adds them).
void add_prompts(mcp::Catalog& catalog, engine::Engine& engine);

}  // namespace evo::content
