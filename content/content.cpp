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
  // Memory facts are rendered under the engine lock (they come from the state) and written
  // after it, in commit order, by the calling thread; a notification about a memory file is
  // handed to the notifier thread once the file is written. Run setup and catch-ups are written
  // at once (prepare), and told with the commit's other notifications.
  engine.add_observer([raw, &writer, &engine](const state::State& s,
                                              const std::vector<state::Event>& events,
                                              engine::Outbox& outbox) {
    auto prepared = writer.prepare(s, events);
    raw->resources().committed(s, events, prepared.written, outbox);
    if (!prepared.pending) return;
    outbox.add([raw, &writer, &engine, pass = std::move(*prepared.pending)] {
      auto paths = writer.finish(pass);
      if (paths.empty()) return;
      engine.post_notice([raw, run = pass.run_id, paths = std::move(paths)] {
        raw->resources().memory_changed(run, paths);
      });
    });
  });
  add_prompts(catalog, engine);
  raw->resources().add_to(catalog);
  return content;
}

}  // namespace evo::content
