// Names and small queries on DiffFacts; the facts themselves are produced by git/.
#include "policy/diff_facts.h"

#include <algorithm>

namespace evo::policy {

const char* to_string(FileStatus s) {
  switch (s) {
    case FileStatus::kAdded:
      return "added";
    case FileStatus::kDeleted:
      return "deleted";
    case FileStatus::kModified:
      return "modified";
    case FileStatus::kRenamed:
      return "renamed";
    case FileStatus::kCopied:
      return "copied";
    case FileStatus::kTypeChange:
      return "typechange";
  }
  return "unknown";
}

std::vector<std::string> DiffFacts::changed_paths() const {
  std::vector<std::string> out;
  out.reserve(files.size());
  for (const FileChange& f : files) {
    out.push_back(f.new_path);
    if (f.status == FileStatus::kRenamed && !f.old_path.empty() && f.old_path != f.new_path) {
      out.push_back(f.old_path);
    }
  }
  // Sorted and unique so callers can compare and store the list without caring about order.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace evo::policy
