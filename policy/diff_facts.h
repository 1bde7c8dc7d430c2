// What the git edge learns about a variant's change, as plain data. Produced by
// git/ (libgit2) and consumed by the pure rules in policy/rules.h and by the state
// machine. Nothing here touches git.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evo::policy {

enum class FileStatus { kAdded, kDeleted, kModified, kRenamed, kCopied, kTypeChange };
const char* to_string(FileStatus s);

// Git file modes (octal), as libgit2 reports them.
inline constexpr std::uint32_t kModeNone = 0;
inline constexpr std::uint32_t kModeFile = 0100644;
inline constexpr std::uint32_t kModeExecutable = 0100755;
inline constexpr std::uint32_t kModeSymlink = 0120000;
inline constexpr std::uint32_t kModeGitlink = 0160000;  // submodule

struct FileChange {
  std::string old_path;  // == new_path unless renamed/copied; empty for added files? no: see below
  std::string new_path;  // for a deleted file, new_path == old_path
  FileStatus status = FileStatus::kModified;
  std::uint32_t old_mode = kModeNone;
  std::uint32_t new_mode = kModeNone;
  bool binary = false;
  int lines_added = 0;
  int lines_removed = 0;
  // Text of added ('+') and removed ('-') lines, without the marker and without the newline.
  // Capped per file at kMaxLinesPerFile each; `lines_truncated` says when the cap hit.
  std::vector<std::string> added_lines;
  std::vector<std::string> removed_lines;
  bool lines_truncated = false;

  bool is_symlink() const { return old_mode == kModeSymlink || new_mode == kModeSymlink; }
  bool is_submodule() const { return old_mode == kModeGitlink || new_mode == kModeGitlink; }
};

inline constexpr std::size_t kMaxLinesPerFile = 5000;
// The unified diff text is cut at this many bytes (at a line boundary); see diff_truncated.
inline constexpr std::size_t kDefaultMaxDiffBytes = 64 * 1024;

struct DiffFacts {
  std::string parent_commit;      // full hex id
  std::string commit;             // full hex id of the branch tip that was diffed
  std::vector<FileChange> files;  // ordered by new_path
  std::string diff_text;          // unified diff ("diff --git a/.. b/..") possibly truncated
  bool diff_truncated = false;

  std::vector<std::string> changed_paths() const;  // new paths, plus old paths of renames
};

}  // namespace evo::policy
