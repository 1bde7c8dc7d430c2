// Small file-system helpers for the memory writer: whole-file reads, whole-line-or-nothing
// appends, atomic replacement (temp file + rename), an advisory lock, and git's info/exclude.
// None of them throws; failures come back as Status with the path and errno text.
//
// Confinement: the memory files live in a repository the user cloned, so a committed symlink
// must never make the server write (or read) outside it. Every helper that takes a `base`
// and a `rel` opens `base` (the repository, which the user chose) as a directory, then walks
// each component of `rel` with openat(O_NOFOLLOW): a symlink anywhere under `base` is
// refused with an error naming it, missing directories are created with mkdirat, and `rel`
// may not contain "." or ".." components or be absolute.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace evo::memory::files {

namespace fs = std::filesystem;

// The whole file `base`/`rel`; nullopt when it does not exist, cannot be read, or a
// component of `rel` is a symlink.
std::optional<std::string> read(const fs::path& base, const fs::path& rel);
// True when `base`/`rel` exists (a symlink counts: it is there, and writing it is refused).
bool exists(const fs::path& base, const fs::path& rel);
// Appends `text` with one write() on an O_APPEND descriptor (creating the file and its parent
// directories). Whole-or-nothing: on a short or failed write the file is truncated back to
// its size before the call, so a full disk never leaves a torn line.
Status append(const fs::path& base, const fs::path& rel, std::string_view text);
// Writes `text` to a temp file beside `rel`, then renames it over `rel`.
Status write_atomic(const fs::path& base, const fs::path& rel, std::string_view text);
// Overwrites the first bytes of `rel` in place (a fixed-size record), creating it.
Status overwrite(const fs::path& base, const fs::path& rel, std::string_view text);
// Cuts `rel` to `size` bytes (repairing a torn last line).
Status truncate(const fs::path& base, const fs::path& rel, std::uint64_t size);
// Renames `from` to `to` (both under `base`; creating to's parent); ok when `from` does not
// exist.
Status move(const fs::path& base, const fs::path& from, const fs::path& to);
// Creates the directory `rel` and its parents.
Status make_dirs(const fs::path& base, const fs::path& rel);
// The names in directory `rel` that are directories themselves (not symlinks), sorted.
std::vector<std::string> subdirs(const fs::path& base, const fs::path& rel);

// Outside the confinement: a plain path (git's own files, the server's resources). The last
// component is still opened with O_NOFOLLOW.
std::optional<std::string> read(const fs::path& path);
bool exists(const fs::path& path);

// An exclusive flock() on `base`/`rel` (created if needed), released by the destructor.
class Lock {
 public:
  Lock(const fs::path& base, const fs::path& rel);
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  bool held() const { return fd_ >= 0; }
  // Why it is not held (empty when it is).
  const std::string& problem() const { return problem_; }

 private:
  int fd_ = -1;
  std::string problem_;
};

// True when `repo` is a git work tree (it has a .git directory or a .git file).
bool is_work_tree(const fs::path& repo);
// The git dir whose info/exclude applies to `repo` (the common dir of a linked worktree).
std::optional<fs::path> exclude_file(const fs::path& repo);
// Appends `pattern` to info/exclude unless a line already equals it. Returns whether it wrote.
Result<bool> ensure_excluded(const fs::path& repo, const std::string& pattern);

}  // namespace evo::memory::files
