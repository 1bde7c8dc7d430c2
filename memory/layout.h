// One pass of the memory writer over <repo>/memory/ for one run: render the templates that are
// missing, append the facts of a batch of events (apply) or every fact the state holds that the
// files lack (rebuild). Internal to memory/; the caller holds the writer's file lock.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "memory/memory_writer.h"
#include "state/events.h"
#include "state/model.h"

namespace spdlog {
class logger;
}

namespace evo::memory {

// The heading a run adds to a shared file an earlier run created ("## Run <id>"), so a reader
// can tell whose lines follow.
std::string run_marker(const std::string& run_id);

// Whether apply() can record every write of `events` without touching the disk (run setup
// renders templates and reads files, so it is written at once instead).
bool deferrable(const std::vector<state::Event>& events);

class Layout {
 public:
  // `repo`: the run's repository; every file is written under <repo>/memory/ through
  // files.h's confined helpers (no symlink is followed below `repo`).
  Layout(const state::State& s, std::filesystem::path repo, spdlog::logger& log);

  // Appends the facts of `events` (already applied to the state). With record_into() set, the
  // writes of deferrable events are recorded there instead of made.
  void apply(const std::vector<state::Event>& events);
  void record_into(std::vector<PendingWrite>* pending) { pending_ = pending; }
  // Writes every missing template and fact, skipping what is already there. `takeover`: the
  // run writes here for the first time, so shared files it did not create get its marker.
  void rebuild(bool takeover);
  // Moves the per-run files of the previous owner (results.tsv, short_term/) to
  // archive/<run>/ before another run takes the memory over.
  void archive_run(const std::string& previous_run);

  bool ok() const { return ok_; }
  std::vector<std::string> touched() const { return {touched_.begin(), touched_.end()}; }

 private:
  void check(const Status& status);
  // `rel` (relative to memory/) relative to the repository.
  static std::filesystem::path in_memory(const std::filesystem::path& rel);
  // An embedded template's text; a missing one (a build bug) is logged as an error and fails
  // the pass, rather than rendering an empty file.
  std::optional<std::string> embedded(const std::string& path);
  void append(const std::string& rel, const std::string& text);
  std::optional<std::string> read(const std::string& rel) const;
  bool exists(const std::string& rel) const;

  void ensure_exclude();
  void ensure_global();
  void ensure_synergy(bool mark);
  void ensure_results();
  // Cuts a torn last row of results.tsv (no final newline) back to the last whole row.
  void repair_results();
  void ensure_target(const state::Target& t, bool mark);
  void ensure_marker(const std::string& rel);
  void inherit(const state::Target& t);
  void write_generation(const state::Target& t, int generation,
                        const std::vector<const state::Individual*>& items);
  void failure(const state::Individual& ind, const std::string& line);
  // The lines of `rel`: a fact is written only when its exact line is not there yet.
  std::set<std::string> lines(const std::string& rel) const;

  const state::State& s_;
  std::filesystem::path base_;
  spdlog::logger& log_;
  bool ok_ = true;
  std::set<std::string> touched_;
  std::vector<PendingWrite>* pending_ = nullptr;
};

}  // namespace evo::memory
