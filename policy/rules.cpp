// Pure policy rules over DiffFacts: globbing, scope checks, marker scans and a per-language
// "does this line define function X" heuristic. No I/O and no git here by design.
#include "policy/rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <set>
#include <tuple>
#include <utility>

#include "policy/text_util.h"

namespace evo::policy {
namespace {

using namespace detail;

// ---------------------------------------------------------------------------------------------
// Glob matching

class GlobMatcher {
 public:
  GlobMatcher(std::string_view pattern, std::string_view text)
      : p_(pattern), t_(text), memo_((pattern.size() + 1) * (text.size() + 1), kUnknown) {}

  bool match(std::size_t pi, std::size_t ti) {
    // Literal runs are walked iteratively; only star positions branch, and those are memoized
    // so a hostile pattern like "*a*a*a*b" stays polynomial.
    while (pi < p_.size() && p_[pi] != '*') {
      if (ti >= t_.size()) return false;
      const char c = p_[pi];
      if (c == '?') {
        if (t_[ti] == '/') return false;
        ++pi;
      } else if (c == '[') {
        std::size_t next = 0;
        const int r = match_class(pi, t_[ti], &next);
        if (r < 0) {  // unterminated class: '[' is a literal
          if (t_[ti] != '[') return false;
          ++pi;
        } else {
          if (r == 0) return false;
          pi = next;
        }
      } else if (c == '\\' && pi + 1 < p_.size()) {
        if (t_[ti] != p_[pi + 1]) return false;
        pi += 2;
      } else {
        if (t_[ti] != c) return false;
        ++pi;
      }
      ++ti;
    }
    if (pi == p_.size()) return ti == t_.size();

    char& memo = memo_[pi * (t_.size() + 1) + ti];
    if (memo != kUnknown) return memo == kYes;
    bool result = false;
    if (pi + 1 < p_.size() && p_[pi + 1] == '*') {
      std::size_t next = pi + 2;
      while (next < p_.size() && p_[next] == '*') ++next;
      // "**/" also matches zero directories, so "**/tests/**" matches "tests/x".
      if (next < p_.size() && p_[next] == '/' && match(next + 1, ti)) {
        result = true;
      } else {
        for (std::size_t k = ti; k <= t_.size() && !result; ++k) result = match(next, k);
      }
    } else {
      for (std::size_t k = ti;; ++k) {
        if (match(pi + 1, k)) {
          result = true;
          break;
        }
        if (k == t_.size() || t_[k] == '/') break;
      }
    }
    memo = result ? kYes : kNo;
    return result;
  }

 private:
  static constexpr char kUnknown = 0;
  static constexpr char kYes = 1;
  static constexpr char kNo = 2;

  // Returns 1 (matches), 0 (does not) or -1 (malformed); *next is the index after ']'.
  int match_class(std::size_t pi, char c, std::size_t* next) const {
    std::size_t j = pi + 1;
    bool negate = false;
    if (j < p_.size() && (p_[j] == '!' || p_[j] == '^')) {
      negate = true;
      ++j;
    }
    bool matched = false;
    bool first = true;
    while (true) {
      if (j >= p_.size()) return -1;
      if (p_[j] == ']' && !first) break;
      first = false;
      char lo = p_[j];
      if (lo == '\\' && j + 1 < p_.size()) lo = p_[++j];
      ++j;
      char hi = lo;
      if (j + 1 < p_.size() && p_[j] == '-' && p_[j + 1] != ']') {
        hi = p_[j + 1];
        j += 2;
        if (hi == '\\' && j < p_.size()) hi = p_[j++];
      }
      if (lo <= c && c <= hi) matched = true;
    }
    *next = j + 1;
    if (c == '/') return 0;  // a class never crosses a directory boundary
    return matched != negate ? 1 : 0;
  }

  std::string_view p_;
  std::string_view t_;
  std::vector<char> memo_;
};

std::string_view dirname_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// ---------------------------------------------------------------------------------------------
// Marker scans over added lines

struct Marker {
  std::string_view text;
  std::string_view kind;
  bool whole_word = false;  // must also end a word ("curl" but not "curly")
  bool line_start = false;  // only whitespace before it ("fit(" but not "model.fit(")
};

// Finds markers left to right, preferring the longest at each position and resuming after it,
// so "System.getenv(" is reported once rather than also as "getenv(".
class MarkerSet {
 public:
  explicit MarkerSet(std::vector<Marker> markers) : markers_(std::move(markers)) {
    for (std::size_t i = 0; i < markers_.size(); ++i) {
      by_first_[static_cast<unsigned char>(markers_[i].text.front())].push_back(i);
    }
  }

  template <typename F>
  void scan(std::string_view line, F&& found) const {
    std::size_t i = 0;
    while (i < line.size()) {
      const Marker* best = nullptr;
      for (std::size_t idx : by_first_[static_cast<unsigned char>(line[i])]) {
        const Marker& m = markers_[idx];
        if (line.substr(i, m.text.size()) != m.text) continue;
        // A marker that starts like a word must start a word: "datetime.time" is not
        // "time.time" and "prefetch(" is not "fetch(".
        if (std::isalnum(static_cast<unsigned char>(m.text.front())) != 0 && i > 0 &&
            is_ident(line[i - 1])) {
          continue;
        }
        if (m.line_start && !trim_left(line.substr(0, i)).empty()) continue;
        const std::size_t end = i + m.text.size();
        if (m.whole_word && end < line.size() && is_ident(line[end])) continue;
        if (best == nullptr || m.text.size() > best->text.size()) best = &m;
      }
      if (best != nullptr) {
        found(*best);
        i += best->text.size();
      } else {
        ++i;
      }
    }
  }

 private:
  std::vector<Marker> markers_;
  std::array<std::vector<std::size_t>, 256> by_first_;
};

void add_markers(std::vector<Marker>& out, std::string_view kind,
                 std::initializer_list<std::string_view> texts) {
  for (std::string_view t : texts) out.push_back(Marker{t, kind, false, false});
}

// Skip markers keep a test from running ("skip") or make the others not run ("focus").
const MarkerSet& skip_markers() {
  static const MarkerSet kSet = [] {
    std::vector<Marker> m;
    // Python (pytest, unittest)
    add_markers(m, "skip",
                {"pytest.mark.skip", "pytest.mark.xfail", "pytest.skip(", "pytest.xfail(",
                 "pytest.importorskip(", "unittest.skip", "unittest.expectedFailure", "@skip",
                 "@expectedFailure", "skipTest(", "SkipTest"});
    // JS/TS (jest, mocha, jasmine, vitest); the x/f prefixes only count at a statement start
    // so that "model.fit(" stays quiet.
    add_markers(m, "skip", {"it.skip", "describe.skip", "test.skip", "it.todo", "test.todo"});
    add_markers(m, "focus", {".only("});
    for (std::string_view t : {"xit(", "xtest(", "xdescribe("})
      m.push_back({t, "skip", false, true});
    for (std::string_view t : {"fit(", "fdescribe("}) m.push_back({t, "focus", false, true});
    // Rust, Go
    add_markers(
        m, "skip",
        {"#[ignore", "t.Skip(", "t.Skipf(", "t.SkipNow(", "b.Skip(", "b.Skipf(", "b.SkipNow("});
    // C/C++ (GoogleTest, Catch2), Java (JUnit 4/5)
    add_markers(m, "skip",
                {"GTEST_SKIP", "DISABLED_", "SKIP(", "[!mayfail]", "@Disabled", "@Ignore",
                 "Assume.assume", "Assumptions.assume"});
    return MarkerSet(std::move(m));
  }();
  return kSet;
}

// Reads of the environment, the network, files and the clock: sources of results that do not
// come from the code under test.
const MarkerSet& side_effect_markers() {
  static const MarkerSet kSet = [] {
    std::vector<Marker> m;
    add_markers(m, "the environment",
                {"os.environ", "getenv(", "secure_getenv(", "process.env", "std::env::var",
                 "env::var(", "env::vars(", "os.Getenv", "os.LookupEnv", "os.Environ(",
                 "System.getenv", "System.getProperty", "Deno.env"});
    add_markers(
        m, "the network",
        {"socket",         "websocket",      "WebSocket",  "requests.",     "import requests",
         "urllib",         "http.client",    "httplib",    "httpx",         "aiohttp",
         "fetch(",         "XMLHttpRequest", "axios",      "net/http",      "net.Dial",
         "http.Get(",      "http.Post(",     "http.get(",  "http.request(", "https.get(",
         "https.request(", "curl_",          "libcurl",    "pycurl",        "reqwest",
         "TcpStream",      "UdpSocket",      "std::net::", "HttpClient",    "URLConnection",
         "java.net."});
    add_markers(
        m, "files",
        {"open(",      "fopen",      "freopen",     "ifstream",         "ofstream",
         "fstream",    "readFile",   "writeFile",   "createReadStream", "createWriteStream",
         "std::fs::",  "fs::read",   "fs::write",   "File::open",       "File::create",
         "os.Open",    "os.Create",  "os.ReadFile", "os.WriteFile",     "ioutil.ReadFile",
         "io.open",    "read_text(", "read_bytes(", "write_text(",      "write_bytes(",
         "np.load",    "np.save",    "pickle.load", "FileInputStream",  "FileOutputStream",
         "FileReader", "FileWriter", "Files.read",  "Files.write",      "Files.newBufferedReader",
         "mmap("});
    // Clock: Python, C/C++, JS, Go, Rust, Java.
    add_markers(m, "the clock",
                {"time.time", "time.perf_counter", "time.monotonic", "time.process_time",
                 "time.clock", "datetime.now", "datetime.utcnow", "datetime.today", "timeit"});
    add_markers(m, "the clock",
                {"clock_gettime", "gettimeofday", "clock()", "time(NULL)", "time(nullptr)",
                 "time(0)", "_clock::now", "rdtsc", "__rdtsc", "QueryPerformanceCounter"});
    add_markers(m, "the clock",
                {"Date.now", "new Date(", "performance.now", "process.hrtime", "time.Now",
                 "time.Since", "Instant::now", "SystemTime::now"});
    add_markers(
        m, "the clock",
        {"System.currentTimeMillis", "System.nanoTime", "Instant.now", "LocalDateTime.now"});
    // "curl" as a whole word only: "curly" is not a download.
    m.push_back(Marker{"curl", "the network", true, false});
    return MarkerSet(std::move(m));
  }();
  return kSet;
}

// ---------------------------------------------------------------------------------------------
// evaluate() helpers

bool in_scope_exact(const Scope& scope, std::string_view path) {
  return std::find(scope.files.begin(), scope.files.end(), path) != scope.files.end();
}

// A path that did not exist before (added, copied, or the new side of a rename).
bool in_scope_new(const Scope& scope, std::string_view path) {
  if (in_scope_exact(scope, path)) return true;
  if (scope.op != Operation::kStructural) return false;
  const std::string_view dir = dirname_of(path);
  return std::any_of(scope.files.begin(), scope.files.end(),
                     [&](const std::string& f) { return dirname_of(f) == dir; });
}

bool arrived(const FileChange& f) {
  return f.status == FileStatus::kAdded || f.status == FileStatus::kCopied ||
         f.status == FileStatus::kRenamed;
}

std::string describe_scope(const Scope& scope) {
  std::string out(to_string(scope.op));
  out += " scope: ";
  if (scope.files.empty()) return out + "(no files)";
  constexpr std::size_t kShown = 5;
  for (std::size_t i = 0; i < scope.files.size() && i < kShown; ++i) {
    if (i > 0) out += ", ";
    out += scope.files[i];
  }
  if (scope.files.size() > kShown) out += ", ...";
  if (scope.op == Operation::kStructural) out += " (plus new files in their directories)";
  return out;
}

std::string mode_text(std::uint32_t mode) {
  if (mode == kModeNone) return "none";
  std::string out;
  for (std::uint32_t m = mode; m != 0; m >>= 3)
    out.insert(out.begin(), static_cast<char>('0' + (m & 7u)));
  return out;
}

const std::string* first_match(const std::vector<std::string>& patterns, std::string_view path) {
  for (const std::string& p : patterns) {
    if (path_matches(p, path)) return &p;
  }
  return nullptr;
}

class FindingSink {
 public:
  explicit FindingSink(std::vector<Finding>* out) : out_(out) {}
  // Keeps only the first finding per (rule, path, key); key separates markers within a file.
  void add(std::string rule, std::string path, std::string detail, std::string key = {}) {
    if (!seen_.emplace(rule, path, std::move(key)).second) return;
    out_->push_back(Finding{std::move(rule), std::move(path), std::move(detail)});
  }

 private:
  std::vector<Finding>* out_;
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
};

void check_hard_rules(const FileChange& f, const Scope& scope, const PolicyConfig& config,
                      FindingSink& sink) {
  const std::string& old_path = f.old_path.empty() ? f.new_path : f.old_path;
  const std::string& new_path = f.new_path.empty() ? f.old_path : f.new_path;

  for (const std::string* path : {&old_path, &new_path}) {
    if (const std::string* pat = first_match(config.protected_patterns, *path)) {
      sink.add("protected_path", *path,
               "'" + *path + "' matches the protected pattern '" + *pat +
                   "'; evaluation and benchmark files must not be changed");
    }
  }

  auto out_of_scope = [&](const std::string& path) {
    sink.add("out_of_scope", path,
             "'" + path + "' is outside the variant's " + describe_scope(scope) +
                 "; revert the change to this file");
  };
  switch (f.status) {
    case FileStatus::kAdded:
    case FileStatus::kCopied:
      if (!in_scope_new(scope, new_path)) out_of_scope(new_path);
      break;
    case FileStatus::kRenamed:
      if (!in_scope_exact(scope, old_path)) out_of_scope(old_path);
      if (!in_scope_new(scope, new_path)) out_of_scope(new_path);
      break;
    case FileStatus::kDeleted:
      if (!in_scope_exact(scope, old_path)) out_of_scope(old_path);
      break;
    case FileStatus::kModified:
    case FileStatus::kTypeChange:
      if (!in_scope_exact(scope, new_path)) out_of_scope(new_path);
      if (old_path != new_path && !in_scope_exact(scope, old_path)) out_of_scope(old_path);
      break;
  }

  if (f.status == FileStatus::kDeleted || f.status == FileStatus::kRenamed) {
    if (const std::string* pat = first_match(config.test_patterns, old_path)) {
      const std::string how = f.status == FileStatus::kDeleted
                                  ? std::string("was deleted")
                                  : "was renamed to '" + new_path + "'";
      sink.add("test_removed", old_path,
               "test file '" + old_path + "' (matches '" + *pat + "') " + how +
                   "; tests may not be removed");
    }
  }

  if (f.is_symlink()) {
    sink.add("symlink", new_path,
             "'" + new_path + "' is a symlink change (mode " + mode_text(f.old_mode) + " -> " +
                 mode_text(f.new_mode) + "); symlinks can redirect reads to protected files");
  }

  // An existing file whose mode flips (100644 <-> 100755) is not an optimization: making a
  // file executable changes how the benchmark or a hook may run it.
  const bool regular_both = (f.old_mode == kModeFile || f.old_mode == kModeExecutable) &&
                            (f.new_mode == kModeFile || f.new_mode == kModeExecutable);
  if (f.status != FileStatus::kAdded && regular_both && f.old_mode != f.new_mode) {
    sink.add("mode_change", new_path,
             "'" + new_path + "' changed mode " + mode_text(f.old_mode) + " -> " +
                 mode_text(f.new_mode) + "; variants may change file contents only");
  }

  if (f.is_submodule()) {
    sink.add("submodule", new_path,
             "'" + new_path + "' is a submodule (gitlink) change; submodules are not allowed");
  }
  for (const std::string* path : {&old_path, &new_path}) {
    const std::string_view base = basename_of(*path);
    if (base == ".gitmodules" || base == ".gitattributes") {
      sink.add("submodule", *path,
               "'" + *path +
                   "' changes git's submodule or attribute configuration, which can "
                   "alter what is checked out or diffed");
    }
  }
}

void check_flags(const FileChange& f, const Scope& scope, FindingSink& sink) {
  const std::string& path = f.new_path.empty() ? f.old_path : f.new_path;
  for (const std::string& line : f.added_lines) {
    skip_markers().scan(line, [&](const Marker& m) {
      const std::string what = m.kind == "focus"
                                   ? "the focus marker '" + std::string(m.text) +
                                         "', which silently skips the other tests"
                                   : "the test skip marker '" + std::string(m.text) + "'";
      sink.add("test_skip_marker", path, "an added line carries " + what, std::string(m.text));
    });
    side_effect_markers().scan(line, [&](const Marker& m) {
      sink.add("side_effect", path,
               "an added line uses '" + std::string(m.text) + "', which reads " +
                   std::string(m.kind) + "; results may then depend on more than the code",
               std::string(m.text));
    });
  }
  const std::string& old_path = f.old_path.empty() ? f.new_path : f.old_path;
  for (const std::string& fn : scope.functions) {
    for (const std::string& line : f.removed_lines) {
      if (defines_function(old_path, line, fn)) {
        sink.add("signature_changed", path,
                 "a removed line defined scope function '" + fn + "' (" + std::string(trim(line)) +
                     "); its signature may have changed",
                 fn);
        break;
      }
    }
  }
}

void sort_findings(std::vector<Finding>& v) {
  std::sort(v.begin(), v.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.path, a.rule, a.detail) < std::tie(b.path, b.rule, b.detail);
  });
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  GlobMatcher m(pattern, text);
  return m.match(0, 0);
}

bool path_matches(std::string_view pattern, std::string_view path) {
  if (glob_match(pattern, path)) return true;
  const std::string_view base = basename_of(path);
  return base.size() != path.size() && glob_match(pattern, base);
}

std::vector<std::string> default_protected_patterns() {
  return {"benchmark*.py", "eval*.py", "evaluate*.py", "run_eval*", "test_bench*", "*.sh"};
}

std::vector<std::string> default_test_patterns() {
  return {
      // Python
      "test_*.py", "*_test.py", "tests/**", "**/tests/**", "conftest.py",
      // JS/TS
      "*.test.js", "*.spec.js", "*.test.jsx", "*.spec.jsx", "*.test.ts", "*.spec.ts", "*.test.tsx",
      "*.spec.tsx", "*.test.mjs", "*.spec.mjs", "*.test.cjs", "*.spec.cjs", "**/__tests__/**",
      // C/C++
      "*_test.c", "*_test.cc", "*_test.cpp", "*_test.cxx", "test_*.c", "test_*.cc", "test_*.cpp",
      "test_*.cxx", "*_unittest.c", "*_unittest.cc", "*_unittest.cpp", "*_tests.cc", "*_tests.cpp",
      "**/test/**",
      // Go
      "*_test.go",
      // Rust (integration tests live in tests/, covered above)
      "*_test.rs",
      // Java
      "*Test.java", "*Tests.java", "*IT.java", "**/src/test/**"};
}

Verdict evaluate(const DiffFacts& facts, const Scope& scope, const PolicyConfig& config) {
  Verdict verdict;
  FindingSink hard(&verdict.violations);
  FindingSink soft(&verdict.flags);
  if (facts.files.empty()) {
    hard.add("empty_change", "", "the branch has no changes relative to its parent commit");
  }
  for (const FileChange& f : facts.files) {
    check_hard_rules(f, scope, config, hard);
    check_flags(f, scope, soft);
  }
  sort_findings(verdict.violations);
  sort_findings(verdict.flags);
  return verdict;
}

std::vector<std::string> content_files(const Scope& scope, const DiffFacts& facts) {
  std::vector<std::string> files = scope.files;
  for (const auto& f : facts.files) {
    if (arrived(f) && in_scope_new(scope, f.new_path)) files.push_back(f.new_path);
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace evo::policy
