// File helpers for the memory writer (POSIX descriptors for append, flock and pwrite).
#include "server/memory/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace evo::memory::files {
namespace {

Error io_error(const std::string& what, const fs::path& path, int err) {
  return make_error(ErrorCode::kStorage, what + " " + path.string() + ": " + std::strerror(err));
}

Status make_parent(const fs::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec)
    return make_error(ErrorCode::kStorage,
                      "cannot create " + path.parent_path().string() + ": " + ec.message());
  return {};
}

Status write_all(int fd, std::string_view text, const fs::path& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

std::string trim_line(std::string line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

std::optional<std::string> read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return ss.str();
}

bool exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

Status append(const fs::path& path, std::string_view text) {
  EVO_TRY(make_parent(path));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open", path, errno);
  auto ok = write_all(fd, text, path);
  ::close(fd);
  return ok;
}

Status write_atomic(const fs::path& path, std::string_view text) {
  EVO_TRY(make_parent(path));
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", tmp, errno);
  auto ok = write_all(fd, text, tmp);
  ::close(fd);
  if (ok.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    ok = io_error("cannot rename", tmp, errno);
  if (!ok.ok()) ::unlink(tmp.c_str());
  return ok;
}

Status overwrite(const fs::path& path, std::string_view text) {
  EVO_TRY(make_parent(path));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open", path, errno);
  std::size_t done = 0;
  Status ok;
  while (done < text.size()) {
    const auto n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = io_error("cannot write", path, errno);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return ok;
}

Status move(const fs::path& from, const fs::path& to) {
  if (!files::exists(from)) return {};
  EVO_TRY(make_parent(to));
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    return make_error(ErrorCode::kStorage,
                      "cannot move " + from.string() + " to " + to.string() + ": " + ec.message());
  return {};
}

Lock::Lock(const fs::path& path) {
  if (!make_parent(path).ok()) return;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    ::close(fd_);
    fd_ = -1;
    return;
  }
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
    auto text = read(dot_git);
    if (!text) return std::nullopt;
    const std::string prefix = "gitdir:";
    if (text->compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::string dir = trim_line(text->substr(prefix.size(), text->find('\n') - prefix.size()));
    while (!dir.empty() && dir.front() == ' ') dir.erase(0, 1);
    git_dir = fs::path(dir).is_absolute() ? fs::path(dir) : repo / dir;
  }
  // A linked worktree keeps info/ in the common dir.
  if (auto common = read(git_dir / "commondir")) {
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
  const auto text = read(*file).value_or("");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (trim_line(line) == pattern) return false;
  }
  std::string add = (text.empty() || text.back() == '\n') ? "" : "\n";
  add += "# evo-engine memory files (never part of an evolved branch)\n" + pattern + "\n";
  auto ok = append(*file, add);
  if (!ok.ok()) return ok.error();
  return true;
}

}  // namespace evo::memory::files
