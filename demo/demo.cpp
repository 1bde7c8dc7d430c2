// `evo-engine demo`: set-up, the orchestrator's loop and the reflect role. The workers live in
// worker.cpp and the final report in summary.cpp.
#include "demo/demo.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "demo/session.h"

namespace evo::demo {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Paths> make_paths() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/evo-demo-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return make_error(ErrorCode::kInternal, "cannot create a directory like " + templ);
  }
  Paths p;
  p.root = templ;
  p.repo = p.root + "/repo";
  p.data = p.root + "/data";
  p.worktrees = p.root + "/worktrees";
  p.memory = p.repo + "/memory";  // written by the server's memory writer, not by the demo
  p.results = p.memory + "/results.tsv";
  p.server_log = p.root + "/server.log";
  std::error_code ec;
  for (const auto* dir : {&p.repo, &p.data, &p.worktrees}) {
    if (!fs::create_directories(*dir, ec) && ec) {
      return make_error(ErrorCode::kInternal, "cannot create " + *dir + ": " + ec.message());
    }
  }
  return p;
}

WorkItem to_item(const state::WorkItem& w) {
  WorkItem item;
  item.branch = w.branch;
  item.operation = std::string(to_string(w.operation));
  item.target_id = w.target_id;
  item.target_file = w.target_file;
  item.target_function = w.target_function;
  item.structural_op = w.structural_op.value_or("");
  item.parents = w.parent_branches;
  return item;
}

// The first value of a fitness (the demo's examples have one objective).
std::optional<double> first(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  return values.front();
}

// The reflect role's notes go under the `## Notes` heading (the table's last section) of the
// generation table the server wrote after select: memory/targets/<id>/short_term/gen_N.md.
Status append_notes(DemoSession& s, int gen, const std::string& text) {
  const std::string rel =
      "targets/" + s.example.target_id + "/short_term/gen_" + std::to_string(gen) + ".md";
  const std::string path = s.paths.memory + "/" + rel;
  auto table = read_text(path);
  if (!table) {
    return make_error(ErrorCode::kInternal, "the server did not write memory/" + rel +
                                                " after select (" + table.error().message + ")");
  }
  if (table->find("\n## Notes\n") == std::string::npos) {
    return make_error(ErrorCode::kInternal, "memory/" + rel + " has no '## Notes' heading");
  }
  std::ofstream out(path, std::ios::app);
  out << (table->empty() || table->back() == '\n' ? "\n" : "\n\n") << text;
  out.flush();
  if (!out) return make_error(ErrorCode::kInternal, "cannot append the notes to " + path);
  s.short_term.push_back(path);
  return {};
}

std::string fmt(double v) {
  return ProgressView::format_fitness(v);
}

// The one deliberate duplicate: an item (a mutate one if possible) whose parent differs from an
// earlier evaluated variant it can copy. Returns the item's index and the copied branch.
std::optional<std::pair<std::size_t, std::string>> pick_duplicate(
    const DemoSession& s, const std::vector<WorkItem>& items) {
  for (const bool mutate_only : {true, false}) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if ((mutate_only && items[i].operation != "mutate") || items[i].parents.empty()) continue;
      const auto parent = s.content_of.find(items[i].parents[0]);
      for (const auto& branch : s.evaluated_order) {
        const auto it = s.content_of.find(branch);
        if (it == s.content_of.end() || branch == items[i].parents[0]) continue;
        if (parent == s.content_of.end() || parent->second != it->second) {
          return std::make_pair(i, branch);
        }
      }
    }
  }
  return std::nullopt;
}

// Runs every item of one generation, then select and reflect. Returns reflect_done's reply.
Result<state::Reply> run_generation(DemoSession& s, const state::DispatchWorkers& dispatch) {
  const int gen = dispatch.generation;
  std::vector<WorkItem> items;
  for (const auto& w : dispatch.items) items.push_back(to_item(w));
  GenerationStats stats;
  stats.generation = gen;
  stats.items = items.size();

  std::optional<std::size_t> cheat;
  std::optional<std::pair<std::size_t, std::string>> duplicate;
  if (s.rejections.empty() && s.generations.empty() && !items.empty()) {
    cheat = items.size() - 1;
    for (std::size_t i = items.size(); i-- > 0;) {
      if (items[i].operation == "mutate") {
        cheat = i;
        break;
      }
    }
  }
  const bool duplicate_done = std::any_of(s.cache_hits.begin(), s.cache_hits.end(),
                                          [](const ItemOutcome& o) { return o.deliberate; });
  if (!s.generations.empty() && !duplicate_done) duplicate = pick_duplicate(s, items);

  s.view->begin_generation(gen, items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    Script script = Script::kHonest;
    std::string copy_of;
    if (cheat && *cheat == i) script = Script::kEditBenchmark;
    if (duplicate && duplicate->first == i) {
      script = Script::kDuplicate;
      copy_of = duplicate->second;
    }
    auto outcome = run_worker(s, items[i], script, copy_of);
    if (!outcome) {
      return make_error(outcome.error().code,
                        "worker for " + items[i].branch + ": " + outcome.error().message);
    }
    const ItemOutcome& o = *outcome;
    std::string note;
    switch (o.kind) {
      case OutcomeKind::kEvaluated:
        ++stats.evaluated;
        if (!stats.best_in_generation || *o.fitness < *stats.best_in_generation) {
          stats.best_in_generation = o.fitness;
        }
        if (!s.best_fitness || *o.fitness < *s.best_fitness) {
          s.best_fitness = o.fitness;
          s.best_branch = o.branch;
        }
        if (o.is_new_best) {
          note = "* " + o.branch + " new best " + fmt(*o.fitness) + "  (" + o.change + ")";
        }
        break;
      case OutcomeKind::kRejected:
        ++stats.rejected;
        s.rejections.push_back(o);
        note = "! " + o.branch + " REJECTED by the server: " + o.reason;
        break;
      case OutcomeKind::kCached:
        ++stats.cached;
        s.cache_hits.push_back(o);
        note = "= " + o.branch + " CACHE HIT: identical to " + o.cache_of + " (" +
               (o.fitness ? fmt(*o.fitness) : std::string("-")) + "), no benchmark run";
        break;
      case OutcomeKind::kFailed:
        ++stats.failed;
        s.failures.push_back(o);
        note = "x " + o.branch + " benchmark failed: " + o.reason;
        break;
    }
    s.view->item_done(std::min(s.seed_fitness, s.best_fitness.value_or(s.seed_fitness)));
    if (!note.empty()) s.view->note(note);
  }

  // Orchestrator: select. Reflect role: write down what happened, then reflect_done.
  EVO_ASSIGN_OR_RETURN(auto reflect,
                       expect_step<state::Reflect>(s, {{"phase", "select"}}, "select"));
  const auto& keep = reflect.keep;
  const auto& eliminate = reflect.eliminate;
  stats.kept = keep.size();
  stats.eliminated = eliminate.size();
  stats.best_overall = first(reflect.best_obj.values);
  stats.best_branch = reflect.best_branch;
  std::string notes = "- best so far: " + stats.best_branch + " (" +
                      (stats.best_overall ? fmt(*stats.best_overall) : std::string("-")) +
                      ")\n- kept: " + std::to_string(keep.size()) +
                      ", eliminated (archived): " + std::to_string(eliminate.size()) + "\n";
  for (const auto& o : s.rejections) {
    if (o.branch.rfind("gen-" + std::to_string(gen) + "/", 0) == 0) {
      notes += "- lesson: " + o.branch + " was refused (" + o.reason + ")\n";
    }
  }
  EVO_TRY(append_notes(s, gen, notes));
  s.view->end_generation(
      "gen best " + (stats.best_in_generation ? fmt(*stats.best_in_generation) : "-") + ", kept " +
      std::to_string(stats.kept) + ", archived " + std::to_string(stats.eliminated));
  s.generations.push_back(stats);
  return step(s, {{"phase", "reflect_done"}});
}

// Lineage of the best branch back to the seed, following first parents.
std::vector<std::pair<std::string, std::optional<double>>> lineage_of(DemoSession& s) {
  std::vector<std::pair<std::string, std::optional<double>>> chain;
  auto reply = call(s, "evo_get_lineage", {{"branch", s.best_branch}});
  if (!reply) return chain;
  auto lineage = wire::from_json<state::Lineage>(*reply);
  if (!lineage) return chain;
  std::map<std::string, const state::LineageEntry*> by_branch;
  for (const auto& e : lineage->lineage) by_branch[e.branch] = &e;
  std::string at = s.best_branch;
  while (!at.empty() && chain.size() < 100) {
    const auto it = by_branch.find(at);
    if (it == by_branch.end()) break;
    const state::LineageEntry& e = *it->second;
    chain.emplace_back(at, e.fitness ? first(*e.fitness) : std::nullopt);
    at = e.parent_branches.empty() ? std::string() : e.parent_branches.front();
  }
  return chain;
}

// After the run: what the server left in the repository.
void inspect_repo(const DemoSession& s, Summary& summary) {
  if (auto tags = s.git.run({"tag", "--list"})) {
    std::istringstream in(*tags);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) summary.tags.push_back(line);
    }
  }
  if (auto refs = s.git.run({"for-each-ref", "--format=%(refname)", "refs/evo/archive/"})) {
    std::istringstream in(*refs);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) ++summary.archive_refs;
    }
  }
  auto tagged = s.git.line({"rev-parse", "--verify", "-q", "best-overall^{commit}"});
  const std::string best_ref =
      s.best_branch == "seed-baseline" ? "seed-baseline" : "refs/heads/" + s.best_branch;
  auto best = s.git.line({"rev-parse", "--verify", "-q", best_ref + "^{commit}"});
  summary.best_overall_tag_ok = tagged && best && *tagged == *best;
  (void)s.git.run({"worktree", "prune"});
}

int fail(const std::string& message) {
  std::fprintf(stderr, "evo-engine demo: error: %s\n", message.c_str());
  return 1;
}

// The project: the example in a fresh repository, committed, and its seed content recorded.
Status prepare_repo(DemoSession& s) {
  EVO_ASSIGN_OR_RETURN(s.example, write_example(s.options.example_dir, s.paths.repo));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "seed"}}) {
    EVO_TRY(s.git.run(args));
  }
  EVO_ASSIGN_OR_RETURN(auto seed_content,
                       read_text((fs::path(s.paths.repo) / s.example.target_file).string()));
  s.content_of["seed-baseline"] = seed_content;
  s.seen_contents.insert(seed_content);
  return {};
}

// The real server: this binary as a child speaking MCP over stdio, initialized.
Result<std::unique_ptr<StdioClient>> start_server(DemoSession& s) {
  EVO_ASSIGN_OR_RETURN(auto self, self_executable());
  StdioClientOptions copts;
  copts.stderr_path = s.paths.server_log;
  copts.on_notification = [&s](const json& n) {
    if (str(n, "method") != "notifications/message") return;
    const auto params = n.find("params");
    if (params == n.end() || !params->is_object()) return;
    const std::string level = str(*params, "level");
    if (level == "warning" || level == "error" || level == "critical" || level == "alert" ||
        level == "emergency") {
      const auto data = params->find("data");
      s.server_warnings.push_back(level + ": " + (data != params->end() ? data->dump() : ""));
    }
  };
  EVO_ASSIGN_OR_RETURN(auto client, StdioClient::start({self, "serve", "--stdio", "--data-dir",
                                                        s.paths.data, "--log-level", "info"},
                                                       copts));
  EVO_ASSIGN_OR_RETURN(auto hello, client->initialize("evo-engine-demo", "1"));
  const auto info = hello.find("serverInfo");
  s.view->line(
      "  server    " +
      (info != hello.end() ? str(*info, "name") + " " + str(*info, "version") : std::string("?")) +
      " over stdio, pid " + std::to_string(client->pid()) + ", log " + s.paths.server_log);
  return client;
}

// The orchestrator's opening: evo_init, the target, the seed's real benchmark.
Status open_run(DemoSession& s) {
  const DemoOptions& o = s.options;
  EVO_ASSIGN_OR_RETURN(
      auto init,
      call(s, "evo_init",
           {{"repo_path", s.paths.repo},
            {"benchmark_cmd", s.example.benchmark_cmd},
            {"objectives", json::array({{{"name", s.example.objective}, {"direction", "min"}}})},
            {"pop_size", o.pop_size},
            {"max_generations", o.generations},
            {"max_fe", o.generations * o.pop_size + 10},
            {"seed", o.seed},
            {"policy_mode", "both"}}));
  s.run_id = str(init, "run_id");
  EVO_TRY(call(s, "evo_register_targets",
               {{"targets", json::array({{{"id", s.example.target_id},
                                          {"file", s.example.target_file},
                                          {"function", s.example.target_function},
                                          {"description", s.example.target_description}}})}}));
  auto seed = run_benchmark(s.example, s.paths.repo, nullptr);
  ++s.benchmarks_run;
  if (!seed) return make_error(seed.error().code, "seed benchmark: " + seed.error().message);
  s.seed_fitness = *seed;
  EVO_TRY(call(s, "evo_report_seed", {{"fitness_values", json::array({*seed})}}));
  s.view->line("  run       " + s.run_id + ", seed commit " +
               str(init, "seed_commit").substr(0, 10) + " (tag seed-baseline)");
  s.view->line("seed-baseline  " + s.example.objective + " " + fmt(*seed));
  return {};
}

// After `done`: the server's verdict, the best branch's lineage, the repository's refs.
Summary summarize(DemoSession& s, const state::Done& done, StdioClient& client) {
  Summary summary;
  summary.finished = true;
  summary.done_reason = done.reason;
  summary.done_reason_code = done.reason_code;
  summary.generations_run = static_cast<int>(s.generations.size());
  summary.total_evals = done.total_evals;
  if (const auto best = first(done.best_obj.values)) {
    s.best_fitness = best;
    s.best_branch = done.best_branch;
  }
  if (done.improvement_pct) {
    const auto pct = done.improvement_pct->find(s.example.objective);
    summary.improvement_pct = pct != done.improvement_pct->end() ? pct->second : 0.0;
  }
  summary.lineage = lineage_of(s);
  const int server_exit = client.close();
  if (server_exit != 0) {
    s.server_warnings.push_back("the server exited with code " + std::to_string(server_exit));
  }
  inspect_repo(s, summary);
  return summary;
}

int run_demo_checked(const DemoOptions& options) {
  const auto started = Clock::now();
  if (options.generations < 2 || options.generations > 50) {
    return fail("--generations must be between 2 and 50");
  }
  if (options.pop_size < 3 || options.pop_size > 64) {
    return fail(
        "--pop-size must be between 3 and 64 (the demo shows a rejection and a cache "
        "hit among the variants)");
  }
  if (std::error_code ec;
      !options.example_dir.empty() && !fs::is_directory(options.example_dir, ec)) {
    return fail("--example-dir: '" + options.example_dir + "' is not a directory");
  }
  std::FILE* human = options.json ? stderr : stdout;
  ProgressView view(human, ::isatty(::fileno(human)) == 1);
  // Keeps benchmark runs from littering worktrees. Set before the demo starts any thread.
  ::setenv("PYTHONDONTWRITEBYTECODE", "1", 0);  // NOLINT(concurrency-mt-unsafe)

  DemoSession s;
  s.options = options;
  s.view = &view;
  s.rng = Rng(options.seed ^ 0x5eed5eedULL);  // the workers' own stream, apart from the server's
  auto paths = make_paths();
  if (!paths) return fail(paths.error().message);
  s.paths = *paths;
  s.git = GitCli(s.paths.repo);
  auto fail_run = [&s](const std::string& message) {
    return fail(message + (s.options.clean ? std::string()
                                           : "\n  (kept for inspection: " + s.paths.root + ")"));
  };
  // Without --clean the directory stays whatever happens, for inspection.
  struct Cleaner {
    const DemoSession& s;
    ~Cleaner() {
      if (!s.options.clean) return;
      std::error_code ec;
      fs::remove_all(s.paths.root, ec);
    }
  } cleaner{s};

  if (auto st = prepare_repo(s); !st) return fail_run(st.error().message);
  const std::string source =
      options.example_dir.empty() ? "examples/" + s.example.name : options.example_dir;
  view.line("evo-engine demo: " + s.example.title + " (" + source + "), " +
            std::to_string(options.generations) + " generations x " +
            std::to_string(options.pop_size) + " variants, seed " + std::to_string(options.seed));
  view.line("  repo      " + s.paths.repo);
  view.line("  data dir  " + s.paths.data);

  // Declared after the cleaner, so the server is gone before its data directory is removed.
  auto client = start_server(s);
  if (!client) return fail_run(client.error().message);
  s.client = client->get();
  if (auto st = open_run(s); !st) return fail_run(st.error().message);

  // The loop: begin_generation, then generations until the server says done.
  auto reply = step(s, {{"phase", "begin_generation"}});
  while (reply && std::holds_alternative<state::DispatchWorkers>(*reply)) {
    reply = run_generation(s, std::get<state::DispatchWorkers>(*reply));
  }
  if (!reply) return fail_run(reply.error().message);
  const auto* done = std::get_if<state::Done>(&*reply);
  if (done == nullptr) return fail_run("unexpected reply: " + wire::to_json(*reply).dump());

  Summary summary = summarize(s, *done, **client);
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
  if (options.json) {
    std::printf("%s\n", summary_json(s, summary).dump(2).c_str());
  } else {
    print_summary(s, summary, stdout);
  }
  std::fflush(stdout);
  if (!s.best_fitness || !(*s.best_fitness < s.seed_fitness)) {
    return fail_run("the run finished without beating the seed (" + fmt(s.seed_fitness) + ")");
  }
  return 0;
}

}  // namespace

Result<json> call(DemoSession& s, const std::string& tool, json args) {
  if (s.client == nullptr) return make_error(ErrorCode::kInternal, "no server connection");
  return s.client->call_tool(tool, std::move(args));
}

Result<state::Reply> step(DemoSession& s, json args) {
  EVO_ASSIGN_OR_RETURN(auto reply, call(s, "evo_step", std::move(args)));
  return wire::from_json<state::Reply>(reply);
}

void add_demo_options(CLI::App& command, DemoOptions& options) {
  command.add_option("--generations", options.generations, "Generations to run")
      ->check(CLI::Range(2, 50))
      ->capture_default_str();
  command.add_option("--pop-size", options.pop_size, "Variants per generation")
      ->check(CLI::Range(3, 64))
      ->capture_default_str();
  command.add_option("--seed", options.seed, "Seed of the server's and the workers' RNGs")
      ->capture_default_str();
  command.add_flag("--json", options.json,
                   "Print the final summary as JSON on stdout (progress goes to stderr)");
  command.add_flag("--clean", options.clean,
                   "Remove the temporary repository and data directory at the end (default: "
                   "keep them and print their paths)");
  command.add_option("--example-dir", options.example_dir,
                     "Evolve a copy of this directory (it needs an evo-demo.json) instead of the "
                     "bundled examples/pid");
}

int run_demo(const DemoOptions& options) {
  try {
    return run_demo_checked(options);
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what());
  } catch (...) {
    return fail("internal error: unknown exception");
  }
}

}  // namespace evo::demo
