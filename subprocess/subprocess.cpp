// Child processes. See subprocess.h.
#include "subprocess/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/strings.h"

extern char** environ;

namespace evo::subprocess {
namespace {

using Clock = std::chrono::steady_clock;

Error sys_error(const std::string& what, int err) {
  return make_error(ErrorCode::kInternal, what + ": " + errno_text(err));
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Closes a spawn's descriptors on every path out of spawn().
struct FdGuard {
  std::vector<int*> fds;
  ~FdGuard() {
    for (int* fd : fds) close_fd(*fd);
  }
};

}  // namespace

Child::Child(Child&& other) noexcept {
  *this = std::move(other);
}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    close_all();
    pid_ = other.pid_;
    stdin_fd_ = other.stdin_fd_;
    stdout_fd_ = other.stdout_fd_;
    stderr_fd_ = other.stderr_fd_;
    exit_code_ = other.exit_code_;
    other.pid_ = -1;
    other.stdin_fd_ = other.stdout_fd_ = other.stderr_fd_ = -1;
    other.exit_code_.reset();
  }
  return *this;
}

Child::~Child() {
  close_all();
}

void Child::close_all() {
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
}

void Child::close_stdin() {
  close_fd(stdin_fd_);
}

std::optional<int> Child::poll_exit() {
  if (exit_code_ || pid_ < 0) return exit_code_;
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    exit_code_ = decode_status(status);
  } else if (r < 0) {
    exit_code_ = -1;  // not our child any more (ECHILD): nothing left to reap
  }
  return exit_code_;
}

int Child::wait() {
  if (exit_code_ || pid_ < 0) return exit_code_.value_or(-1);
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  exit_code_ = r == pid_ ? decode_status(status) : -1;
  return *exit_code_;
}

int Child::reap(Millis grace) {
  if (pid_ < 0) return exit_code_.value_or(-1);
  auto wait_until = [&](Clock::time_point deadline) {
    while (!poll_exit()) {
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(Millis(5));
    }
    return true;
  };
  if (!wait_until(Clock::now() + grace)) {
    ::kill(pid_, SIGTERM);
    if (!wait_until(Clock::now() + grace)) {
      ::kill(pid_, SIGKILL);
      wait_until(Clock::now() + std::chrono::seconds(10));
    }
  }
  return exit_code_.value_or(-1);
}

Result<Child> spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return make_error(ErrorCode::kInvalidArgument, "spawn: empty argv");
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  FdGuard guard{{&in_pipe[0], &in_pipe[1], &out_pipe[0], &out_pipe[1], &err_pipe[0], &err_pipe[1]}};
  // O_CLOEXEC everywhere: the child gets only what dup2 hands it.
  const bool err_pipe_wanted = spec.stderr_path.empty() && spec.stderr_to == Output::kPipe;
  if (spec.pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0) return sys_error("pipe", errno);
  if (spec.stdout_to == Output::kPipe && ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return sys_error("pipe", errno);
  }
  if (err_pipe_wanted && ::pipe2(err_pipe, O_CLOEXEC) != 0) return sys_error("pipe", errno);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (spec.pipe_stdin) {
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  auto wire = [&actions](int fd, Output to, int pipe_end) {
    switch (to) {
      case Output::kPipe:
        posix_spawn_file_actions_adddup2(&actions, pipe_end, fd);
        break;
      case Output::kDiscard:
        posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0);
        break;
      case Output::kParentStderr:
        if (fd != STDERR_FILENO) posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, fd);
        break;
    }
  };
  wire(STDOUT_FILENO, spec.stdout_to, out_pipe[1]);
  if (spec.stderr_path.empty()) {
    wire(STDERR_FILENO, spec.stderr_to, err_pipe[1]);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, spec.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());

  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  // The demo ignores SIGPIPE (a dead server must give EPIPE); children get the default back,
  // since an ignored disposition would survive exec.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return sys_error("cannot start '" + spec.argv[0] + "'", rc);

  Child child;
  child.pid_ = pid;
  // Hand the parent's ends to the child object; the guard closes the child's ends.
  std::swap(child.stdin_fd_, in_pipe[1]);
  std::swap(child.stdout_fd_, out_pipe[0]);
  std::swap(child.stderr_fd_, err_pipe[0]);
  return child;
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const std::string& cwd,
                                  Millis timeout) {
  SpawnSpec spec;
  spec.argv = argv;
  spec.cwd = cwd;
  EVO_ASSIGN_OR_RETURN(Child child, spawn(spec));
  ProcessResult result;
  const auto deadline = Clock::now() + timeout;
  int fds[2] = {child.stdout_fd(), child.stderr_fd()};
  std::string* sinks[2] = {&result.out, &result.err};
  bool open[2] = {true, true};
  char buf[8192];
  while (open[0] || open[1]) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      ::kill(child.pid(), SIGKILL);
      break;
    }
    pollfd pfds[2];
    nfds_t n = 0;
    int which[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      if (!open[i]) continue;
      pfds[n] = pollfd{fds[i], POLLIN, 0};
      which[n++] = i;
    }
    const int ready = ::poll(pfds, n, static_cast<int>(left));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ::kill(child.pid(), SIGKILL);
      child.reap(Millis(1000));
      return sys_error("poll", errno);
    }
    for (nfds_t k = 0; k < n; ++k) {
      if (pfds[k].revents == 0) continue;
      const int i = which[k];
      const ssize_t got = ::read(fds[i], buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        open[i] = false;
      }
    }
  }
  result.exit_code = child.reap(Millis(2000));
  return result;
}

Result<int> run_foreground(const std::vector<std::string>& argv, const std::string& cwd,
                           bool quiet) {
  SpawnSpec spec;
  spec.argv = argv;
  spec.cwd = cwd;
  spec.stdout_to = quiet ? Output::kDiscard : Output::kParentStderr;
  spec.stderr_to = quiet ? Output::kDiscard : Output::kParentStderr;
  EVO_ASSIGN_OR_RETURN(Child spawned, spawn(spec));
  return spawned.wait();
}

std::optional<std::filesystem::path> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  const std::string dirs(path);
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = dirs.substr(start, end - start);
    if (!dir.empty()) {
      const auto candidate = std::filesystem::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

Result<std::string> self_executable() {
  std::string path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) return sys_error("readlink /proc/self/exe", errno);
  path.resize(static_cast<std::size_t>(n));
  return path;
}

}  // namespace evo::subprocess
