// The run resources: evo://runs, and per run its status, lineage of a branch, results.tsv,
// targets, memory files and the event journal (NDJSON, with a manifest carrying its sha256).
// URIs follow RFC 6570 level-1 templates; a branch name in a URI is percent-encoded (its '/'
// is %2F), as level-1 expansion does. Committed events and memory writes become
// notifications/resources/updated for subscribed sessions.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "mcp/catalog.h"
#include "memory/memory_writer.h"

namespace evo::content {

// RFC 3986 percent-encoding of everything but unreserved characters, and its inverse (nullopt
// for a malformed escape).
std::string uri_encode(const std::string& text);
std::optional<std::string> uri_decode(const std::string& text);
// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(const std::string& data);
// The memory files under `root` (<repo>/memory) that are served, relative to it, sorted.
std::vector<std::string> memory_file_list(const std::filesystem::path& root);
// A file name a memory URI may name: [A-Za-z0-9._-], not hidden.
bool safe_memory_name(const std::string& name);

class Resources {
 public:
  Resources(engine::Engine& engine, mcp::Catalog& catalog, memory::MemoryWriter& writer,
            std::shared_ptr<spdlog::logger> logger);
  ~Resources();

  // Registers evo://runs, the templates (with completion) and the per-run listing.
  void add_to(mcp::Catalog& catalog);
  // Engine observer: queues the notifications of what the batch changed (the events, and the
  // memory files the writer changed for it) in the outbox, for after the lock. Never throws.
  void committed(const state::State& s, const std::vector<state::Event>& events,
                 const std::vector<std::string>& memory_paths, engine::Outbox& outbox) noexcept;
  // Notifies subscribers now of memory files that changed (call with no engine lock held).
  void memory_changed(const std::string& run_id, const std::vector<std::string>& paths) noexcept;

  // The journal of a run as NDJSON, up to event `upto` (all when nullopt); sets `last_seq`.
  Result<std::string> journal(const std::string& run_id, std::optional<std::uint64_t> upto,
                              std::uint64_t& last_seq);

 private:
  // The subscribed URIs that `events` changed (worked out under the engine lock).
  std::vector<std::string> updated_uris(const state::State& s,
                                        const std::vector<state::Event>& events) const;
  static std::vector<std::string> memory_uris(const std::string& run_id,
                                              const std::vector<std::string>& paths);
  void send(const std::vector<std::string>& uris) noexcept;
  std::vector<nlohmann::json> list() const;
  std::vector<std::string> complete(const std::string& argument, const std::string& partial,
                                    const mcp::StringMap& context,
                                    const std::string& uri_template) const;
  Result<nlohmann::json> read_memory(const std::string& uri, const std::string& run,
                                     const std::string& rel);

  engine::Engine& engine_;
  mcp::Catalog& catalog_;
  memory::MemoryWriter& writer_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace evo::content
