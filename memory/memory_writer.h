// The memory writer: renders memory_templates/ into <repo>/memory/ and appends the facts the
// server knows (results.tsv rows, failure lines, generation tables, synergy records) as events
// are committed. It hangs on Engine::add_observer, so it must be fast and never throw. It
// returns the memory-relative paths it changed; telling clients is the caller's business (after
// the engine lock is released).
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

#include <filesystem>
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

class MemoryWriter {
 public:
  explicit MemoryWriter(std::shared_ptr<spdlog::logger> logger);

  // The engine observer: writes the facts of `events` (already applied to `s`); returns the
  // memory-relative paths that changed. Never throws.
  std::vector<std::string> observe(const state::State& s,
                                   const std::vector<state::Event>& events) noexcept;
  // Brings the memory of `s` up to date from the state alone (catch-up); returns the paths
  // that changed. Never throws.
  std::vector<std::string> sync(const state::State& s) noexcept;

  // <repo>/memory when the run's repo is a git work tree; nullopt otherwise.
  static std::optional<std::filesystem::path> memory_root(const state::State& s);

 private:
  std::vector<std::string> write(const state::State& s, const std::vector<state::Event>* events);

  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mu_;                  // guards skipped_
  std::set<std::string> skipped_;  // runs already logged as having no memory
};

}  // namespace evo::memory
