// evo::subprocess with real children: what each Output mode does with a stream, deadlines and
// the SIGTERM/SIGKILL escalation, foreground runs, and the PATH lookup.
#include "subprocess/subprocess.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using namespace evo::subprocess;

namespace {

// A fresh directory under TMPDIR, removed with the object.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "evo-subprocess-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads a pipe to its end.
std::string drain(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Runs `body` with this process's stderr sent to `file` for the duration, so what a child
// writes to "the parent's stderr" can be read back.
template <typename F>
std::string with_stderr_in(const fs::path& file, F&& body) {
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  REQUIRE(saved >= 0);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  body();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  return read_file(file);
}

}  // namespace

TEST_SUITE("subprocess.run_process") {
  TEST_CASE("captures both streams and the exit code") {
    auto r = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 4"}, "/", Millis(5000));
    REQUIRE(r.ok());
    CHECK(r->out == "out\n");
    CHECK(r->err == "err\n");
    CHECK(r->exit_code == 4);
    CHECK_FALSE(r->timed_out);
  }

  TEST_CASE("runs in the given directory") {
    TempDir dir;
    auto r = run_process({"/bin/sh", "-c", "pwd -P"}, dir.path.string(), Millis(5000));
    REQUIRE(r.ok());
    CHECK(r->out == fs::canonical(dir.path).string() + "\n");
  }

  TEST_CASE("kills at the deadline") {
    auto r = run_process({"/bin/sh", "-c", "exec sleep 30"}, "", Millis(200));
    REQUIRE(r.ok());
    CHECK(r->timed_out);
    CHECK(r->exit_code == 128 + SIGKILL);
  }

  TEST_CASE("a missing program is an error that names it") {
    auto r = run_process({"/nonexistent/program"}, "", Millis(1000));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("/nonexistent/program") != std::string::npos);
  }

  TEST_CASE("an empty argv is refused") {
    CHECK_FALSE(run_process({}, "", Millis(1000)).ok());
  }
}

TEST_SUITE("subprocess.spawn") {
  TEST_CASE("stdin pipes through; closing it is the child's EOF") {
    SpawnSpec spec;
    spec.argv = {"/bin/cat"};
    spec.pipe_stdin = true;
    auto child = spawn(spec);
    REQUIRE(child.ok());
    const std::string text = "line one\nline two\n";
    REQUIRE(::write(child->stdin_fd(), text.data(), text.size()) ==
            static_cast<ssize_t>(text.size()));
    child->close_stdin();
    CHECK(drain(child->stdout_fd()) == text);
    CHECK(child->wait() == 0);
  }

  TEST_CASE("kDiscard opens no pipe and drops the stream") {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "echo dropped; echo kept >&2"};
    spec.stdout_to = Output::kDiscard;
    auto child = spawn(spec);
    REQUIRE(child.ok());
    CHECK(child->stdout_fd() == -1);
    CHECK(drain(child->stderr_fd()) == "kept\n");
    CHECK(child->wait() == 0);
  }

  TEST_CASE("stderr_path appends the child's stderr to a file") {
    TempDir dir;
    const auto log = dir.path / "child.log";
    { std::ofstream(log) << "before\n"; }
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "echo appended >&2"};
    spec.stderr_path = log.string();
    auto child = spawn(spec);
    REQUIRE(child.ok());
    CHECK(child->stderr_fd() == -1);
    CHECK(child->wait() == 0);
    CHECK(read_file(log) == "before\nappended\n");
  }

  TEST_CASE("reap escalates to SIGTERM for a child that does not exit") {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "exec sleep 30"};
    auto child = spawn(spec);
    REQUIRE(child.ok());
    CHECK_FALSE(child->poll_exit().has_value());
    CHECK(child->reap(Millis(50)) == 128 + SIGTERM);
    CHECK(child->reap(Millis(50)) == 128 + SIGTERM);  // idempotent
  }

  TEST_CASE("reap escalates to SIGKILL when SIGTERM is ignored") {
    SpawnSpec spec;
    spec.argv = {"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"};
    auto child = spawn(spec);
    REQUIRE(child.ok());
    char c = 0;
    REQUIRE(::read(child->stdout_fd(), &c, 1) == 1);  // the trap is set
    CHECK(child->reap(Millis(100)) == 128 + SIGKILL);
  }
}

TEST_SUITE("subprocess.run_foreground") {
  TEST_CASE("sends both streams to the parent's stderr and returns the exit code") {
    TempDir dir;
    evo::Result<int> rc = evo::make_error(evo::ErrorCode::kInternal, "not run");
    const std::string seen = with_stderr_in(dir.path / "stderr", [&] {
      rc = run_foreground({"/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 3"}, "", false);
    });
    REQUIRE(rc.ok());
    CHECK(*rc == 3);
    CHECK(seen.find("to-out\n") != std::string::npos);
    CHECK(seen.find("to-err\n") != std::string::npos);
  }

  TEST_CASE("quiet discards both streams") {
    TempDir dir;
    evo::Result<int> rc = evo::make_error(evo::ErrorCode::kInternal, "not run");
    const std::string seen = with_stderr_in(dir.path / "stderr", [&] {
      rc = run_foreground({"/bin/sh", "-c", "echo to-out; echo to-err >&2"}, "", true);
    });
    REQUIRE(rc.ok());
    CHECK(*rc == 0);
    CHECK(seen.empty());
  }

  TEST_CASE("waits however long the program takes") {
    auto rc = run_foreground({"/bin/sh", "-c", "sleep 0.3; exit 7"}, "", true);
    REQUIRE(rc.ok());
    CHECK(*rc == 7);
  }
}

TEST_SUITE("subprocess.find_on_path") {
  TEST_CASE("finds an executable on PATH and skips one that is not executable") {
    TempDir dir;
    const auto first = dir.path / "a";
    const auto second = dir.path / "b";
    fs::create_directories(first);
    fs::create_directories(second);
    { std::ofstream(first / "evo-tool") << "#!/bin/sh\n"; }  // not executable
    { std::ofstream(second / "evo-tool") << "#!/bin/sh\n"; }
    fs::permissions(second / "evo-tool", fs::perms::owner_all);
    const char* old = std::getenv("PATH");
    const std::string saved = old ? old : "";
    ::setenv("PATH", (first.string() + "::" + second.string()).c_str(), 1);
    const auto found = find_on_path("evo-tool");
    const auto missing = find_on_path("evo-no-such-tool");
    ::setenv("PATH", saved.c_str(), 1);
    REQUIRE(found.has_value());
    CHECK(*found == second / "evo-tool");
    CHECK_FALSE(missing.has_value());
  }
}

TEST_SUITE("subprocess.self_executable") {
  TEST_CASE("is this test binary") {
    auto self = self_executable();
    REQUIRE(self.ok());
    CHECK(fs::path(*self).filename() == "subprocess_tests");
  }
}
