// Hardening of the memory writer: no write ever leaves the repository through a symlink
// (memory/ itself, a file in it, a directory below it), a tracked or symlinked memory/ is
// refused at evo_init, appends are whole-line-or-nothing on a full disk, a torn last row of
// results.tsv is repaired by the catch-up, and NUL bytes never reach a memory file.
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "memory/facts.h"
#include "memory/files.h"
#include "memory/guard.h"
#include "memory/memory_writer.h"
#include "tests/unit/state/harness.h"

using namespace evo;
using namespace evo::state;
namespace fs = std::filesystem;

namespace {

// <tmp>/repo (a git work tree) and <tmp>/outside (where a hostile clone points its links).
struct Sandbox {
  fs::path root;
  fs::path repo;
  fs::path outside;
  Sandbox() {
    char tmpl[] = "/tmp/evo-confine-test-XXXXXX";
    root = mkdtemp(tmpl);
    repo = root / "repo";
    outside = root / "outside";
    fs::create_directories(repo);
    fs::create_directories(outside);
    REQUIRE(std::system(("git init -q '" + repo.string() + "'").c_str()) == 0);
  }
  ~Sandbox() { fs::remove_all(root); }
  fs::path mem(const std::string& rel = "") const {
    return rel.empty() ? repo / "memory" : repo / "memory" / rel;
  }
  void git(const std::string& args) const {
    const std::string cmd = "git -C '" + repo.string() +
                            "' -c user.name=t -c user.email=t@t -c commit.gpgsign=false " + args +
                            " >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "<missing>";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// Every regular file below `dir` with its contents, so a test can tell nothing changed.
std::string tree_text(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) out += it->path().string() + "\n" + slurp(it->path()) + "\n";
  }
  return out;
}

std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

struct Run {
  testing::Driver d;
  memory::MemoryWriter writer{quiet()};
  bool lose = false;

  nlohmann::json step(const Command& c) {
    const auto before = d.log.size();
    auto reply = d.ok(c);
    std::vector<Event> events(d.log.begin() + static_cast<long>(before), d.log.end());
    if (!events.empty() && !lose) writer.observe(d.s, events);
    return reply;
  }
  void init(const fs::path& repo, std::vector<std::string> directions = {"be fast"},
            std::string description = "") {
    Config c = testing::make_config();
    c.repo_path = repo.string();
    c.directions = std::move(directions);
    step(InitCmd{"run-1", c, 1000, "seedcommit0000000000000000000000000000000"});
    RegisterTargetsCmd reg;
    TargetSpec t{"loss", "src/loss.py", "fn_loss"};
    t.description = std::move(description);
    reg.targets.push_back(t);
    step(reg);
    step(ReportSeedCmd{{10.0}});
  }
  // One generation where every item is evaluated (fitness base - i).
  void generation(double base) {
    const auto branches = d.batch_branches();
    for (std::size_t i = 0; i < branches.size(); ++i) {
      CodeReadyCmd c;
      c.branch = branches[i];
      c.git = d.observe(branches[i]);
      step(c);
      step(PolicyPassCmd{branches[i]});
      FitnessReadyCmd f;
      f.branch = branches[i];
      f.success = true;
      f.fitness = std::vector<double>{base - static_cast<double>(i)};
      f.observed_commit = d.s.find(branches[i])->commit;
      step(f);
    }
    step(SelectCmd{});
  }
};

std::size_t rows(const std::string& tsv) {
  std::size_t n = 0;
  for (char c : tsv) n += c == '\n' ? 1 : 0;
  return n;
}

}  // namespace

TEST_SUITE("memory.confinement") {
  TEST_CASE("a memory/ symlink: nothing is written where it points, and evo_init refuses it") {
    Sandbox box;
    fs::create_directory_symlink(box.outside, box.mem());
    Run r;
    r.init(box.repo);
    r.step(BeginGenerationCmd{2000});
    r.generation(9.0);
    CHECK(tree_text(box.outside).empty());
    const auto checked = memory::check_memory_dir(box.repo);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().code == ErrorCode::kInvalidArgument);
    CHECK(checked.error().message.find("argument 'repo_path'") == 0);
    CHECK(checked.error().message.find("is a symlink") != std::string::npos);
  }

  TEST_CASE("a memory/results.tsv symlink gets no rows appended to its target") {
    Sandbox box;
    fs::create_directories(box.mem());
    spit(box.outside / "victim", "precious\n");
    fs::create_symlink(box.outside / "victim", box.mem("results.tsv"));
    Run r;
    r.init(box.repo);
    r.step(BeginGenerationCmd{2000});
    r.generation(9.0);
    CHECK(slurp(box.outside / "victim") == "precious\n");
    CHECK(fs::is_symlink(box.mem("results.tsv")));
    // The other files are still written, inside the repository.
    CHECK(slurp(box.mem("targets/loss/failures.md")).find("# Failures: loss") != std::string::npos);
  }

  TEST_CASE("a memory/.evo-writer symlink: its target's first bytes are never overwritten") {
    Sandbox box;
    fs::create_directories(box.mem());
    spit(box.outside / "victim", "precious bytes that must stay\n");
    fs::create_symlink(box.outside / "victim", box.mem(".evo-writer"));
    Run r;
    r.init(box.repo);
    r.step(BeginGenerationCmd{2000});
    r.generation(9.0);
    CHECK(slurp(box.outside / "victim") == "precious bytes that must stay\n");
    CHECK(fs::is_symlink(box.mem(".evo-writer")));
  }

  TEST_CASE("a nested directory symlink (memory/targets -> elsewhere) is never followed") {
    Sandbox box;
    fs::create_directories(box.mem());
    fs::create_directories(box.outside / "elsewhere");
    fs::create_directory_symlink(box.outside / "elsewhere", box.mem("targets"));
    // A dangling link is not created through either.
    fs::create_directory_symlink(box.outside / "made-by-link", box.mem("global"));
    Run r;
    r.init(box.repo);
    r.step(BeginGenerationCmd{2000});
    r.generation(9.0);
    CHECK(tree_text(box.outside).empty());
    CHECK(fs::is_empty(box.outside / "elsewhere"));
    CHECK_FALSE(fs::exists(box.outside / "made-by-link"));
    // What is not behind the link is written as usual.
    CHECK(rows(slurp(box.mem("results.tsv"))) == 1 + r.d.s.total_evals);
    // The helpers say why.
    const auto refused =
        memory::files::append(box.repo, "memory/targets/loss/failures.md", "- line\n");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("refusing to follow the symlink") != std::string::npos);
    CHECK(refused.error().message.find("memory/targets") != std::string::npos);
    CHECK_FALSE(memory::files::read(box.repo, "memory/targets/x").has_value());
    CHECK_FALSE(memory::files::append(box.repo, "memory/../escape", "x").ok());
    CHECK_FALSE(memory::files::append(box.repo, "/tmp/escape", "x").ok());
  }

  TEST_CASE("a memory/ folder tracked by git is refused at evo_init; an untracked one is fine") {
    Sandbox box;
    CHECK(memory::check_memory_dir(box.repo).ok());  // absent
    fs::create_directories(box.mem("targets"));
    spit(box.mem("targets/notes.md"), "committed by the clone\n");
    CHECK(memory::check_memory_dir(box.repo).ok());  // present, untracked
    box.git("add memory");
    box.git("commit -q -m memory");
    const auto checked = memory::check_memory_dir(box.repo);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().code == ErrorCode::kInvalidArgument);
    CHECK(checked.error().message.find("is tracked by git") != std::string::npos);
    // A memory/ that is a regular file is refused too.
    Sandbox other;
    spit(other.mem(), "not a dir");
    CHECK_FALSE(memory::check_memory_dir(other.repo).ok());
  }

  TEST_CASE("appends are whole-line-or-nothing when the disk fills up") {
    Sandbox box;
    fs::create_directories(box.mem());
    const std::string first = "generation\tbranch\n";
    REQUIRE(memory::files::append(box.repo, "memory/results.tsv", first).ok());
    // RLIMIT_FSIZE fails writes past the limit as a full disk would: the first part of the
    // write lands, the rest gets EFBIG.
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit old{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
    rlimit small = old;
    small.rlim_cur = first.size() + 10;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
    const auto full =
        memory::files::append(box.repo, "memory/results.tsv", std::string(40, 'x') + "\n");
    REQUIRE(setrlimit(RLIMIT_FSIZE, &old) == 0);
    std::signal(SIGXFSZ, SIG_DFL);
    CHECK_FALSE(full.ok());
    CHECK(slurp(box.mem("results.tsv")) == first);  // no torn row
  }

  TEST_CASE("the catch-up repairs a torn last row of results.tsv") {
    Sandbox box;
    Run reference;
    Sandbox ref_box;
    reference.init(ref_box.repo);
    reference.step(BeginGenerationCmd{2000});
    reference.generation(9.0);

    Run r;
    r.init(box.repo);
    r.step(BeginGenerationCmd{2000});
    r.lose = true;  // a full disk: the rows of this generation never land...
    r.generation(9.0);
    r.lose = false;
    // ...except a torn prefix of the first one.
    const auto* first = r.d.s.find(r.d.s.individuals[1].branch);
    const auto row = memory::results_row(r.d.s, *first);
    {
      std::ofstream out(box.mem("results.tsv"), std::ios::app | std::ios::binary);
      out << row.substr(0, row.size() / 2);
    }
    r.writer.sync(r.d.s);
    const auto text = slurp(box.mem("results.tsv"));
    CHECK(text == slurp(ref_box.mem("results.tsv")));
    CHECK(rows(text) == 1 + r.d.s.total_evals);
    CHECK(text.back() == '\n');
    // A torn header alone is cut and written again.
    Sandbox torn;
    Run t;
    t.init(torn.repo);
    spit(torn.mem("results.tsv"), "gener");
    fs::remove(torn.mem(".evo-writer"));
    t.writer.sync(t.d.s);
    const auto fixed = slurp(torn.mem("results.tsv"));
    CHECK(fixed.rfind("generation\tbranch\t", 0) == 0);
    CHECK(rows(fixed) == 2);
  }

  TEST_CASE("NUL bytes in directions and descriptions never reach a memory file") {
    Sandbox box;
    Run r;
    r.init(box.repo, {std::string("be\0fast", 7)}, std::string("hot\0loop", 8));
    const std::string global = slurp(box.mem("global/long_term.md"));
    const std::string target = slurp(box.mem("targets/loss/long_term.md"));
    CHECK(global.find('\0') == std::string::npos);
    CHECK(global.find("befast") != std::string::npos);
    CHECK(target.find('\0') == std::string::npos);
    CHECK(target.find("hotloop") != std::string::npos);
    CHECK(memory::one_line(std::string("a\0b", 3)) == "ab");
  }
}
