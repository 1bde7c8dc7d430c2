// memory/ checks for evo_init (lstat, and the git index through git/). See guard.h.
#include "memory/guard.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "core/strings.h"
#include "git/repo.h"
#include "memory/memory_writer.h"

namespace evo::memory {
namespace {

Error refused(const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "argument 'repo_path': " + what);
}

}  // namespace

Status check_memory_dir(const std::filesystem::path& repo) {
  const auto path = repo / kMemoryDir;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      return refused(path.string() +
                     " is a symlink: the server writes its memory files into memory/ and never "
                     "follows a link out of the repository; remove the link (or make memory/ a "
                     "real directory)");
    }
    if (!S_ISDIR(st.st_mode)) {
      return refused(path.string() +
                     " is not a directory: the server keeps its memory files there; move it "
                     "away");
    }
  } else if (errno != ENOENT) {
    return refused("cannot inspect " + path.string() + ": " + errno_text(errno));
  }
  auto opened = git::Repo::open(repo.string());
  if (!opened) return refused(opened.error().message);
  auto in_index = opened->tracks(kMemoryDir);
  if (!in_index) return refused(in_index.error().message);
  if (*in_index) {
    return refused(path.string() +
                   " is tracked by git: memory/ is the server's (it is excluded from every "
                   "evolved branch), so a committed one would decide what the server writes "
                   "into; `git rm -r --cached memory` and commit, or rename that folder");
  }
  return {};
}

}  // namespace evo::memory
