// Table-driven tests for the pure policy rules: globbing, every hard rule and flag, scope
// semantics per operation, and the per-language function-definition heuristic.
#include "policy/rules.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

namespace evo::policy {
namespace {

FileChange modified(std::string path, std::vector<std::string> added = {},
                    std::vector<std::string> removed = {}) {
  FileChange f;
  f.old_path = path;
  f.new_path = std::move(path);
  f.status = FileStatus::kModified;
  f.old_mode = kModeFile;
  f.new_mode = kModeFile;
  f.lines_added = static_cast<int>(added.size());
  f.lines_removed = static_cast<int>(removed.size());
  f.added_lines = std::move(added);
  f.removed_lines = std::move(removed);
  return f;
}

FileChange added(std::string path, std::uint32_t mode = kModeFile) {
  FileChange f = modified(std::move(path), {"x = 1"});
  f.status = FileStatus::kAdded;
  f.old_mode = kModeNone;
  f.new_mode = mode;
  return f;
}

FileChange deleted(std::string path) {
  FileChange f = modified(std::move(path), {}, {"x = 1"});
  f.status = FileStatus::kDeleted;
  f.new_mode = kModeNone;
  return f;
}

FileChange renamed(std::string from, std::string to) {
  FileChange f = modified(std::move(to));
  f.old_path = std::move(from);
  f.status = FileStatus::kRenamed;
  return f;
}

DiffFacts facts_of(std::vector<FileChange> files) {
  DiffFacts d;
  d.parent_commit = std::string(40, 'a');
  d.commit = std::string(40, 'b');
  d.files = std::move(files);
  return d;
}

PolicyConfig default_config() {
  return PolicyConfig{default_protected_patterns(), default_test_patterns()};
}

Scope scope_of(Operation op, std::vector<std::string> files,
               std::vector<std::string> functions = {}) {
  return Scope{op, std::move(files), std::move(functions)};
}

using RulePath = std::pair<std::string, std::string>;

std::vector<RulePath> rule_paths(const std::vector<Finding>& findings) {
  std::vector<RulePath> out;
  for (const Finding& f : findings) out.emplace_back(f.rule, f.path);
  return out;
}

std::string show(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) out += "[" + f.rule + " " + f.path + ": " + f.detail + "] ";
  return out;
}

}  // namespace

TEST_SUITE("policy.glob") {
  TEST_CASE("glob_match table") {
    struct Row {
      const char* pattern;
      const char* text;
      bool expected;
    };
    const Row rows[] = {
        {"*.py", "a.py", true},
        {"*.py", "dir/a.py", false},  // '*' does not cross '/'
        {"*.py", ".py", true},
        {"a?c", "abc", true},
        {"a?c", "a/c", false},  // '?' does not match '/'
        {"a?c", "ac", false},
        {"**/x.py", "x.py", true},  // zero directories
        {"**/x.py", "a/b/x.py", true},
        {"tests/**", "tests/a/b/c.py", true},
        {"tests/**", "src/tests/a.py", false},
        {"**/tests/**", "src/tests/a.py", true},
        {"a/**/b", "a/b", true},
        {"a/**/b", "a/x/y/b", true},
        {"a/**/b", "a/x/y/c", false},
        {"src/**.rs", "src/a/b.rs", true},
        {"[abc].txt", "b.txt", true},
        {"[abc].txt", "d.txt", false},
        {"[!abc].txt", "d.txt", true},
        {"[^abc].txt", "a.txt", false},
        {"[a-c]x", "bx", true},
        {"[a-c]x", "dx", false},
        {"[]]x", "]x", true},
        {"a[/]b", "a/b", false},  // a class never matches '/'
        {"[abc", "[abc", true},   // unterminated class is literal
        {"\\*.py", "*.py", true},
        {"\\*.py", "a.py", false},
        {"a\\?", "a?", true},
        {"a\\?", "ab", false},
        {"benchmark*.py", "benchmark_fast.py", true},
        {"benchmark*.py", "my_benchmark.py", false},
        {"", "", true},
        {"", "a", false},
        {"*", "", true},
        {"*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false},
    };
    for (const Row& r : rows) {
      CAPTURE(r.pattern);
      CAPTURE(r.text);
      CHECK(glob_match(r.pattern, r.text) == r.expected);
    }
  }

  TEST_CASE("path_matches tries the full path and the basename") {
    CHECK(path_matches("benchmark*.py", "bench/benchmark_main.py"));
    CHECK(path_matches("*.sh", "scripts/deep/run.sh"));
    CHECK(path_matches("src/*.c", "src/a.c"));
    CHECK_FALSE(path_matches("src/*.c", "lib/src/a.c"));
    CHECK_FALSE(path_matches("eval*.py", "src/model.py"));
  }

  TEST_CASE("default test patterns recognise tests in each language") {
    const auto patterns = default_test_patterns();
    auto is_test = [&](const std::string& path) {
      for (const auto& p : patterns) {
        if (path_matches(p, path)) return true;
      }
      return false;
    };
    for (const char* path :
         {"test_model.py", "pkg/model_test.py", "tests/helpers.py", "pkg/tests/data/x.json",
          "conftest.py", "web/app.test.js", "web/app.spec.ts", "web/__tests__/app.tsx",
          "src/vec_test.cc", "src/vec_test.cpp", "test_vec.c", "src/vec_unittest.cc",
          "pkg/vec_test.go", "tests/integration.rs", "src/main/java/FooTest.java", "FooTests.java",
          "src/test/java/Foo.java"}) {
      CAPTURE(path);
      CHECK(is_test(path));
    }
    for (const char* path : {"src/model.py", "web/app.js", "src/vec.cc", "pkg/vec.go", "src/lib.rs",
                             "src/main/java/Foo.java", "contest.py"}) {
      CAPTURE(path);
      CHECK_FALSE(is_test(path));
    }
  }
}

TEST_SUITE("policy.evaluate") {
  TEST_CASE("one row per hard rule") {
    struct Row {
      const char* name;
      Scope scope;
      std::vector<FileChange> files;
      std::vector<RulePath> expected;
    };
    FileChange symlink = added("src/link", kModeSymlink);
    FileChange to_symlink = modified("src/model.py");
    to_symlink.status = FileStatus::kTypeChange;
    to_symlink.new_mode = kModeSymlink;
    FileChange gitlink = added("src/vendor", kModeGitlink);
    FileChange gitlink_bump = modified("src/vendor");
    gitlink_bump.old_mode = kModeGitlink;
    gitlink_bump.new_mode = kModeGitlink;
    const Scope mutate_model = scope_of(Operation::kMutate, {"src/model.py"});
    FileChange made_executable = modified("src/model.py");
    made_executable.new_mode = kModeExecutable;

    const std::vector<Row> rows = {
        {"protected new path",
         scope_of(Operation::kMutate, {"benchmark.py"}),
         {modified("benchmark.py")},
         {{"protected_path", "benchmark.py"}}},
        {"protected nested basename",
         scope_of(Operation::kMutate, {"tools/run.sh"}),
         {modified("tools/run.sh")},
         {{"protected_path", "tools/run.sh"}}},
        {"protected old path of a rename",
         scope_of(Operation::kMutate, {"eval_suite.py", "src/suite.py"}),
         {renamed("eval_suite.py", "src/suite.py")},
         {{"protected_path", "eval_suite.py"}}},
        {"out of scope modification",
         mutate_model,
         {modified("src/model.py"), modified("src/other.py")},
         {{"out_of_scope", "src/other.py"}}},
        {"out of scope new file for mutate",
         mutate_model,
         {modified("src/model.py"), added("src/helper.py")},
         {{"out_of_scope", "src/helper.py"}}},
        {"rename of the target leaves the scope",
         mutate_model,
         {renamed("src/model.py", "src/model2.py")},
         {{"out_of_scope", "src/model2.py"}}},
        {"test deleted",
         scope_of(Operation::kMutate, {"tests/test_model.py"}),
         {deleted("tests/test_model.py")},
         {{"test_removed", "tests/test_model.py"}}},
        {"test renamed away",
         scope_of(Operation::kMutate, {"test_model.py", "model_check.py"}),
         {renamed("test_model.py", "model_check.py")},
         {{"test_removed", "test_model.py"}}},
        {"symlink added",
         scope_of(Operation::kStructural, {"src/model.py"}),
         {modified("src/model.py"), symlink},
         {{"symlink", "src/link"}}},
        {"file became a symlink", mutate_model, {to_symlink}, {{"symlink", "src/model.py"}}},
        {"gitlink added",
         scope_of(Operation::kStructural, {"src/model.py"}),
         {gitlink},
         {{"submodule", "src/vendor"}}},
        {"gitlink bumped",
         scope_of(Operation::kMutate, {"src/vendor"}),
         {gitlink_bump},
         {{"submodule", "src/vendor"}}},
        {".gitmodules changed",
         scope_of(Operation::kMutate, {".gitmodules"}),
         {modified(".gitmodules")},
         {{"submodule", ".gitmodules"}}},
        {"nested .gitattributes added",
         scope_of(Operation::kStructural, {"src/model.py"}),
         {added("src/.gitattributes")},
         {{"submodule", "src/.gitattributes"}}},
        {"empty change", mutate_model, {}, {{"empty_change", ""}}},
        {"mode flipped to executable",
         mutate_model,
         {made_executable},
         {{"mode_change", "src/model.py"}}},
    };
    for (const Row& row : rows) {
      CAPTURE(row.name);
      const Verdict v = evaluate(facts_of(row.files), row.scope, default_config());
      CAPTURE(show(v.violations));
      CHECK(rule_paths(v.violations) == row.expected);
      CHECK(v.flags.empty());
      for (const Finding& f : v.violations) CHECK_FALSE(f.detail.empty());
    }
  }

  TEST_CASE("one row per flag and marker") {
    struct Row {
      const char* path;
      const char* line;
      const char* rule;  // nullptr: no flag expected
      const char* in_detail;
    };
    const Row rows[] = {
        {"tests/test_m.py", "@pytest.mark.skip(reason='slow')", "test_skip_marker",
         "pytest.mark.skip"},
        {"tests/test_m.py", "@pytest.mark.skipif(True, reason='x')", "test_skip_marker",
         "pytest.mark.skip"},
        {"tests/test_m.py", "    pytest.skip('later')", "test_skip_marker", "pytest.skip("},
        {"tests/test_m.py", "@unittest.skip('x')", "test_skip_marker", "unittest.skip"},
        {"tests/test_m.py", "@skip", "test_skip_marker", "@skip"},
        {"web/a.test.js", "it.skip('works', () => {})", "test_skip_marker", "it.skip"},
        {"web/a.test.js", "describe.skip('suite', () => {})", "test_skip_marker", "describe.skip"},
        {"web/a.test.js", "test.skip('x', () => {})", "test_skip_marker", "test.skip"},
        {"web/a.test.js", "  xit('works', () => {})", "test_skip_marker", "xit("},
        {"web/a.test.js", "xdescribe('suite', () => {})", "test_skip_marker", "xdescribe("},
        {"web/a.test.js", "it.only('works', () => {})", "test_skip_marker", ".only("},
        {"tests/it.rs", "#[ignore]", "test_skip_marker", "#[ignore"},
        {"pkg/a_test.go", "\tt.Skip(\"flaky\")", "test_skip_marker", "t.Skip("},
        {"src/a_test.cc", "  GTEST_SKIP() << \"no gpu\";", "test_skip_marker", "GTEST_SKIP"},
        {"src/a_test.cc", "TEST(Vec, DISABLED_Add) {", "test_skip_marker", "DISABLED_"},
        {"src/test/FooTest.java", "@Disabled", "test_skip_marker", "@Disabled"},
        {"src/test/FooTest.java", "@Ignore", "test_skip_marker", "@Ignore"},
        {"src/model.py", "x = os.environ['SEED']", "side_effect", "os.environ"},
        {"src/model.c", "char* s = getenv(\"N\");", "side_effect", "getenv("},
        {"src/model.js", "const n = process.env.N;", "side_effect", "process.env"},
        {"src/lib.rs", "let n = std::env::var(\"N\");", "side_effect", "std::env::var"},
        {"src/m.go", "n := os.Getenv(\"N\")", "side_effect", "os.Getenv"},
        {"src/M.java", "String n = System.getenv(\"N\");", "side_effect", "System.getenv"},
        {"src/model.py", "import socket", "side_effect", "socket"},
        {"src/model.py", "r = requests.get(url)", "side_effect", "requests."},
        {"src/model.py", "import urllib.request", "side_effect", "urllib"},
        {"src/model.py", "import http.client", "side_effect", "http.client"},
        {"src/model.js", "const r = await fetch(url);", "side_effect", "fetch("},
        {"src/m.go", "import \"net/http\"", "side_effect", "net/http"},
        {"src/model.c", "CURL* c = curl_easy_init();", "side_effect", "curl_"},
        {"src/lib.rs", "let r = reqwest::get(url);", "side_effect", "reqwest"},
        {"src/model.py", "data = open('answers.txt').read()", "side_effect", "open("},
        {"src/model.c", "FILE* f = fopen(\"x\", \"r\");", "side_effect", "fopen"},
        {"src/model.cc", "std::ifstream in(\"x\");", "side_effect", "ifstream"},
        {"src/model.cc", "std::ofstream out(\"x\");", "side_effect", "ofstream"},
        {"src/model.js", "fs.readFileSync('x')", "side_effect", "readFile"},
        {"src/lib.rs", "let s = std::fs::read_to_string(p);", "side_effect", "std::fs::"},
        {"src/m.go", "f, _ := os.Open(p)", "side_effect", "os.Open"},
        {"src/model.py", "t = Path('x').read_text()", "side_effect", "read_text("},
        {"src/model.py", "t0 = time.time()", "side_effect", "time.time"},
        {"src/model.py", "t0 = time.perf_counter()", "side_effect", "time.perf_counter"},
        {"src/model.py", "now = datetime.now()", "side_effect", "datetime.now"},
        {"src/model.c", "clock_gettime(CLOCK_MONOTONIC, &ts);", "side_effect", "clock_gettime"},
        {"src/model.cc", "auto t = std::chrono::steady_clock::now();", "side_effect",
         "_clock::now"},
        {"src/model.js", "const t = Date.now();", "side_effect", "Date.now"},
        {"src/model.js", "const t = performance.now();", "side_effect", "performance.now"},
        {"src/m.go", "start := time.Now()", "side_effect", "time.Now"},
        {"src/lib.rs", "let t = Instant::now();", "side_effect", "Instant::now"},
        {"src/M.java", "long t = System.nanoTime();", "side_effect", "System.nanoTime"},
        {"src/M.java", "long t = System.currentTimeMillis();", "side_effect",
         "System.currentTimeMillis"},
        // Near misses that must stay quiet.
        {"src/model.py", "model.fit(X, y)", nullptr, nullptr},
        {"src/model.py", "d = datetime.time(3)", nullptr, nullptr},
        {"src/model.py", "self.prefetch(3)", nullptr, nullptr},
        {"src/model.py", "s = 'curly braces'", nullptr, nullptr},
        {"src/model.py", "x = reopen_count + 1", nullptr, nullptr},
        {"src/model.py", "return a * b + c", nullptr, nullptr},
    };
    for (const Row& row : rows) {
      CAPTURE(row.path);
      CAPTURE(row.line);
      const Verdict v = evaluate(facts_of({modified(row.path, {row.line})}),
                                 scope_of(Operation::kMutate, {row.path}), default_config());
      CAPTURE(show(v.flags));
      CHECK(v.violations.empty());
      if (row.rule == nullptr) {
        CHECK(v.flags.empty());
        continue;
      }
      CHECK(v.flags.size() == 1);
      if (v.flags.size() != 1) continue;
      CHECK(v.flags[0].rule == row.rule);
      CHECK(v.flags[0].path == row.path);
      CHECK(v.flags[0].detail.find(row.in_detail) != std::string::npos);
    }
  }

  TEST_CASE("flags report each distinct marker once per file, ordered by path then rule") {
    FileChange a = modified(
        "src/b.py", {"t = time.time()", "u = time.time()", "import socket", "@pytest.mark.skip"});
    FileChange b = modified("src/a.py", {"v = os.environ['X']"});
    const Verdict v =
        evaluate(facts_of({a, b}), scope_of(Operation::kSynergy, {"src/a.py", "src/b.py"}),
                 default_config());
    CHECK(v.violations.empty());
    CHECK(rule_paths(v.flags) == std::vector<RulePath>{{"side_effect", "src/a.py"},
                                                       {"side_effect", "src/b.py"},
                                                       {"side_effect", "src/b.py"},
                                                       {"test_skip_marker", "src/b.py"}});
  }

  TEST_CASE("signature_changed flags a removed definition of a scope function") {
    struct Row {
      const char* path;
      const char* removed;
      bool flagged;
    };
    const Row rows[] = {
        {"src/model.py", "def compute_loss(x, y):", true},
        {"src/model.py", "    y = compute_loss(x, y)", false},
        {"src/model.py", "def compute_loss2(x):", false},
        {"src/model.cc", "double compute_loss(const Vec& v) {", true},
        {"src/model.cc", "  return compute_loss(v);", false},
        {"src/model.go", "func compute_loss(v []float64) float64 {", true},
    };
    for (const Row& row : rows) {
      CAPTURE(row.path);
      CAPTURE(row.removed);
      FileChange f = modified(row.path, {"def compute_loss(x, y, z):"}, {std::string(row.removed)});
      const Verdict v =
          evaluate(facts_of({f}), scope_of(Operation::kMutate, {row.path}, {"compute_loss"}),
                   default_config());
      CHECK(v.violations.empty());
      if (row.flagged) {
        CHECK(v.flags.size() == 1);
        if (v.flags.size() != 1) continue;
        CHECK(v.flags[0].rule == "signature_changed");
        CHECK(v.flags[0].path == row.path);
        CHECK(v.flags[0].detail.find("compute_loss") != std::string::npos);
      } else {
        CHECK(v.flags.empty());
      }
    }
  }

  TEST_CASE("clean variants pass with no findings") {
    FileChange body = modified("src/model.py", {"    return x * 2 + bias"}, {"    return x * 2"});
    const Verdict mutate =
        evaluate(facts_of({body}), scope_of(Operation::kMutate, {"src/model.py"}, {"compute_loss"}),
                 default_config());
    CHECK(mutate.clean());

    const Verdict crossover = evaluate(
        facts_of({body}), scope_of(Operation::kCrossover, {"src/model.py"}), default_config());
    CHECK(crossover.clean());
  }

  TEST_CASE("structural scope admits new files in the target's directory only") {
    const Scope scope = scope_of(Operation::kStructural, {"src/model.py"});
    const auto config = default_config();
    CHECK(
        evaluate(facts_of({modified("src/model.py"), added("src/model_helpers.py")}), scope, config)
            .clean());
    // A copy of the target next to it is a new file too.
    FileChange copy = added("src/model_v2.py");
    copy.status = FileStatus::kCopied;
    copy.old_path = "src/model.py";
    CHECK(evaluate(facts_of({copy}), scope, config).clean());
    // Renaming the target within its directory is allowed; moving it elsewhere is not.
    CHECK(
        evaluate(facts_of({renamed("src/model.py", "src/model_core.py")}), scope, config).clean());
    CHECK(rule_paths(evaluate(facts_of({renamed("src/model.py", "lib/model.py")}), scope, config)
                         .violations) == std::vector<RulePath>{{"out_of_scope", "lib/model.py"}});
    // New files elsewhere, and edits to existing siblings, stay out of scope.
    CHECK(rule_paths(evaluate(facts_of({added("lib/helpers.py"), added("src/sub/x.py"),
                                        modified("src/other.py")}),
                              scope, config)
                         .violations) == std::vector<RulePath>{{"out_of_scope", "lib/helpers.py"},
                                                               {"out_of_scope", "src/other.py"},
                                                               {"out_of_scope", "src/sub/x.py"}});
    // A new file at the root is in scope only when the target is at the root.
    CHECK(rule_paths(evaluate(facts_of({added("util.py")}), scope, config).violations) ==
          std::vector<RulePath>{{"out_of_scope", "util.py"}});
    CHECK(evaluate(facts_of({added("util.py")}), scope_of(Operation::kStructural, {"main.py"}),
                   config)
              .clean());
  }

  TEST_CASE("content_files: what the scope admits as new is hashed, nothing else") {
    const Scope structural = scope_of(Operation::kStructural, {"src/model.py"});
    FileChange copy = added("src/model_v2.py");
    copy.status = FileStatus::kCopied;
    copy.old_path = "src/model.py";
    FileChange deleted = modified("src/old.py");
    deleted.status = FileStatus::kDeleted;
    const auto facts = facts_of({modified("src/model.py"), added("src/helpers.py"), copy,
                                 renamed("src/a.py", "src/b.py"), added("lib/elsewhere.py"),
                                 added("src/sub/deeper.py"), modified("src/other.py"), deleted});
    CHECK(content_files(structural, facts) == std::vector<std::string>{"src/b.py", "src/helpers.py",
                                                                       "src/model.py",
                                                                       "src/model_v2.py"});
    // Other operations may add nothing, so only their scope files are hashed.
    CHECK(content_files(scope_of(Operation::kMutate, {"src/model.py"}), facts) ==
          std::vector<std::string>{"src/model.py"});
    CHECK(content_files(scope_of(Operation::kSynergy, {"src/model.py", "lib/b.py"}), facts) ==
          std::vector<std::string>{"lib/b.py", "src/model.py"});
    // A scope file that the diff re-adds is listed once.
    CHECK(content_files(structural, facts_of({added("src/model.py")})) ==
          std::vector<std::string>{"src/model.py"});
  }

  TEST_CASE("synergy scope is the union of the combined targets' files") {
    const Scope scope = scope_of(Operation::kSynergy, {"src/a.py", "lib/b.py"});
    const auto config = default_config();
    CHECK(evaluate(facts_of({modified("lib/b.py"), modified("src/a.py")}), scope, config).clean());
    CHECK(rule_paths(evaluate(facts_of({modified("src/a.py"), added("src/c.py")}), scope, config)
                         .violations) == std::vector<RulePath>{{"out_of_scope", "src/c.py"}});
  }

  TEST_CASE("empty scope admits nothing") {
    CHECK(rule_paths(evaluate(facts_of({modified("src/a.py")}), scope_of(Operation::kMutate, {}),
                              default_config())
                         .violations) == std::vector<RulePath>{{"out_of_scope", "src/a.py"}});
  }

  TEST_CASE("hard findings are one per rule and path, sorted by path then rule") {
    FileChange f = modified("run_eval.sh");
    f.old_mode = kModeSymlink;
    f.new_mode = kModeSymlink;
    const Verdict v = evaluate(facts_of({f, modified("a.py")}),
                               scope_of(Operation::kMutate, {"x.py"}), default_config());
    CHECK(rule_paths(v.violations) == std::vector<RulePath>{{"out_of_scope", "a.py"},
                                                            {"out_of_scope", "run_eval.sh"},
                                                            {"protected_path", "run_eval.sh"},
                                                            {"symlink", "run_eval.sh"}});
  }
}

TEST_SUITE("policy.defines_function") {
  TEST_CASE("defines_function table across languages") {
    struct Row {
      const char* path;
      const char* line;
      bool expected;
    };
    const Row rows[] = {
        // Python
        {"m.py", "def compute_loss(x, y):", true},
        {"m.py", "    def compute_loss(self, x):", true},
        {"m.py", "async def compute_loss(x):", true},
        {"m.py", "x = compute_loss(3)", false},
        {"m.py", "    return compute_loss(a)", false},
        {"m.py", "def compute_loss2(x):", false},
        {"m.py", "def my_compute_loss(x):", false},
        {"m.py", "# def compute_loss(x):", false},
        // C / C++
        {"m.c", "double compute_loss(const double* x, int n) {", true},
        {"m.c", "static inline double compute_loss(const double* x, int n)", true},
        {"m.h", "double compute_loss(const double* x, int n);", true},
        {"m.cc", "double Model::compute_loss(const Vec& v) const {", true},
        {"m.cpp", "template <typename T> T compute_loss(T a) {", true},
        {"m.hpp", "std::vector<std::vector<int>> compute_loss(int n) {", true},
        {"m.cc", "[[nodiscard]] int compute_loss(int n) noexcept {", true},
        {"m.cc", "compute_loss(int n)", true},  // GNU style: type on the previous line
        {"m.cc", "  compute_loss(a,", false},   // a call continued on the next line
        {"m.c", "  return compute_loss(a);", false},
        {"m.c", "  x = compute_loss(a);", false},
        {"m.c", "  compute_loss(a);", false},
        {"m.c", "  double y = compute_loss(a);", false},
        {"m.cc", "  if (compute_loss(a) > 0) {", false},
        {"m.cc", "  std::cout << compute_loss(a);", false},
        {"m.cc", "  model.compute_loss(a);", false},
        {"m.cc", "  model->compute_loss(a);", false},
        {"m.cc", "  Model::compute_loss(a);", false},
        {"m.c", "double compute_loss2(int n) {", false},
        // Java
        {"M.java", "public static double compute_loss(double[] xs) {", true},
        {"M.java", "@Override public int compute_loss(int x) {", true},
        {"M.java", "private <T> List<T> compute_loss(List<T> xs) {", true},
        {"M.java", "    return this.compute_loss(xs);", false},
        {"M.java", "    double d = compute_loss(xs);", false},
        // JS / TS
        {"m.js", "function compute_loss(a, b) {", true},
        {"m.js", "function* compute_loss(a) {", true},
        {"m.js", "export async function compute_loss(a) {", true},
        {"m.ts", "export const compute_loss = (a: number): number => a * 2;", true},
        {"m.js", "const compute_loss = async (a) => {", true},
        {"m.js", "compute_loss = function (a) {", true},
        {"m.mjs", "let compute_loss = a => a * 2;", true},
        {"m.ts", "  compute_loss(a: number): number {", true},
        {"m.ts", "  async compute_loss(a) {", true},
        {"m.tsx", "  static compute_loss<T>(a: T) {", true},
        {"m.jsx", "  compute_loss: function (a) {", true},
        {"m.js", "const x = compute_loss(3);", false},
        {"m.js", "compute_loss(3);", false},
        {"m.js", "  return await compute_loss(3);", false},
        {"m.js", "if (compute_loss(3)) {", false},
        {"m.js", "compute_loss = 5;", false},
        {"m.js", "function compute_loss2(a) {", false},
        // Go
        {"m.go", "func compute_loss(v []float64) float64 {", true},
        {"m.go", "func (m *Model) compute_loss(v []float64) float64 {", true},
        {"m.go", "func compute_loss[T any](v []T) T {", true},
        {"m.go", "\tx := compute_loss(v)", false},
        {"m.go", "func compute_loss_fast(v []float64) float64 {", false},
        // Rust
        {"m.rs", "fn compute_loss(v: &[f64]) -> f64 {", true},
        {"m.rs", "pub fn compute_loss<T>(v: &[T]) -> T {", true},
        {"m.rs", "pub(crate) async fn compute_loss(v: &[f64]) -> f64 {", true},
        {"m.rs", "pub const unsafe fn compute_loss(v: *const f64) -> f64 {", true},
        {"m.rs", "pub extern \"C\" fn compute_loss(v: *const f64) -> f64 {", true},
        {"m.rs", "    let x = compute_loss(&v);", false},
        {"m.rs", "fn compute_loss_fast(v: &[f64]) -> f64 {", false},
    };
    for (const Row& row : rows) {
      CAPTURE(row.path);
      CAPTURE(row.line);
      CHECK(defines_function(row.path, row.line, "compute_loss") == row.expected);
    }
  }

  TEST_CASE("constructors count when the name is the function") {
    CHECK(defines_function("m.cc", "Model::Model(int n) : n_(n) {}", "Model"));
  }

  TEST_CASE("source_defines_function scans a whole file") {
    const std::string src =
        "import math\n"
        "\n"
        "def helper(x):\n"
        "    return compute_loss(x)\n"
        "\n"
        "async def compute_loss(x):\n"
        "    return x\n";
    CHECK(source_defines_function("m.py", src, "compute_loss"));
    CHECK(source_defines_function("m.py", src, "helper"));
    CHECK_FALSE(source_defines_function("m.py", src, "math"));
    CHECK_FALSE(source_defines_function("m.py", "y = compute_loss(3)\n", "compute_loss"));
  }

  TEST_CASE("status names are stable") {
    CHECK(std::string(to_string(FileStatus::kAdded)) == "added");
    CHECK(std::string(to_string(FileStatus::kRenamed)) == "renamed");
    CHECK(std::string(to_string(FileStatus::kTypeChange)) == "typechange");
    DiffFacts d = facts_of({renamed("a.py", "b.py"), modified("c.py"), added("b.py")});
    CHECK(d.changed_paths() == std::vector<std::string>{"a.py", "b.py", "c.py"});
  }
}

}  // namespace evo::policy
