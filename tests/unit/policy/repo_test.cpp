// Tests for the libgit2 edge against real throwaway repositories built with the git CLI (the
// CLI is used here only, to build fixtures independently of the code under test).
#include "git/repo.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace evo::git {
namespace {

namespace fs = std::filesystem;
using policy::FileChange;
using policy::FileStatus;

// A fresh repository under a mkdtemp() directory, removed on destruction.
class TempRepo {
 public:
  TempRepo() {
    std::string tmpl = (fs::temp_directory_path() / "evo-policy-git-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    git("init -q -b main");
  }
  ~TempRepo() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  const std::string& dir() const { return dir_; }

  // Runs git in the repo, isolated from the user's and system's configuration.
  void git(const std::string& args) const {
    const std::string cmd = command(args) + " >/dev/null 2>&1";
    INFO(cmd);
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  std::string git_out(const std::string& args) const {
    const std::string cmd = command(args);
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 256> buf{};
    while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) out += buf.data();
    REQUIRE(pclose(pipe) == 0);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  void write(const std::string& path, const std::string& content) const {
    const fs::path p = fs::path(dir_) / path;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
  }
  std::string commit_all(const std::string& message) const {
    git("add -A");
    git("commit -q --allow-empty -m '" + message + "'");
    return head();
  }
  std::string head() const { return git_out("rev-parse HEAD"); }
  void checkout_new(const std::string& branch, const std::string& from) const {
    git("checkout -q -b " + branch + " " + from);
  }

 private:
  std::string command(const std::string& args) const {
    return "GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git -C '" + dir_ +
           "' -c user.name=evo -c user.email=evo@example.com -c commit.gpgsign=false "
           "-c core.fileMode=true " +
           args;
  }
  std::string dir_;
};

// The value of a Result, failing the test (instead of dereferencing an error) when absent.
template <typename T>
T value_of(Result<T> r) {
  if (!r.ok()) FAIL(r.error().message);
  return std::move(r).value();
}

std::string numbered_lines(int from, int to, const std::string& prefix = "line") {
  std::string out;
  for (int i = from; i <= to; ++i) out += prefix + " " + std::to_string(i) + "\n";
  return out;
}

// A repository with a base commit on main that every scenario branches from.
struct Fixture {
  TempRepo t;
  std::string base;

  Fixture() {
    t.write("src/model.py", "def compute(x):\n    return x * 2\n\n" + numbered_lines(1, 20));
    t.write("tests/test_model.py", "def test_compute():\n    assert True\n");
    t.write("run.sh", "#!/bin/sh\necho run\n");
    t.write("README.md", "readme\n");
    base = t.commit_all("base");
  }

  Repo open() const {
    auto repo = Repo::open(t.dir());
    REQUIRE(repo.ok());
    return std::move(repo).value();
  }

  policy::DiffFacts diff_to(const Repo& repo, const std::string& tip,
                            std::size_t max_bytes = policy::kDefaultMaxDiffBytes) const {
    auto facts = repo.diff(base, tip, max_bytes);
    if (!facts.ok()) FAIL(facts.error().message);
    return std::move(facts).value();
  }
};

}  // namespace

TEST_SUITE("policy.git.diff") {
  TEST_CASE("a modification counts lines and carries the hunk") {
    Fixture fx;
    fx.t.checkout_new("mod", fx.base);
    fx.t.write("src/model.py", "def compute(x):\n    return x * 3 + 1\n\n" + numbered_lines(1, 20));
    const std::string tip = fx.t.commit_all("mod");
    const Repo repo = fx.open();
    const auto facts = fx.diff_to(repo, tip);
    CHECK(facts.parent_commit == fx.base);
    CHECK(facts.commit == tip);
    REQUIRE(facts.files.size() == 1);
    const FileChange& f = facts.files[0];
    CHECK(f.status == FileStatus::kModified);
    CHECK(f.old_path == "src/model.py");
    CHECK(f.new_path == "src/model.py");
    CHECK(f.old_mode == policy::kModeFile);
    CHECK(f.new_mode == policy::kModeFile);
    CHECK_FALSE(f.binary);
    CHECK(f.lines_added == 1);
    CHECK(f.lines_removed == 1);
    CHECK(f.added_lines == std::vector<std::string>{"    return x * 3 + 1"});
    CHECK(f.removed_lines == std::vector<std::string>{"    return x * 2"});
    CHECK_FALSE(f.lines_truncated);
    CHECK(facts.diff_text.rfind("diff --git a/src/model.py b/src/model.py\n", 0) == 0);
    CHECK(facts.diff_text.find("@@ -1,5 +1,5 @@") != std::string::npos);
    CHECK(facts.diff_text.find("\n-    return x * 2\n+    return x * 3 + 1\n") !=
          std::string::npos);
    CHECK_FALSE(facts.diff_truncated);
  }

  TEST_CASE("a rename reports both paths") {
    Fixture fx;
    fx.t.checkout_new("ren", fx.base);
    fx.t.git("mv src/model.py src/core.py");
    const auto facts = fx.diff_to(fx.open(), fx.t.commit_all("rename"));
    REQUIRE(facts.files.size() == 1);
    CHECK(facts.files[0].status == FileStatus::kRenamed);
    CHECK(facts.files[0].old_path == "src/model.py");
    CHECK(facts.files[0].new_path == "src/core.py");
    CHECK(facts.files[0].lines_added == 0);
    CHECK(facts.changed_paths() == std::vector<std::string>{"src/core.py", "src/model.py"});
  }

  TEST_CASE("a deleted test file") {
    Fixture fx;
    fx.t.checkout_new("del", fx.base);
    fx.t.git("rm -q tests/test_model.py");
    const auto facts = fx.diff_to(fx.open(), fx.t.commit_all("delete test"));
    REQUIRE(facts.files.size() == 1);
    const FileChange& f = facts.files[0];
    CHECK(f.status == FileStatus::kDeleted);
    CHECK(f.old_path == "tests/test_model.py");
    CHECK(f.new_path == "tests/test_model.py");
    CHECK(f.old_mode == policy::kModeFile);
    CHECK(f.new_mode == policy::kModeNone);
    CHECK(f.lines_removed == 2);
    CHECK(f.removed_lines.front() == "def test_compute():");
  }

  TEST_CASE("an added symlink and a file that became a symlink") {
    Fixture fx;
    fx.t.checkout_new("sym", fx.base);
    REQUIRE(symlink("model.py", (fs::path(fx.t.dir()) / "src/link").c_str()) == 0);
    fs::remove(fs::path(fx.t.dir()) / "README.md");
    REQUIRE(symlink("run.sh", (fs::path(fx.t.dir()) / "README.md").c_str()) == 0);
    const auto facts = fx.diff_to(fx.open(), fx.t.commit_all("symlinks"));
    REQUIRE(facts.files.size() == 2);
    // Ordered by new_path.
    CHECK(facts.files[0].new_path == "README.md");
    CHECK(facts.files[0].status == FileStatus::kTypeChange);
    CHECK(facts.files[0].old_mode == policy::kModeFile);
    CHECK(facts.files[0].new_mode == policy::kModeSymlink);
    CHECK(facts.files[0].is_symlink());
    CHECK(facts.files[1].new_path == "src/link");
    CHECK(facts.files[1].status == FileStatus::kAdded);
    CHECK(facts.files[1].new_mode == policy::kModeSymlink);
    CHECK(facts.files[1].added_lines == std::vector<std::string>{"model.py"});
  }

  TEST_CASE("a file mode change") {
    Fixture fx;
    fx.t.checkout_new("mode", fx.base);
    fs::permissions(fs::path(fx.t.dir()) / "run.sh", fs::perms::owner_exec, fs::perm_options::add);
    const auto facts = fx.diff_to(fx.open(), fx.t.commit_all("chmod"));
    REQUIRE(facts.files.size() == 1);
    CHECK(facts.files[0].status == FileStatus::kModified);
    CHECK(facts.files[0].old_mode == policy::kModeFile);
    CHECK(facts.files[0].new_mode == policy::kModeExecutable);
    CHECK(facts.files[0].lines_added == 0);
    CHECK(facts.files[0].lines_removed == 0);
    CHECK(facts.diff_text.find("new mode 100755") != std::string::npos);
  }

  TEST_CASE("a gitlink (submodule) entry keeps its mode") {
    Fixture fx;
    fx.t.checkout_new("sub", fx.base);
    fx.t.git("update-index --add --cacheinfo 160000," + fx.base + ",vendor/sub");
    fx.t.git("commit -q -m gitlink");
    const auto facts = fx.diff_to(fx.open(), fx.t.head());
    REQUIRE(facts.files.size() == 1);
    CHECK(facts.files[0].new_path == "vendor/sub");
    CHECK(facts.files[0].status == FileStatus::kAdded);
    CHECK(facts.files[0].new_mode == policy::kModeGitlink);
    CHECK(facts.files[0].is_submodule());
  }

  TEST_CASE("a binary file is flagged binary with no lines") {
    Fixture fx;
    fx.t.checkout_new("bin", fx.base);
    fx.t.write("data/blob.bin", std::string("\x00\x01\x02\xff\x00zz", 7));
    const auto facts = fx.diff_to(fx.open(), fx.t.commit_all("binary"));
    REQUIRE(facts.files.size() == 1);
    CHECK(facts.files[0].binary);
    CHECK(facts.files[0].added_lines.empty());
    CHECK(facts.diff_text.find("Binary files") != std::string::npos);
  }

  TEST_CASE("an empty commit has no files") {
    Fixture fx;
    fx.t.checkout_new("empty", fx.base);
    const auto facts = fx.diff_to(fx.open(), fx.t.commit_all("nothing"));
    CHECK(facts.files.empty());
    CHECK(facts.diff_text.empty());
    CHECK_FALSE(facts.diff_truncated);
  }

  TEST_CASE("diff text is cut at a line boundary within max_diff_bytes") {
    Fixture fx;
    fx.t.checkout_new("big", fx.base);
    fx.t.write("src/model.py", numbered_lines(1, 300, "changed"));
    const std::string tip = fx.t.commit_all("big");
    const Repo repo = fx.open();
    const auto full = fx.diff_to(repo, tip);
    const auto cut = fx.diff_to(repo, tip, 200);
    CHECK_FALSE(full.diff_truncated);
    CHECK(full.diff_text.size() > 1000);
    CHECK(cut.diff_truncated);
    CHECK(cut.diff_text.size() <= 200);
    CHECK(cut.diff_text.size() > 100);
    CHECK(cut.diff_text.back() == '\n');
    CHECK(full.diff_text.rfind(cut.diff_text, 0) == 0);  // a prefix of the full text
    // Line facts are not affected by the text budget.
    CHECK(cut.files[0].lines_added == 300);
    CHECK(cut.files[0].added_lines.size() == 300);
  }

  TEST_CASE("line capture stops at kMaxLinesPerFile but counts stay exact") {
    Fixture fx;
    fx.t.checkout_new("huge", fx.base);
    const int n = static_cast<int>(policy::kMaxLinesPerFile) + 10;
    fx.t.write("src/huge.py", numbered_lines(1, n));
    const auto facts = fx.diff_to(fx.open(), fx.t.commit_all("huge"));
    REQUIRE(facts.files.size() == 1);
    CHECK(facts.files[0].lines_added == n);
    CHECK(facts.files[0].added_lines.size() == policy::kMaxLinesPerFile);
    CHECK(facts.files[0].added_lines.back() == "line 5000");
    CHECK(facts.files[0].lines_truncated);
  }

  TEST_CASE("diff refuses unknown or malformed commits") {
    Fixture fx;
    const Repo repo = fx.open();
    auto missing = repo.diff(fx.base, std::string(40, 'e'));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::kNotFound);
    auto bad = repo.diff(fx.base, "main~1");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::kInvalidArgument);
  }
}

TEST_SUITE("policy.git.content") {
  TEST_CASE("code_hash depends only on in-scope content") {
    Fixture fx;
    fx.t.checkout_new("a", fx.base);
    fx.t.write("src/model.py", "def compute(x):\n    return x + 1\n");
    fx.t.write("README.md", "branch a\n");
    const std::string a = fx.t.commit_all("a");
    fx.t.checkout_new("b", fx.base);
    fx.t.write("src/model.py", "def compute(x):\n    return x + 1\n");
    fx.t.write("README.md", "branch b differs\n");
    const std::string b = fx.t.commit_all("b");
    fx.t.checkout_new("c", fx.base);
    fx.t.write("src/model.py", "def compute(x):\n    return x + 2\n");
    const std::string c = fx.t.commit_all("c");

    const Repo repo = fx.open();
    auto ha = repo.code_hash(a, {"src/model.py", "src/absent.py"});
    auto hb = repo.code_hash(b, {"src/absent.py", "src/model.py"});
    auto hc = repo.code_hash(c, {"src/model.py", "src/absent.py"});
    REQUIRE(ha.ok());
    REQUIRE(hb.ok());
    REQUIRE(hc.ok());
    CHECK(ha->size() == 40);
    CHECK(*ha == *hb);
    CHECK(*ha != *hc);
    auto with_readme_a = repo.code_hash(a, {"src/model.py", "README.md"});
    auto with_readme_b = repo.code_hash(b, {"src/model.py", "README.md"});
    REQUIRE(with_readme_a.ok());
    REQUIRE(with_readme_b.ok());
    CHECK(*with_readme_a != *with_readme_b);
    // A missing path is part of the hash, not ignored.
    auto only_model = repo.code_hash(a, {"src/model.py"});
    REQUIRE(only_model.ok());
    CHECK(*only_model != *ha);

    auto bad = repo.code_hash(a, {"../etc/passwd"});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::kInvalidArgument);
  }

  TEST_CASE("read_blob returns file content at a commit") {
    Fixture fx;
    const Repo repo = fx.open();
    auto text = repo.read_blob(fx.base, "tests/test_model.py");
    REQUIRE(text.ok());
    CHECK(*text == "def test_compute():\n    assert True\n");
    auto by_branch = repo.read_blob("main", "run.sh");
    REQUIRE(by_branch.ok());
    CHECK(*by_branch == "#!/bin/sh\necho run\n");

    auto missing = repo.read_blob(fx.base, "src/nope.py");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::kNotFound);
    auto dir = repo.read_blob(fx.base, "src");
    REQUIRE_FALSE(dir.ok());
    CHECK(dir.error().code == ErrorCode::kNotFound);
    for (const char* bad : {"../x", "/etc/passwd", ".git/config", "a//b", ""}) {
      CAPTURE(bad);
      auto r = repo.read_blob(fx.base, bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::kInvalidArgument);
    }
  }
}

TEST_SUITE("policy.git.refs") {
  TEST_CASE("open refuses what is not a repository") {
    TempRepo t;
    auto ok = Repo::open(t.dir());
    CHECK(ok.ok());
    fs::create_directories(fs::path(t.dir()) / "sub");
    // No upward discovery: a subdirectory of a work tree is not a repository.
    auto sub = Repo::open((fs::path(t.dir()) / "sub").string());
    CHECK_FALSE(sub.ok());
    auto none = Repo::open((fs::path(t.dir()) / "missing").string());
    CHECK_FALSE(none.ok());
    auto unborn = ok->head_commit();
    REQUIRE_FALSE(unborn.ok());
    CHECK(unborn.error().code == ErrorCode::kNotFound);
    auto empty = Repo::open("");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().code == ErrorCode::kInvalidArgument);
  }

  TEST_CASE("branch_commit and resolve_commit") {
    Fixture fx;
    fx.t.checkout_new("feature/x", fx.base);
    const std::string tip = fx.t.commit_all("tip");
    fx.t.git("tag light " + fx.base);
    fx.t.git("tag -a -m annotated annot " + tip);
    const Repo repo = fx.open();

    // feature/x is checked out, then a detached HEAD at base.
    CHECK(value_of(repo.head_commit()) == tip);
    fx.t.git("checkout -q --detach " + fx.base);
    CHECK(value_of(repo.head_commit()) == fx.base);

    auto main_tip = repo.branch_commit("main");
    REQUIRE(main_tip.ok());
    CHECK(*main_tip == fx.base);
    auto feature = repo.branch_commit("feature/x");
    REQUIRE(feature.ok());
    CHECK(*feature == tip);
    auto absent = repo.branch_commit("nope");
    REQUIRE_FALSE(absent.ok());
    CHECK(absent.error().code == ErrorCode::kNotFound);
    auto invalid = repo.branch_commit("a..b");
    REQUIRE_FALSE(invalid.ok());
    CHECK(invalid.error().code == ErrorCode::kInvalidArgument);

    struct Row {
      std::string rev;
      std::string expected;
    };
    const std::vector<Row> rows = {
        {tip, tip},        {tip.substr(0, 7), tip}, {"feature/x", tip},
        {"main", fx.base}, {"light", fx.base},      {"annot", tip},
    };
    for (const Row& row : rows) {
      CAPTURE(row.rev);
      auto r = repo.resolve_commit(row.rev);
      REQUIRE(r.ok());
      CHECK(*r == row.expected);
    }
    for (const char* bad :
         {"main..x", "-x", "HEAD@{1}", "main^", "main~1", "a b", ":/msg", "main@{upstream}", ""}) {
      CAPTURE(bad);
      auto r = repo.resolve_commit(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::kInvalidArgument);
    }
    auto unknown = repo.resolve_commit("no-such-branch");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == ErrorCode::kNotFound);
    auto unknown_id = repo.resolve_commit(std::string(40, '0'));
    REQUIRE_FALSE(unknown_id.ok());
    CHECK(unknown_id.error().code == ErrorCode::kNotFound);
  }

  TEST_CASE("is_valid_branch_ref") {
    CHECK(is_valid_branch_ref("evo/run1/variant-3"));
    CHECK_FALSE(is_valid_branch_ref("-x"));
    CHECK_FALSE(is_valid_branch_ref("a..b"));
    CHECK_FALSE(is_valid_branch_ref("x.lock"));
    CHECK_FALSE(is_valid_branch_ref("a b"));
  }

  TEST_CASE("set_tag, set_ref, ref_commit and delete_branch round trips") {
    Fixture fx;
    fx.t.checkout_new("v1", fx.base);
    const std::string tip = fx.t.commit_all("v1");
    fx.t.git("checkout -q main");
    Repo repo = fx.open();

    REQUIRE(repo.set_tag("best", tip).ok());
    auto tag = repo.ref_commit("refs/tags/best");
    REQUIRE(tag.ok());
    CHECK(*tag == tip);
    CHECK(fx.t.git_out("rev-parse refs/tags/best") == tip);
    REQUIRE(repo.set_tag("best", fx.base).ok());  // replaces
    CHECK(value_of(repo.ref_commit("refs/tags/best")) == fx.base);
    CHECK_FALSE(repo.set_tag("bad..tag", tip).ok());

    REQUIRE(repo.set_ref("refs/evo/archive/run1/v1", tip, "archive\nv1").ok());
    CHECK(value_of(repo.ref_commit("refs/evo/archive/run1/v1")) == tip);
    CHECK(fx.t.git_out("rev-parse refs/evo/archive/run1/v1") == tip);
    for (const char* bad : {"heads/x", "refs/../x", "refs/x..y", "refs/x.lock", "refs/"}) {
      CAPTURE(bad);
      auto st = repo.set_ref(bad, tip, "x");
      REQUIRE_FALSE(st.ok());
      CHECK(st.error().code == ErrorCode::kInvalidArgument);
    }
    auto absent = repo.ref_commit("refs/evo/none");
    REQUIRE_FALSE(absent.ok());
    CHECK(absent.error().code == ErrorCode::kNotFound);

    REQUIRE(repo.delete_branch("v1").ok());
    CHECK(repo.branch_commit("v1").error().code == ErrorCode::kNotFound);
    CHECK(repo.delete_branch("v1").ok());  // already absent is fine
    CHECK(fx.t.git_out("branch --list v1").empty());
    // The checked-out branch is refused rather than pulled from under the work tree.
    auto head = repo.delete_branch("main");
    REQUIRE_FALSE(head.ok());
    CHECK(head.error().code == ErrorCode::kGit);
    CHECK(value_of(repo.branch_commit("main")) == fx.base);
    // The archived ref keeps the commit reachable after the branch is gone.
    CHECK(value_of(repo.ref_commit("refs/evo/archive/run1/v1")) == tip);

    // A moved-from Repo's state lives on in the target.
    Repo moved = std::move(repo);
    CHECK(value_of(moved.branch_commit("main")) == fx.base);
  }

  TEST_CASE("is_ancestor") {
    Fixture fx;
    fx.t.checkout_new("child", fx.base);
    const std::string child = fx.t.commit_all("child");
    fx.t.checkout_new("other", fx.base);
    const std::string other = fx.t.commit_all("other");
    const Repo repo = fx.open();
    CHECK(value_of(repo.is_ancestor(fx.base, child)) == true);
    CHECK(value_of(repo.is_ancestor(child, fx.base)) == false);
    CHECK(value_of(repo.is_ancestor(child, child)) == true);
    CHECK(value_of(repo.is_ancestor(child, other)) == false);
    CHECK(value_of(repo.is_ancestor("main", "child")) == true);
    auto bad = repo.is_ancestor("main..child", "child");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::kInvalidArgument);
  }
}

}  // namespace evo::git
