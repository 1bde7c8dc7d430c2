// Small file-system helpers for the memory writer: whole-file reads, appends in one write(),
// atomic replacement (temp file + rename), an advisory lock, and git's info/exclude. None of
// them throws; failures come back as Status with the path and errno text.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace evo::memory::files {

namespace fs = std::filesystem;

// The whole file; nullopt when it does not exist or cannot be read.
std::optional<std::string> read(const fs::path& path);
bool exists(const fs::path& path);
// Appends `text` with one write() on an O_APPEND descriptor (creating the file and its parent
// directories), so two writers never interleave inside a line.
Status append(const fs::path& path, std::string_view text);
// Writes `text` to a temp file beside `path`, then renames it over `path`.
Status write_atomic(const fs::path& path, std::string_view text);
// Overwrites the first bytes of `path` in place (a fixed-size record), creating it.
Status overwrite(const fs::path& path, std::string_view text);
// Renames `from` to `to` (creating to's parent); ok when `from` does not exist.
Status move(const fs::path& from, const fs::path& to);

// An exclusive flock() on `path` (created if needed), released by the destructor.
class Lock {
 public:
  explicit Lock(const fs::path& path);
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// True when `repo` is a git work tree (it has a .git directory or a .git file).
bool is_work_tree(const fs::path& repo);
// The git dir whose info/exclude applies to `repo` (the common dir of a linked worktree).
std::optional<fs::path> exclude_file(const fs::path& repo);
// Appends `pattern` to info/exclude unless a line already equals it. Returns whether it wrote.
Result<bool> ensure_excluded(const fs::path& repo, const std::string& pattern);

}  // namespace evo::memory::files
