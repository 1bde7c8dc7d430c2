// Child processes for the demo: spawning with pipes (posix_spawn), running a command to
// completion with a deadline, and reaping with escalation (wait, then SIGTERM, then SIGKILL).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace evo::demo {

using Millis = std::chrono::milliseconds;

// How a spawned child's standard streams are wired.
struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::string cwd;                // empty: inherit
  bool pipe_stdin = false;        // else /dev/null
  std::string stderr_path;        // append stderr to this file; empty: a pipe
};

// A running child and the parent's ends of its pipes (-1 when not piped). Moving transfers
// ownership; the destructor closes the descriptors but never waits (call reap()).
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  ~Child();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return stdin_fd_; }
  int stdout_fd() const { return stdout_fd_; }
  int stderr_fd() const { return stderr_fd_; }
  void close_stdin();

  // Waits up to `grace` for the child to exit, then sends SIGTERM and waits `grace` again,
  // then SIGKILL. Returns the exit code (128 + signal when killed by one); idempotent.
  int reap(Millis grace);
  // The exit code if the child has already exited (reaps it), else nullopt.
  std::optional<int> poll_exit();

 private:
  friend Result<Child> spawn(const SpawnSpec& spec);
  void close_all();

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::optional<int> exit_code_;
};

Result<Child> spawn(const SpawnSpec& spec);

struct ProcessResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv in cwd with stdin from /dev/null and both outputs captured; kills it at the
// deadline (timed_out, exit_code 128 + SIGKILL). An error only when it cannot be started.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, const std::string& cwd,
                                  Millis timeout);

// This executable's absolute path (/proc/self/exe).
Result<std::string> self_executable();

}  // namespace evo::demo
