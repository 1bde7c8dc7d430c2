// Wiring of evo-engine's MCP content: the memory writer (owned by the caller) observes the
// engine, prompts and resources go into the catalog, and committed events become resource
// notifications.
#include "content/content.h"

#include "content/resources.h"

namespace evo::content {
namespace {

class ContentImpl final : public Content {
 public:
  ContentImpl(engine::Engine& engine, mcp::Catalog& catalog, memory::MemoryWriter& writer,
              std::shared_ptr<spdlog::logger> logger)
      : engine_(engine), resources_(engine, catalog, writer, std::move(logger)) {}
  // The engine may still hold notifications that point into resources_.
  ~ContentImpl() override { engine_.quiesce_notices(); }

  Resources& resources() { return resources_; }

 private:
  engine::Engine& engine_;
  Resources resources_;
};

}  // namespace

std::unique_ptr<Content> attach(engine::Engine& engine, mcp::Catalog& catalog,
                                memory::MemoryWriter& writer,
                                std::shared_ptr<spdlog::logger> logger) {
  auto content = std::make_unique<ContentImpl>(engine, catalog, writer, std::move(logger));
  ContentImpl* raw = content.get();
  // Memory first, so a notification about a memory file follows its write. The writes happen
  // under the engine lock (they render from the state); the notifications go out after it.
  engine.add_observer([raw, &writer](const state::State& s, const std::vector<state::Event>& events,
                                     engine::Outbox& outbox) {
    const auto paths = writer.observe(s, events);
    raw->resources().committed(s, events, paths, outbox);
  });
  add_prompts(catalog, engine);
  raw->resources().add_to(catalog);
  return content;
}

}  // namespace evo::content
