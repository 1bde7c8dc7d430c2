// memory/ checks for evo_init (lstat, and the git index through libgit2). See guard.h.
#include "server/memory/guard.h"

#include <git2.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "server/memory/memory_writer.h"

namespace evo::memory {
namespace {

Error refused(const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "argument 'repo_path': " + what);
}

// Whether the index of `repo` has an entry at `memory` or below `memory/`.
Result<bool> tracked(const std::filesystem::path& repo) {
  static const int kInit = git_libgit2_init();
  (void)kInit;
  git_repository* raw = nullptr;
  if (git_repository_open(&raw, repo.c_str()) != 0) {
    const git_error* e = git_error_last();
    return make_error(ErrorCode::kGit, "cannot open " + repo.string() + ": " +
                                           (e != nullptr ? e->message : "unknown error"));
  }
  std::unique_ptr<git_repository, void (*)(git_repository*)> r(raw, git_repository_free);
  git_index* index_raw = nullptr;
  if (git_repository_index(&index_raw, r.get()) != 0) {
    const git_error* e = git_error_last();
    return make_error(ErrorCode::kGit, "cannot read the index of " + repo.string() + ": " +
                                           (e != nullptr ? e->message : "unknown error"));
  }
  std::unique_ptr<git_index, void (*)(git_index*)> index(index_raw, git_index_free);
  const std::string dir = kMemoryDir;
  if (git_index_get_bypath(index.get(), dir.c_str(), 0) != nullptr) return true;
  std::size_t pos = 0;
  return git_index_find_prefix(&pos, index.get(), (dir + "/").c_str()) == 0;
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
    return refused("cannot inspect " + path.string() + ": " + std::strerror(errno));
  }
  auto in_index = tracked(repo);
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
