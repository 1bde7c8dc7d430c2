// The memory writer: an incremental pass over each committed batch when it follows the
// cursor, a catch-up pass from the state when it does not. See memory_writer.h.
#include "memory/memory_writer.h"

#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>

#include "memory/facts.h"
#include "memory/files.h"
#include "memory/layout.h"

namespace evo::memory {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Cursor {
  std::string run_id;
  std::int64_t created_at_ms = 0;
  std::uint64_t seq = 0;
};

fs::path in_memory(const char* name) {
  return fs::path(kMemoryDir) / name;
}

std::optional<Cursor> read_cursor(const fs::path& repo) {
  const auto text = files::read(repo, in_memory(kCursorFile));
  if (!text) return std::nullopt;
  const auto j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto run = j.find("run_id");
  const auto created = j.find("created_at_ms");
  const auto seq = j.find("seq");
  if (run == j.end() || !run->is_string() || created == j.end() || !created->is_number_integer() ||
      seq == j.end() || !seq->is_number_unsigned()) {
    return std::nullopt;
  }
  return Cursor{run->get<std::string>(), created->get<std::int64_t>(), seq->get<std::uint64_t>()};
}

Status write_cursor(const fs::path& repo, const Cursor& c) {
  // A fixed-size record rewritten in place: cheaper than a rename on every commit, and a torn
  // write only makes the next pass catch up.
  std::string text =
      json{{"run_id", c.run_id}, {"created_at_ms", c.created_at_ms}, {"seq", c.seq}}.dump();
  if (text.size() < 255) text.resize(255, ' ');
  return files::overwrite(repo, in_memory(kCursorFile), text + "\n");
}

// True when run `s` started after the run that owns the memory now.
bool newer_than(const state::State& s, const Cursor& owner) {
  if (s.created_at_ms != owner.created_at_ms) return s.created_at_ms > owner.created_at_ms;
  return s.run_id > owner.run_id;
}

}  // namespace

MemoryWriter::MemoryWriter(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}

std::optional<fs::path> MemoryWriter::memory_root(const state::State& s) {
  if (s.config.repo_path.empty()) return std::nullopt;
  const fs::path repo(s.config.repo_path);
  if (!repo.is_absolute() || !files::is_work_tree(repo)) return std::nullopt;
  return repo / kMemoryDir;
}

std::vector<std::string> MemoryWriter::observe(const state::State& s,
                                               const std::vector<state::Event>& events) noexcept {
  auto prepared = prepare(s, events);
  auto paths = std::move(prepared.written);
  if (prepared.pending) {
    auto more = finish(*prepared.pending);
    paths.insert(paths.end(), more.begin(), more.end());
  }
  return paths;
}

std::vector<std::string> MemoryWriter::sync(const state::State& s) noexcept {
  try {
    return write(s, nullptr);
  } catch (const std::exception& e) {
    logger_->error("run {}: memory catch-up failed: {}", s.run_id, e.what());
  } catch (...) {
    logger_->error("run {}: memory catch-up failed (unknown error)", s.run_id);
  }
  return {};
}

std::optional<fs::path> MemoryWriter::root_of(const state::State& s) {
  {
    std::lock_guard lock(mu_);
    if (const auto it = roots_.find(s.run_id); it != roots_.end()) return it->second;
  }
  auto root = memory_root(s);
  std::lock_guard lock(mu_);
  roots_.emplace(s.run_id, root);
  return root;
}

void MemoryWriter::mark_behind(const std::string& run_id) {
  std::lock_guard lock(mu_);
  behind_.insert(run_id);
}

Prepared MemoryWriter::prepare(const state::State& s,
                               const std::vector<state::Event>& events) noexcept {
  try {
    if (s.run_id.empty()) return {};
    const auto root = root_of(s);
    bool behind = false;
    {
      std::lock_guard lock(mu_);
      behind = behind_.erase(s.run_id) > 0;
    }
    if (!root || behind || !deferrable(events) || events.size() > s.event_seq) {
      return {write(s, &events), std::nullopt};
    }
    PendingPass pass;
    pass.repo = root->parent_path();
    pass.run_id = s.run_id;
    pass.created_at_ms = s.created_at_ms;
    pass.from_seq = s.event_seq - events.size();
    pass.to_seq = s.event_seq;
    Layout layout(s, pass.repo, *logger_);
    layout.record_into(&pass.writes);
    layout.apply(events);
    return {{}, std::move(pass)};
  } catch (const std::exception& e) {
    logger_->error("run {}: memory files not written: {}", s.run_id, e.what());
  } catch (...) {
    logger_->error("run {}: memory files not written (unknown error)", s.run_id);
  }
  mark_behind(s.run_id);
  return {};
}

std::vector<std::string> MemoryWriter::finish(const PendingPass& pass) noexcept {
  try {
    files::Lock lock(pass.repo, in_memory(kLockFile));
    if (!lock.held()) {
      logger_->warn("run {}: memory files not written: {}", pass.run_id, lock.problem());
      mark_behind(pass.run_id);
      return {};
    }
    const auto cursor = read_cursor(pass.repo);
    if (cursor && cursor->run_id == pass.run_id && cursor->seq >= pass.to_seq) {
      return {};  // another process (or a catch-up) wrote these facts already
    }
    if (!cursor || cursor->run_id != pass.run_id || cursor->seq != pass.from_seq) {
      // Not where these writes follow on: the next prepare() works it out from the state.
      mark_behind(pass.run_id);
      return {};
    }
    std::set<std::string> touched;
    for (const auto& w : pass.writes) {
      const fs::path at = fs::path(kMemoryDir) / w.rel;
      Status wrote;
      if (w.only_if_absent) {
        if (files::exists(pass.repo, at)) continue;  // the ReflectAgent may have added notes
        wrote = files::write_atomic(pass.repo, at, w.text);
      } else {
        wrote = files::append(pass.repo, at, w.text);
      }
      if (!wrote.ok()) {
        logger_->warn("run {}: memory: {}", pass.run_id, wrote.error().message);
        mark_behind(pass.run_id);
        return {touched.begin(), touched.end()};
      }
      touched.insert(w.rel);
    }
    auto ok = write_cursor(pass.repo, {pass.run_id, pass.created_at_ms, pass.to_seq});
    if (!ok.ok()) logger_->warn("run {}: {}", pass.run_id, ok.error().message);
    return {touched.begin(), touched.end()};
  } catch (const std::exception& e) {
    logger_->error("run {}: memory files not written: {}", pass.run_id, e.what());
  } catch (...) {
    logger_->error("run {}: memory files not written (unknown error)", pass.run_id);
  }
  mark_behind(pass.run_id);
  return {};
}

std::vector<std::string> MemoryWriter::write(const state::State& s,
                                             const std::vector<state::Event>* events) {
  if (s.run_id.empty()) return {};
  const auto root = root_of(s);
  if (!root) {
    std::lock_guard lock(mu_);
    if (skipped_.insert(s.run_id).second) {
      logger_->info("run {}: no memory files: '{}' is not a git work tree", s.run_id,
                    s.config.repo_path);
    }
    return {};
  }
  const fs::path repo = root->parent_path();
  std::vector<std::string> touched;
  {
    files::Lock lock(repo, in_memory(kLockFile));
    if (!lock.held()) {
      logger_->warn("run {}: memory files not written: {}", s.run_id, lock.problem());
      return {};
    }
    const auto cursor = read_cursor(repo);
    Layout layout(s, repo, *logger_);
    if (!cursor || cursor->run_id != s.run_id) {
      if (cursor && !newer_than(s, *cursor)) {
        logger_->debug("run {}: memory of {} belongs to the newer run {}", s.run_id,
                       s.config.repo_path, cursor->run_id);
        return {};
      }
      // Without a cursor the files cannot be told apart from this run's own: no marker then.
      if (cursor) layout.archive_run(cursor->run_id);
      layout.rebuild(cursor.has_value());
    } else if (cursor->seq >= s.event_seq) {
      return {};  // another process (or an earlier pass) already wrote these facts
    } else if (events != nullptr && cursor->seq + events->size() == s.event_seq) {
      layout.apply(*events);
    } else {
      logger_->info("run {}: memory files catch up from event {} to {}", s.run_id, cursor->seq,
                    s.event_seq);
      layout.rebuild(false);
    }
    if (layout.ok()) {
      auto ok = write_cursor(repo, {s.run_id, s.created_at_ms, s.event_seq});
      if (!ok.ok()) logger_->warn("run {}: {}", s.run_id, ok.error().message);
    }
    touched = layout.touched();
  }
  return touched;
}

}  // namespace evo::memory
