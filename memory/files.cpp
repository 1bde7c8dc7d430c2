// File helpers for the memory writer: POSIX descriptors, openat() walks that refuse symlinks,
// appends that are whole-line-or-nothing, flock and pwrite. See files.h.
#include "memory/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/strings.h"

namespace evo::memory::files {
namespace {

// A descriptor closed when it leaves scope.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

Error io_error(const std::string& what, const fs::path& path, int err) {
  return make_error(ErrorCode::kStorage, what + " " + path.string() + ": " + errno_text(err));
}

Error symlink_error(const fs::path& path) {
  return make_error(ErrorCode::kStorage,
                    "refusing to follow the symlink " + path.string() +
                        ": memory files are only written inside the repository");
}

// The error for a failed open of `name` in `dir`: a symlink is named as such (O_NOFOLLOW gives
// ELOOP for a final symlink; a symlinked directory gives ELOOP or ENOTDIR).
Error open_error(int dir, const std::string& name, const fs::path& shown, int err) {
  struct stat st {};
  if ((err == ELOOP || err == ENOTDIR || err == EEXIST) &&
      ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    return symlink_error(shown);
  }
  return io_error("cannot open", shown, err);
}

// The components of `rel`; an error for an absolute path or a "."/".." component.
Result<std::vector<std::string>> components(const fs::path& rel) {
  if (rel.empty() || rel.is_absolute()) {
    return make_error(ErrorCode::kStorage,
                      "memory path '" + rel.string() + "' must be relative and not empty");
  }
  std::vector<std::string> out;
  for (const auto& part : rel) {
    const std::string p = part.string();
    if (p.empty()) continue;  // a trailing separator
    if (p == "." || p == "..") {
      return make_error(ErrorCode::kStorage,
                        "memory path '" + rel.string() + "' may not contain '.' or '..'");
    }
    out.push_back(p);
  }
  if (out.empty()) {
    return make_error(ErrorCode::kStorage, "memory path '" + rel.string() + "' is empty");
  }
  return out;
}

// `base` as a directory, then each of `parts` in turn with O_NOFOLLOW (created when `create`).
Result<Fd> open_dirs(const fs::path& base, const std::vector<std::string>& parts, std::size_t count,
                     bool create) {
  Fd dir(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return io_error("cannot open", base, errno);
  fs::path shown = base;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& name = parts[i];
    shown /= name;
    int fd = ::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(dir.get(), name.c_str(), 0755) != 0 && errno != EEXIST) {
        return io_error("cannot create", shown, errno);
      }
      fd = ::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) return open_error(dir.get(), name, shown, errno);
    dir = Fd(fd);
  }
  return dir;
}

// The directory holding `rel` (created when `create`) and the last component's name.
struct Parent {
  Fd dir;
  std::string leaf;
  fs::path shown;
};
Result<Parent> open_parent(const fs::path& base, const fs::path& rel, bool create) {
  EVO_ASSIGN_OR_RETURN(auto parts, components(rel));
  EVO_ASSIGN_OR_RETURN(Fd dir, open_dirs(base, parts, parts.size() - 1, create));
  return Parent{std::move(dir), parts.back(), base / rel};
}

// Opens the file `rel` under `base` with `flags` | O_NOFOLLOW, refusing anything but a
// regular file.
Result<Fd> open_file(const fs::path& base, const fs::path& rel, int flags, bool create_dirs,
                     fs::path* shown = nullptr) {
  EVO_ASSIGN_OR_RETURN(auto parent, open_parent(base, rel, create_dirs));
  if (shown != nullptr) *shown = parent.shown;
  Fd fd(::openat(parent.dir.get(), parent.leaf.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) return open_error(parent.dir.get(), parent.leaf, parent.shown, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot stat", parent.shown, errno);
  if (!S_ISREG(st.st_mode)) {
    return make_error(ErrorCode::kStorage, parent.shown.string() + " is not a regular file");
  }
  return fd;
}

Status write_all(int fd, std::string_view text, const fs::path& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    if (n == 0) return io_error("cannot write", path, EIO);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// Appends `text` to the open file `fd` whole or not at all: a short write (a full disk) is
// continued, and any failure truncates the file back to its size before the call.
Status append_whole(int fd, std::string_view text, const fs::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error("cannot stat", path, errno);
  auto ok = write_all(fd, text, path);
  if (!ok.ok() && ::ftruncate(fd, st.st_size) != 0) {
    return make_error(ErrorCode::kStorage, ok.error().message + " (and cannot truncate it back: " +
                                               errno_text(errno) + ")");
  }
  return ok;
}

std::optional<std::string> read_fd(int fd) {
  std::string out;
  char buf[65536];
  while (true) {
    const auto n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// A plain path read that follows links: git's own files (.git, commondir) only.
std::optional<std::string> read_git_file(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  return read_fd(fd.get());
}

std::string trim_line(std::string line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

std::optional<std::string> read(const fs::path& base, const fs::path& rel) {
  auto fd = open_file(base, rel, O_RDONLY, false);
  if (!fd) return std::nullopt;
  return read_fd(fd->get());
}

bool exists(const fs::path& base, const fs::path& rel) {
  auto parent = open_parent(base, rel, false);
  if (!parent) return false;
  struct stat st {};
  return ::fstatat(parent->dir.get(), parent->leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

Status append(const fs::path& base, const fs::path& rel, std::string_view text) {
  fs::path shown;
  EVO_ASSIGN_OR_RETURN(auto fd, open_file(base, rel, O_WRONLY | O_CREAT | O_APPEND, true, &shown));
  return append_whole(fd.get(), text, shown);
}

Status write_atomic(const fs::path& base, const fs::path& rel, std::string_view text) {
  EVO_ASSIGN_OR_RETURN(auto parent, open_parent(base, rel, true));
  const std::string tmp = parent.leaf + ".tmp-" + std::to_string(::getpid());
  const fs::path shown_tmp = parent.shown.parent_path() / tmp;
  const int dir = parent.dir.get();
  Fd fd(::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) return open_error(dir, tmp, shown_tmp, errno);
  auto ok = write_all(fd.get(), text, shown_tmp);
  fd = Fd();
  // renameat replaces a symlink at `rel` itself; it never writes through it.
  if (ok.ok() && ::renameat(dir, tmp.c_str(), dir, parent.leaf.c_str()) != 0) {
    ok = io_error("cannot rename", shown_tmp, errno);
  }
  if (!ok.ok()) ::unlinkat(dir, tmp.c_str(), 0);
  return ok;
}

Status overwrite(const fs::path& base, const fs::path& rel, std::string_view text) {
  fs::path shown;
  EVO_ASSIGN_OR_RETURN(auto fd, open_file(base, rel, O_WRONLY | O_CREAT, true, &shown));
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n =
        ::pwrite(fd.get(), text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", shown, errno);
    }
    if (n == 0) return io_error("cannot write", shown, EIO);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status truncate(const fs::path& base, const fs::path& rel, std::uint64_t size) {
  fs::path shown;
  EVO_ASSIGN_OR_RETURN(auto fd, open_file(base, rel, O_WRONLY, false, &shown));
  if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return io_error("cannot truncate", shown, errno);
  }
  return {};
}

Status move(const fs::path& base, const fs::path& from, const fs::path& to) {
  auto src = open_parent(base, from, false);
  if (!src) {
    // A missing directory on the way: nothing to move. A symlink is an error.
    return src.error().message.find("refusing") != std::string::npos ? Status(src.error())
                                                                     : Status();
  }
  struct stat st {};
  if (::fstatat(src->dir.get(), src->leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
  EVO_ASSIGN_OR_RETURN(auto dst, open_parent(base, to, true));
  if (::renameat(src->dir.get(), src->leaf.c_str(), dst.dir.get(), dst.leaf.c_str()) != 0) {
    return make_error(ErrorCode::kStorage, "cannot move " + src->shown.string() + " to " +
                                               dst.shown.string() + ": " + errno_text(errno));
  }
  return {};
}

Status make_dirs(const fs::path& base, const fs::path& rel) {
  EVO_ASSIGN_OR_RETURN(auto parts, components(rel));
  EVO_TRY(open_dirs(base, parts, parts.size(), true));
  return {};
}

std::vector<std::string> subdirs(const fs::path& base, const fs::path& rel) {
  std::vector<std::string> out;
  auto parts = components(rel);
  if (!parts) return out;
  auto dir = open_dirs(base, *parts, parts->size(), false);
  if (!dir) return out;
  DIR* d = ::fdopendir(dir->get());
  if (d == nullptr) return out;
  dir->release();  // closedir closes it
  // readdir is unsafe only on a DIR* shared between threads; `d` is this call's own.
  while (const dirent* e = ::readdir(d)) {  // NOLINT(concurrency-mt-unsafe)
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      out.push_back(name);
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> read(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  return read_fd(fd.get());
}

bool exists(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

Lock::Lock(const fs::path& base, const fs::path& rel) {
  auto fd = open_file(base, rel, O_RDWR | O_CREAT, true);
  if (!fd) {
    problem_ = fd.error().message;
    return;
  }
  while (::flock(fd->get(), LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    problem_ = std::string("cannot lock: ") + errno_text(errno);
    return;
  }
  fd_ = fd->release();
}

Lock::~Lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

bool is_work_tree(const fs::path& repo) {
  std::error_code ec;
  return fs::is_directory(repo, ec) && fs::exists(repo / ".git", ec);
}

std::optional<fs::path> exclude_file(const fs::path& repo) {
  std::error_code ec;
  const fs::path dot_git = repo / ".git";
  fs::path git_dir;
  if (fs::is_directory(dot_git, ec)) {
    git_dir = dot_git;
  } else {
    auto text = read_git_file(dot_git);
    if (!text) return std::nullopt;
    const std::string prefix = "gitdir:";
    if (text->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::string dir = trim_line(text->substr(prefix.size(), text->find('\n') - prefix.size()));
    while (!dir.empty() && dir.front() == ' ') dir.erase(0, 1);
    git_dir = fs::path(dir).is_absolute() ? fs::path(dir) : repo / dir;
  }
  // A linked worktree keeps info/ in the common dir.
  if (auto common = read_git_file(git_dir / "commondir")) {
    const std::string c = trim_line(common->substr(0, common->find('\n')));
    if (!c.empty()) git_dir = fs::path(c).is_absolute() ? fs::path(c) : git_dir / c;
  }
  return git_dir / "info" / "exclude";
}

Result<bool> ensure_excluded(const fs::path& repo, const std::string& pattern) {
  const auto file = exclude_file(repo);
  if (!file) {
    return make_error(ErrorCode::kGit, "cannot find the git dir of " + repo.string());
  }
  const auto text = read_git_file(*file).value_or("");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (trim_line(line) == pattern) return false;
  }
  std::string add = (text.empty() || text.back() == '\n') ? "" : "\n";
  add += "# evo-engine memory files (never part of an evolved branch)\n" + pattern + "\n";
  // info/ lives in git's own directory (never in a clone's content): `info` is created
  // relative to the git dir, and the exclude file itself is not followed.
  EVO_TRY(append(file->parent_path().parent_path(), fs::path("info") / "exclude", add));
  return true;
}

}  // namespace evo::memory::files
