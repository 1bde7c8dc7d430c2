// Child processes, without a shell (argv as given, so an argument needs no quoting): spawning
// with pipes (posix_spawn), running a command to completion with a deadline or in the
// foreground, and reaping with escalation (wait, then SIGTERM, then SIGKILL). Used by the demo
// (its server, workers and git), the installer (the `claude` CLI) and the benchmarks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace evo::subprocess {

using Millis = std::chrono::milliseconds;

// Where a child's stdout or stderr goes.
enum class Output {
  kPipe,          // a pipe the parent reads (Child::stdout_fd / stderr_fd)
  kDiscard,       // /dev/null
  kParentStderr,  // the parent's stderr (so the parent's stdout stays its own)
};

// How a spawned child's standard streams are wired.
struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::string cwd;                // empty: inherit
  bool pipe_stdin = false;        // else /dev/null
  Output stdout_to = Output::kPipe;
  Output stderr_to = Output::kPipe;
  std::string stderr_path;  // when set, stderr is appended to this file (stderr_to is ignored)
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
  // Blocks until the child exits, however long it takes; returns its exit code as reap() does.
  int wait();

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

// Runs argv in cwd in the foreground, stdin from /dev/null, its stdout and stderr both sent to
// the parent's stderr, or discarded when `quiet`; waits for it however long it takes. Returns
// its exit code (128 + signal when killed by one); an error only when it cannot be started.
Result<int> run_foreground(const std::vector<std::string>& argv, const std::string& cwd,
                           bool quiet);

// The executable `name` found on $PATH, if any.
std::optional<std::filesystem::path> find_on_path(const std::string& name);

// This executable's absolute path (/proc/self/exe).
Result<std::string> self_executable();

}  // namespace evo::subprocess
