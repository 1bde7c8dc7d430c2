// The demo's shared state: where things live, what the scripted agents have seen and done, and
// what the summary reports. Internal to demo/.
#pragma once

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/rng.h"
#include "demo/demo.h"
#include "demo/example.h"
#include "demo/git_cli.h"
#include "demo/progress.h"
#include "demo/stdio_client.h"
#include "state/replies.h"
#include "wire/replies.h"

namespace evo::demo {

using nlohmann::json;

struct Paths {
  std::string root;  // everything below lives here (removed by --clean)
  std::string repo;
  std::string data;
  std::string worktrees;
  std::string memory;      // <repo>/memory/: the server's memory writer puts its files here
  std::string results;     // <repo>/memory/results.tsv: one row per evaluation
  std::string server_log;  // the server's stderr
};

// One dispatch_workers item.
struct WorkItem {
  std::string branch;
  std::string operation;
  std::string target_id;
  std::string target_file;
  std::string target_function;
  std::string structural_op;
  std::vector<std::string> parents;
};

// A deliberate twist a worker plays, so the demo shows the server's guards.
enum class Script {
  kHonest,
  kEditBenchmark,  // also edits the protected benchmark: the server must refuse it
  kDuplicate,      // re-creates an evaluated variant byte for byte: the server must cache it
};

enum class OutcomeKind { kEvaluated, kRejected, kCached, kFailed };

struct ItemOutcome {
  OutcomeKind kind = OutcomeKind::kFailed;
  std::string branch;
  std::string change;  // what the worker did
  std::optional<double> fitness;
  bool is_new_best = false;
  std::string reason;    // rejection or failure
  std::string cache_of;  // the evaluated original, for a cache hit
  bool deliberate = false;
};

struct GenerationStats {
  int generation = 0;
  std::size_t items = 0;
  std::size_t evaluated = 0;
  std::size_t rejected = 0;
  std::size_t cached = 0;
  std::size_t failed = 0;
  std::optional<double> best_in_generation;
  std::optional<double> best_overall;
  std::string best_branch;
  std::size_t kept = 0;
  std::size_t eliminated = 0;
};

struct DemoSession {
  DemoOptions options;
  Paths paths;
  ExampleSpec example;
  GitCli git{""};
  StdioClient* client = nullptr;
  ProgressView* view = nullptr;
  Rng rng{0};
  std::string run_id;

  // What the agents have seen: target-file contents by evaluated branch (seed-baseline
  // included), and every content produced so far (workers avoid accidental duplicates).
  std::map<std::string, std::string> content_of;
  std::vector<std::string> evaluated_order;
  std::set<std::string> seen_contents;

  double seed_fitness = 0.0;
  std::optional<double> best_fitness;
  std::string best_branch = "seed-baseline";
  std::size_t benchmarks_run = 0;  // benchmark executions, seed included
  std::vector<ItemOutcome> rejections;
  std::vector<ItemOutcome> cache_hits;
  std::vector<ItemOutcome> failures;
  std::vector<GenerationStats> generations;
  std::vector<std::string> short_term;       // the gen_N.md files the reflect role wrote into
  std::vector<std::string> server_warnings;  // notifications/message at warning or above
};

// Calls a tool; on failure the error names the tool and carries the server's text.
Result<json> call(DemoSession& s, const std::string& tool, json args);
// evo_step, its reply read back into the typed value it describes (wire/replies.h).
Result<state::Reply> step(DemoSession& s, json args);
// The reply a step must give; an error naming what came instead.
template <typename T>
Result<T> expect_step(DemoSession& s, json args, const std::string& what) {
  EVO_ASSIGN_OR_RETURN(auto reply, step(s, std::move(args)));
  if (auto* value = std::get_if<T>(&reply)) return std::move(*value);
  return make_error(ErrorCode::kInternal,
                    what + ": the server answered " + wire::to_json(reply).dump());
}

// A whole file, bytes as they are.
Result<std::string> read_text(const std::string& path);

// Runs the example's benchmark in `dir` and parses the last line of its output.
Result<double> run_benchmark(const ExampleSpec& example, const std::string& dir,
                             std::string* raw_output);

// Plays a worker, then the PolicyAgent, for one item (worker.cpp). `duplicate_of` names the
// evaluated branch a kDuplicate worker copies.
Result<ItemOutcome> run_worker(DemoSession& s, const WorkItem& item, Script script,
                               const std::string& duplicate_of);

// The final report (summary.cpp): text for humans, or JSON.
struct Summary {
  bool finished = false;
  std::string done_reason;
  std::string done_reason_code;
  int generations_run = 0;
  std::uint64_t total_evals = 0;
  double improvement_pct = 0.0;
  std::vector<std::string> tags;
  std::size_t archive_refs = 0;
  bool best_overall_tag_ok = false;
  std::vector<std::pair<std::string, std::optional<double>>> lineage;  // best ... seed
  double elapsed_s = 0.0;
};
void print_summary(const DemoSession& s, const Summary& summary, std::FILE* out);
json summary_json(const DemoSession& s, const Summary& summary);

}  // namespace evo::demo
