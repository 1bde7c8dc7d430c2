// The memory writer over scripted runs: the files a run leaves in <repo>/memory/ (templates,
// results.tsv rows, failure lines, generation tables, synergy records), the git exclude, the
// catch-up after a lost write, derived targets, a second run taking the memory over, and runs
// without a git work tree.
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "memory/facts.h"
#include "memory/files.h"
#include "memory/layout.h"
#include "memory/memory_writer.h"
#include "tests/unit/state/harness.h"

using namespace evo;
using namespace evo::state;
namespace fs = std::filesystem;

namespace {

struct TempRepo {
  fs::path path;
  explicit TempRepo(bool git = true) {
    char tmpl[] = "/tmp/evo-memory-test-XXXXXX";
    path = fs::path(mkdtemp(tmpl)) / "repo";
    fs::create_directories(path);
    if (git) {
      const std::string cmd = "git init -q '" + path.string() + "'";
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
  }
  ~TempRepo() { fs::remove_all(path.parent_path()); }
  fs::path mem(const std::string& rel = "") const { return path / "memory" / rel; }
};

std::string slurp(const fs::path& p) {
  auto text = memory::files::read(p);
  return text.value_or("<missing>");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  const auto lines = lines_of(text);
  return static_cast<std::size_t>(std::count_if(
      lines.begin(), lines.end(), [&](const auto& l) { return l.rfind(prefix, 0) == 0; }));
}

std::string table_text(const TempRepo& repo) {
  return slurp(repo.mem("results.tsv")) + slurp(repo.mem("targets/loss/short_term/gen_0.md"));
}

std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// A driver whose every command is observed by a memory writer (unless `lose` is set: the
// write is lost, as in a crash between the commit and the memory write).
struct Run {
  testing::Driver d;
  memory::MemoryWriter writer{quiet()};
  bool lose = false;
  bool defer = false;  // prepare at commit time, finish later (as the engine's outbox does)
  std::vector<memory::PendingPass> pending;
  std::vector<std::string> notified;

  nlohmann::json step(const Command& c) {
    const auto before = d.log.size();
    auto reply = d.ok(c);
    std::vector<Event> events(d.log.begin() + static_cast<long>(before), d.log.end());
    if (!events.empty() && defer) {
      auto prepared = writer.prepare(d.s, events);
      notified.insert(notified.end(), prepared.written.begin(), prepared.written.end());
      if (prepared.pending) pending.push_back(std::move(*prepared.pending));
    } else if (!events.empty() && !lose) {
      const auto paths = writer.observe(d.s, events);
      notified.insert(notified.end(), paths.begin(), paths.end());
    }
    return reply;
  }

  void init(const fs::path& repo, const std::string& run_id = "run-1",
            std::vector<std::string> targets = {"loss", "speed"}, std::int64_t now = 1000) {
    Config c = testing::make_config();
    c.repo_path = repo.string();
    c.directions = {"prefer vectorized code", "keep the API"};
    step(InitCmd{run_id, c, now, "seedcommit0000000000000000000000000000000"});
    RegisterTargetsCmd reg;
    for (const auto& t : targets) reg.targets.push_back({t, "src/" + t + ".py", "fn_" + t});
    step(reg);
    step(ReportSeedCmd{{10.0}});
  }

  nlohmann::json code_ready(const std::string& branch, std::vector<std::string> files = {}) {
    CodeReadyCmd c;
    c.branch = branch;
    c.git = d.observe(branch, std::move(files));
    return step(c);
  }
  void fitness(const std::string& branch, double value, bool success = true) {
    FitnessReadyCmd c;
    c.branch = branch;
    c.success = success;
    if (success)
      c.fitness = std::vector<double>{value};
    else
      c.reason = "exit 1: SyntaxError";
    c.observed_commit = d.s.find(branch)->commit;
    step(c);
  }

  // One generation with every outcome: evaluated, server rejection, agent rejection, failed
  // benchmark, cache hit (when `cache_of` names an evaluated branch).
  void generation(double base) {
    const auto branches = d.batch_branches();
    for (std::size_t i = 0; i < branches.size(); ++i) {
      const auto& b = branches[i];
      const auto* ind = d.s.find(b);
      if (i == 1) {
        code_ready(b, {ind->target_file, "benchmark.py"});  // protected: the server refuses
      } else if (i == 2) {
        code_ready(b);
        step(PolicyFailCmd{b, "hard-codes the input size"});
      } else if (i == 3) {
        code_ready(b);
        step(PolicyPassCmd{b});
        fitness(b, 0, false);
      } else {
        code_ready(b);
        step(PolicyPassCmd{b});
        fitness(b, base - static_cast<double>(i));
      }
    }
    step(SelectCmd{});
  }
};

Config with_repo(const fs::path& repo) {
  Config c = testing::make_config();
  c.repo_path = repo.string();
  return c;
}

}  // namespace

TEST_SUITE("memory.writer") {
  TEST_CASE("a scripted run leaves the right files with the right rows") {
    const bool dump = std::getenv("EVO_DUMP") != nullptr;
    TempRepo repo;
    Run r;
    r.init(repo.path);
    // Templates rendered at init and registration.
    const auto global = slurp(repo.mem("global/long_term.md"));
    CHECK(global.find("# Long-term memory: run-1") != std::string::npos);
    CHECK(global.find("- prefer vectorized code\n- keep the API\n") != std::string::npos);
    CHECK(global.find("- loss (min)") != std::string::npos);
    CHECK(slurp(repo.mem("targets/loss/long_term.md")).find("`fn_loss` in `src/loss.py`") !=
          std::string::npos);
    CHECK(slurp(repo.mem("targets/speed/failures.md")).find("# Failures: speed") !=
          std::string::npos);
    CHECK(fs::is_directory(repo.mem("targets/loss/short_term")));
    CHECK(slurp(repo.mem("synergy/records.md")).find("# Synergy records: run-1") !=
          std::string::npos);
    // Excluded from git once, anchored at the root.
    const auto exclude = slurp(repo.path / ".git/info/exclude");
    CHECK(count_lines_starting(exclude, "/memory/") == 1);

    r.step(BeginGenerationCmd{2000});
    r.generation(9.0);
    const int gen0 = r.d.s.last_selection.generation;
    r.step(ReflectDoneCmd{});
    r.generation(8.0);
    r.step(RecordSynergyCmd{"gen-1/synergy/loss+speed-0",
                            {"loss", "speed"},
                            {5.0},
                            true,
                            {{"loss", {6.0}}, {"speed", {7.0}}}});
    r.step(RecordSynergyCmd{"gen-1/synergy/loss+speed-1", {"loss", "speed"}, {}, false, {}});
    r.step(StopCmd{"enough"});

    // results.tsv: a header and one row per evaluation (seed, successes, failures).
    const auto results = lines_of(slurp(repo.mem("results.tsv")));
    REQUIRE(!results.empty());
    CHECK(results[0] == "generation\tbranch\tcommit\ttarget\toperation\tstatus\tloss\tnote");
    CHECK(results.size() == 1 + r.d.s.total_evals);
    CHECK(results[1].rfind("-1\tseed-baseline\tseedcommit", 0) == 0);
    std::size_t failed = 0;
    for (const auto* ind : memory::evaluations_in_order(r.d.s)) {
      CAPTURE(ind->branch);
      const auto row = memory::results_row(r.d.s, *ind);
      CHECK(std::find(results.begin(), results.end(), row.substr(0, row.size() - 1)) !=
            results.end());
      if (ind->state == ItemState::kFailed) {
        ++failed;
        CHECK(row.find("\tfailed\tNA\texit 1: SyntaxError") != std::string::npos);
      }
    }
    CHECK(failed >= 2);

    // failures.md: one line per rejection and failed evaluation, with what, why and the rule.
    std::size_t expected_lines = 0;
    for (const auto& ind : r.d.s.individuals) {
      if (ind.state == ItemState::kRejected || ind.state == ItemState::kFailed ||
          ind.state == ItemState::kAbandoned) {
        ++expected_lines;
      }
    }
    const auto loss_failures = slurp(repo.mem("targets/loss/failures.md"));
    const auto speed_failures = slurp(repo.mem("targets/speed/failures.md"));
    CHECK(count_lines_starting(loss_failures, "- gen ") +
              count_lines_starting(speed_failures, "- gen ") ==
          expected_lines);
    const auto all_failures = loss_failures + speed_failures;
    if (dump) std::fprintf(stderr, "%s%s", all_failures.c_str(), table_text(repo).c_str());
    CHECK(all_failures.find("rejected by the server: benchmark.py: ") != std::string::npos);
    CHECK(all_failures.find("protected_path)") != std::string::npos);
    CHECK(all_failures.find("rejected by the policy agent: hard-codes the input size "
                            "(policy_fail)") != std::string::npos);
    CHECK(all_failures.find("evaluation failed: exit 1: SyntaxError (benchmark_failed)") !=
          std::string::npos);

    // A generation table after each select, for each target that had items.
    const auto* first = r.d.s.find(r.d.s.individuals[1].branch);
    const auto table = slurp(repo.mem("targets/" + first->target_id + "/short_term/gen_" +
                                      std::to_string(gen0) + ".md"));
    CHECK(table.find("| branch | operation | parents | state | fitness | rank | selection |") !=
          std::string::npos);
    CHECK(table.find("| " + first->branch + " |") != std::string::npos);
    CHECK(table.find("seed-baseline") != std::string::npos);  // the parents column
    CHECK(
        (table.find("kept") != std::string::npos || table.find("eliminated") != std::string::npos));
    CHECK(table.find("## Notes") != std::string::npos);

    // Synergy records with the per-objective gain (best alone 6, combined 5: +1 for min).
    const auto records = slurp(repo.mem("synergy/records.md"));
    CHECK(records.find("- gen 2 gen-1/synergy/loss+speed-0 (loss + speed): combined loss=5; "
                       "loss alone loss=6; speed alone loss=7; gain loss +1\n") !=
          std::string::npos);
    // A failed record says why, as far as the server knows.
    CHECK(records.find("- gen 2 gen-1/synergy/loss+speed-1 (loss + speed): failed (no reason "
                       "known: the branch was not evaluated through evo_step)\n") !=
          std::string::npos);

    // The cursor is at the last event; listeners heard of the files.
    CHECK(slurp(repo.mem(".evo-writer")).find("\"seq\":" + std::to_string(r.d.s.event_seq)) !=
          std::string::npos);
    CHECK(std::find(r.notified.begin(), r.notified.end(), "results.tsv") != r.notified.end());
  }

  TEST_CASE("a lost write is caught up without duplicates; a replay writes nothing twice") {
    TempRepo reference_repo;
    TempRepo repo;
    Run reference;
    Run r;
    reference.init(reference_repo.path);
    r.init(repo.path);
    for (Run* run : {&reference, &r}) {
      run->step(BeginGenerationCmd{2000});
      // The crash window: the commits of a whole generation never reach the files.
      if (run == &r) run->lose = true;
      run->generation(9.0);
      run->lose = false;
      run->step(ReflectDoneCmd{});
      run->generation(8.0);
    }
    for (const char* rel : {"results.tsv", "targets/loss/failures.md", "targets/speed/failures.md",
                            "synergy/records.md"}) {
      CAPTURE(rel);
      CHECK(lines_of(slurp(repo.mem(rel))).size() ==
            lines_of(slurp(reference_repo.mem(rel))).size());
    }
    CHECK(fs::exists(repo.mem("targets/loss/short_term/gen_0.md")));

    // Same facts seen again (a restart re-syncing, or the cursor lost): no fact is added. (With
    // the cursor gone the run cannot tell the files are its own, so it may add its marker.)
    const auto facts = [&] {
      return slurp(repo.mem("results.tsv")) +
             std::to_string(
                 count_lines_starting(slurp(repo.mem("targets/loss/failures.md")), "- gen")) +
             std::to_string(
                 count_lines_starting(slurp(repo.mem("targets/speed/failures.md")), "- gen"));
    };
    const auto before = facts();
    r.writer.sync(r.d.s);
    CHECK(facts() == before);
    fs::remove(repo.mem(".evo-writer"));
    r.writer.sync(r.d.s);
    r.writer.sync(r.d.s);
    CHECK(facts() == before);
    CHECK(count_lines_starting(slurp(repo.path / ".git/info/exclude"), "/memory/") == 1);
  }

  TEST_CASE("facts rendered under the lock are written after it; out of order, they catch up") {
    TempRepo reference_repo;
    TempRepo repo;
    Run reference;
    Run r;
    reference.init(reference_repo.path);
    r.init(repo.path);
    reference.step(BeginGenerationCmd{2000});
    reference.generation(9.0);
    r.defer = true;
    r.step(BeginGenerationCmd{2000});
    r.generation(9.0);
    r.defer = false;
    REQUIRE(r.pending.size() > 3);
    // prepare() rendered and wrote nothing: results.tsv holds its header and the seed.
    CHECK(lines_of(slurp(repo.mem("results.tsv"))).size() == 2);
    CHECK_FALSE(fs::exists(repo.mem("targets/loss/short_term/gen_0.md")));
    // The last commit's writes come first: they do not follow the cursor, so nothing is written.
    const auto last = r.pending.back();
    r.pending.pop_back();
    CHECK(last.to_seq == r.d.s.event_seq);
    CHECK(r.writer.finish(last).empty());
    // The others, in commit order, each follow the one before.
    std::set<std::string> touched;
    for (const auto& pass : r.pending) {
      for (const auto& rel : r.writer.finish(pass)) touched.insert(rel);
    }
    CHECK(touched.count("results.tsv") == 1);
    // Finished twice: the cursor is past it, nothing twice.
    CHECK(r.writer.finish(r.pending.front()).empty());
    // The next commit catches up from the state what the refused pass held.
    reference.step(ReflectDoneCmd{});
    r.step(ReflectDoneCmd{});
    for (const char* rel : {"results.tsv", "targets/loss/failures.md", "targets/speed/failures.md",
                            "targets/loss/short_term/gen_0.md"}) {
      CAPTURE(rel);
      CHECK(lines_of(slurp(repo.mem(rel))).size() ==
            lines_of(slurp(reference_repo.mem(rel))).size());
    }
    CHECK(slurp(repo.mem("results.tsv")) == slurp(reference_repo.mem("results.tsv")));
  }

  TEST_CASE("a derived target inherits its parent's memory with a provenance note") {
    TempRepo repo;
    Run r;
    r.init(repo.path, "run-1", {"loss"});
    REQUIRE(memory::files::append(repo.path, "memory/targets/loss/long_term.md",
                                  "\n- unrolling helps (-12%)\n")
                .ok());
    RegisterTargetsCmd reg;
    TargetSpec spec{"loss_inner", "src/loss.py", "fn_loss_inner"};
    spec.derived_from = {"loss"};
    reg.targets.push_back(spec);
    r.step(reg);
    const auto text = slurp(repo.mem("targets/loss_inner/long_term.md"));
    CHECK(text.find("> derived from loss") != std::string::npos);
    CHECK(text.find("## Inherited from `loss`") != std::string::npos);
    CHECK(text.find("- unrolling helps (-12%)") != std::string::npos);
    CHECK(text.find("\n## loss: `fn_loss`") != std::string::npos);  // the heading is demoted
    CHECK(slurp(repo.mem("targets/loss_inner/failures.md")).find("> derived from loss") !=
          std::string::npos);
  }

  TEST_CASE("derived targets inherit whatever order their registration lists them in") {
    // The server only accepts a parent before its children; a journal listing a child first
    // (replayed, or from another version) must still give the child its parent's memory.
    for (const bool catch_up : {false, true}) {
      CAPTURE(catch_up);
      TempRepo repo;
      Run r;
      r.init(repo.path, "run-1", {"loss"});
      TargetSpec child{"inner", "src/inner.py", "fn_inner"};
      child.derived_from = {"outer"};
      TargetSpec grandchild{"innermost", "src/inner.py", "fn_innermost"};
      grandchild.derived_from = {"inner", "loss"};
      const TargetSpec parent{"outer", "src/outer.py", "fn_outer"};
      const Event e = TargetsRegistered{{grandchild, child, parent}};
      apply_event(r.d.s, e);
      if (catch_up) {
        fs::remove(repo.mem(".evo-writer"));  // the writer re-derives everything
        r.writer.sync(r.d.s);
      } else {
        r.writer.observe(r.d.s, {e});
      }
      const auto inner = slurp(repo.mem("targets/inner/long_term.md"));
      CHECK(inner.find("## Inherited from `outer`") != std::string::npos);
      CHECK(inner.find("\n## outer: `fn_outer`") != std::string::npos);
      const auto innermost = slurp(repo.mem("targets/innermost/long_term.md"));
      CHECK(innermost.find("## Inherited from `inner`") != std::string::npos);
      CHECK(innermost.find("## Inherited from `loss`") != std::string::npos);
      // The child's inherited copy of its own parent's text came along.
      CHECK(innermost.find("fn_outer") != std::string::npos);
    }
  }

  TEST_CASE("a newer run takes the memory over; an older one leaves it alone") {
    TempRepo repo;
    Run first;
    first.init(repo.path, "run-1", {"loss"}, 1000);
    first.step(BeginGenerationCmd{2000});
    first.generation(9.0);
    const auto first_results = slurp(repo.mem("results.tsv"));

    Run second;
    second.init(repo.path, "run-2", {"loss"}, 5000);
    CHECK(slurp(repo.mem("archive/run-1/results.tsv")) == first_results);
    CHECK(fs::exists(repo.mem("archive/run-1/targets/loss/short_term/gen_0.md")));
    CHECK(lines_of(slurp(repo.mem("results.tsv"))).size() == 2);  // header + run-2's seed
    // Kept knowledge gains this run's section; failures.md gets this run's marker.
    CHECK(slurp(repo.mem("global/long_term.md")).find("## Run run-2") != std::string::npos);
    CHECK(slurp(repo.mem("targets/loss/failures.md")).find(memory::run_marker("run-2")) !=
          std::string::npos);

    // The older run keeps evolving: it no longer writes into run-2's memory.
    first.step(ReflectDoneCmd{});
    CHECK(lines_of(slurp(repo.mem("results.tsv"))).size() == 2);
  }

  TEST_CASE("no git work tree: no memory, no error") {
    TempRepo plain(false);
    Run r;
    Config c = with_repo(plain.path);
    c.policy_mode = PolicyMode::kOff;
    r.step(InitCmd{"run-off", c, 1000, ""});
    r.step(ReportSeedCmd{{1.0}});
    CHECK_FALSE(fs::exists(plain.mem()));
    Run missing;
    Config gone = with_repo("/nonexistent/evo-memory-test");
    gone.policy_mode = PolicyMode::kOff;
    missing.step(InitCmd{"run-gone", gone, 1000, ""});
    CHECK_FALSE(fs::exists("/nonexistent/evo-memory-test"));
  }

  TEST_CASE("facts formatting") {
    CHECK(memory::format_number(0.1) == "0.1");
    CHECK(memory::format_number(1.0) == "1");
    CHECK(memory::format_number(-2.5e-9) == "-2.5e-09");
    CHECK(memory::one_line("a\tb\nc\r") == "a b c");
    CHECK(memory::one_line(std::string(400, 'x'), 10) == "xxxxxxxxxx...");
    CHECK(memory::row_branch("0\tgen-0/a/mutate-0\tc\tt") == "gen-0/a/mutate-0");
    CHECK(memory::row_branch("generation\tbranch\tcommit") == "");
  }
}
