// The memory writer: renders memory_templates/ into <repo>/memory/ and appends the facts the
// server knows (results.tsv rows, failure lines, generation tables, synergy records) as events
// are committed. It hangs on Engine::add_observer, so it must be fast and never throw.
//
// A commit's facts are rendered under the engine lock (they come from the state) and written
// after it is released: prepare() returns the rendered writes, finish() makes them, in commit
// order (the engine's outbox). Run setup (templates, the exclude entry) and a catch-up are
// written at once by prepare(), since they read files and need the whole state. Both return the
// memory-relative paths they changed; telling clients is the caller's business.
//
// Layout (relative to <repo>/memory/; see memory/README.md):
//   global/long_term.md, synergy/records.md, results.tsv,
//   targets/<id>/{long_term.md, failures.md, short_term/gen_<N>.md},
//   .evo-writer (cursor: run id + last event seq written), .evo-writer.lock (flock).
//
// Crash safety: the cursor records the last event seq whose facts are on disk. When a batch
// does not follow the cursor (a crash between commit and write, or another process committed
// events), the writer re-derives every missing fact from the state, skipping what is already
// there, so replays and restarts never duplicate a line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "state/events.h"
#include "state/model.h"

namespace spdlog {
class logger;
}

namespace evo::memory {

inline constexpr const char* kMemoryDir = "memory";
inline constexpr const char* kResultsFile = "results.tsv";  // under memory/
inline constexpr const char* kCursorFile = ".evo-writer";
inline constexpr const char* kLockFile = ".evo-writer.lock";

// A write the incremental pass decided under the engine lock and leaves for after it: the text
// is rendered from the state already, so doing it needs no state.
struct PendingWrite {
  std::string rel;              // relative to memory/
  std::string text;             // cleaned
  bool only_if_absent = false;  // a generation table: written once, never over the notes
};

// One commit's writes, left for after the engine lock, and where the cursor must stand for them.
struct PendingPass {
  std::filesystem::path repo;
  std::string run_id;
  std::int64_t created_at_ms = 0;
  std::uint64_t from_seq = 0;  // the cursor these writes follow
  std::uint64_t to_seq = 0;    // the cursor after them
  std::vector<PendingWrite> writes;
};

struct Prepared {
  std::vector<std::string> written;    // changed already (run setup, a catch-up)
  std::optional<PendingPass> pending;  // for finish()
};

class MemoryWriter {
 public:
  explicit MemoryWriter(std::shared_ptr<spdlog::logger> logger);

  // Writes the facts of `events` (already applied to `s`) at once: prepare() then finish().
  // Returns the memory-relative paths that changed. Never throws.
  std::vector<std::string> observe(const state::State& s,
                                   const std::vector<state::Event>& events) noexcept;
  // The same in two halves: prepare() under the engine lock (it renders, and writes only run
  // setup and catch-ups), finish() after it, in commit order. A pass that finds the cursor
  // elsewhere writes nothing and leaves the run to the next prepare(), which catches up from
  // the state.
  Prepared prepare(const state::State& s, const std::vector<state::Event>& events) noexcept;
  std::vector<std::string> finish(const PendingPass& pass) noexcept;
  // Brings the memory of `s` up to date from the state alone (catch-up); returns the paths
  // that changed. Never throws.
  std::vector<std::string> sync(const state::State& s) noexcept;

  // <repo>/memory when the run's repo is a git work tree; nullopt otherwise.
  static std::optional<std::filesystem::path> memory_root(const state::State& s);

 private:
  std::vector<std::string> write(const state::State& s, const std::vector<state::Event>* events);

  // memory_root() once per run: it looks at the disk.
  std::optional<std::filesystem::path> root_of(const state::State& s);
  void mark_behind(const std::string& run_id);

  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mu_;                  // guards the three sets below
  std::set<std::string> skipped_;  // runs already logged as having no memory
  std::map<std::string, std::optional<std::filesystem::path>> roots_;
  std::set<std::string> behind_;  // runs whose last finish() did not follow the cursor
};

}  // namespace evo::memory
