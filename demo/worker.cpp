// The scripted worker and PolicyAgent: one batch item from branch to reported fitness, with the
// git CLI in a worktree of its own, as a real worker agent would do it.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "demo/mutation.h"
#include "demo/session.h"
#include "subprocess/subprocess.h"

namespace evo::demo {
namespace {

namespace fs = std::filesystem;

Status write_text(const fs::path& path, const std::string& text, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << text;
  if (!out) return make_error(ErrorCode::kInternal, "cannot write " + path.string());
  return {};
}

// "rule (path); ..." for findings.
std::string describe_findings(const std::vector<policy::Finding>& findings) {
  std::string out;
  for (const auto& f : findings) {
    if (!out.empty()) out += "; ";
    out += f.rule + " (" + f.path + ")";
  }
  return out;
}

// Removes the worker's worktree however the item ends; the branch stays for the server.
class WorktreeGuard {
 public:
  WorktreeGuard(const GitCli& git, std::string path) : git_(git), path_(std::move(path)) {}
  WorktreeGuard(const WorktreeGuard&) = delete;
  WorktreeGuard& operator=(const WorktreeGuard&) = delete;
  ~WorktreeGuard() { (void)git_.run({"worktree", "remove", "--force", path_}); }

 private:
  const GitCli& git_;
  std::string path_;
};

struct Variant {
  std::string text;
  std::string description;
};

// The worker's edit: a variation operator applied inside the target function's body.
Result<Variant> make_variant(DemoSession& s, const WorkItem& item, Script script,
                             const std::string& duplicate_of, const std::string& text,
                             const std::string& file, const std::string& function) {
  if (script == Script::kDuplicate) {
    const auto it = s.content_of.find(duplicate_of);
    if (it == s.content_of.end()) {
      return make_error(ErrorCode::kInternal, "no recorded content for " + duplicate_of);
    }
    return Variant{it->second, item.operation +
                                   " (deliberate duplicate): re-derives the gains of " +
                                   duplicate_of + " byte for byte"};
  }
  auto parent = parse_params(text, function);
  if (!parent) {
    return make_error(parent.error().code, file + ": " + parent.error().message);
  }
  std::optional<SourceParams> other;
  if (item.operation == "crossover" && item.parents.size() >= 2) {
    EVO_ASSIGN_OR_RETURN(auto other_text, s.git.run({"show", item.parents[1] + ":" + file}));
    auto parsed = parse_params(other_text, function);
    if (!parsed) {
      return make_error(parsed.error().code,
                        item.parents[1] + ": " + file + ": " + parsed.error().message);
    }
    other = std::move(parsed).value();
  }
  // A real agent would not know every variant tried so far; this one does, and re-rolls
  // accidental duplicates so that the demo's only cache hit is the deliberate one.
  for (int attempt = 0; attempt < 32; ++attempt) {
    Variation v;
    std::string label;
    if (other) {
      v = crossover(*parent, *other, s.rng);
      label = "crossover: ";
      if (attempt >= 4) {  // close parents leave few children: add a mutation on top
        Variation m = mutate_values(*parent, v.values, s.rng);
        m.description = v.description + ", then " + m.description;
        v = std::move(m);
      }
    } else if (item.operation == "structural") {
      v = nudge_all(*parent, s.rng);
      label =
          "structural (" + (item.structural_op.empty() ? "replace" : item.structural_op) + "): ";
    } else {
      v = mutate(*parent, s.rng);
      label = item.operation == "mutate" ? "mutate: " : item.operation + " (as mutate): ";
    }
    std::string rendered = render_params(*parent, v.values);
    if (rendered != text && s.seen_contents.count(rendered) == 0) {
      return Variant{std::move(rendered), label + v.description};
    }
  }
  return make_error(ErrorCode::kInternal, "no new variant found for " + item.branch);
}

}  // namespace

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<double> run_benchmark(const ExampleSpec& example, const std::string& dir,
                             std::string* raw_output) {
  EVO_ASSIGN_OR_RETURN(auto r,
                       run_process({"/bin/sh", "-c", example.benchmark_cmd}, dir, Millis(60000)));
  if (raw_output != nullptr) {
    const std::size_t keep = 1000;
    *raw_output = r.out.size() > keep ? r.out.substr(r.out.size() - keep) : r.out;
  }
  if (r.timed_out) return make_error(ErrorCode::kInternal, "the benchmark timed out");
  if (r.exit_code != 0) {
    std::string err = r.err.size() > 300 ? r.err.substr(r.err.size() - 300) : r.err;
    return make_error(ErrorCode::kInternal,
                      "the benchmark exited with code " + std::to_string(r.exit_code) + ": " + err);
  }
  std::string out = r.out;
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  const auto nl = out.rfind('\n');
  const std::string last = nl == std::string::npos ? out : out.substr(nl + 1);
  char* end = nullptr;
  const double v = std::strtod(last.c_str(), &end);
  if (last.empty() || end == last.c_str() || *end != '\0' || !std::isfinite(v)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the benchmark's last line is not one finite number: '" + last + "'");
  }
  return v;
}

Result<ItemOutcome> run_worker(DemoSession& s, const WorkItem& item, Script script,
                               const std::string& duplicate_of) {
  ItemOutcome out;
  out.branch = item.branch;
  out.deliberate = script != Script::kHonest;
  if (item.parents.empty()) {
    return make_error(ErrorCode::kInvalidArgument, item.branch + ": no parent branch");
  }
  const std::string file = item.target_file.empty() ? s.example.target_file : item.target_file;
  const std::string function =
      item.target_function.empty() ? s.example.target_function : item.target_function;

  // Worker: a branch of its own from the first parent, in its own worktree.
  std::string dir_name = item.branch;
  for (char& c : dir_name) {
    if (c == '/') c = '_';
  }
  const std::string wt = s.paths.worktrees + "/" + dir_name;
  EVO_TRY(s.git.run({"worktree", "add", "-q", "-b", item.branch, wt, item.parents[0]}));
  WorktreeGuard guard(s.git, wt);

  EVO_ASSIGN_OR_RETURN(auto text, read_text((fs::path(wt) / file).string()));
  EVO_ASSIGN_OR_RETURN(auto variant,
                       make_variant(s, item, script, duplicate_of, text, file, function));
  EVO_TRY(write_text(fs::path(wt) / file, variant.text));
  out.change = variant.description;
  if (script == Script::kEditBenchmark) {
    EVO_TRY(write_text(fs::path(wt) / s.example.benchmark_file,
                       "\n# A worker's shortcut: grade every variant as perfect.\nprint(0.0)\n",
                       /*append=*/true));
    out.change += ", and makes " + s.example.benchmark_file + " print 0.0";
  }
  s.seen_contents.insert(variant.text);
  EVO_TRY(s.git.run({"commit", "-q", "-am", out.change}, wt));

  EVO_ASSIGN_OR_RETURN(auto reply, step(s, {{"phase", "code_ready"}, {"branch", item.branch}}));
  if (const auto* rejected = std::get_if<state::Rejected>(&reply)) {
    out.kind = OutcomeKind::kRejected;
    out.reason = rejected->reason;
    return out;
  }
  if (const auto* done = std::get_if<state::WorkerDone>(&reply)) {
    if (!done->cached.value_or(false)) {
      return make_error(ErrorCode::kInternal,
                        "code_ready for " + item.branch +
                            " ended the item unexpectedly: " + wire::to_json(reply).dump());
    }
    out.kind = OutcomeKind::kCached;
    if (!done->fitness.values.empty()) out.fitness = done->fitness.values.front();
    out.cache_of = done->cache_of.value_or("");
    return out;
  }
  if (const auto* review = std::get_if<state::CheckPolicy>(&reply)) {
    // PolicyAgent: the server already refused hard violations; anything it flags, this
    // cautious reviewer refuses too.
    const std::string concerns =
        describe_findings(review->violations) + describe_findings(review->flags);
    if (!concerns.empty()) {
      EVO_ASSIGN_OR_RETURN(auto failed,
                           expect_step<state::Rejected>(s,
                                                        {{"phase", "policy_fail"},
                                                         {"branch", item.branch},
                                                         {"reason", "PolicyAgent: " + concerns}},
                                                        "policy_fail for " + item.branch));
      out.kind = OutcomeKind::kRejected;
      out.reason = failed.reason;
      return out;
    }
    EVO_ASSIGN_OR_RETURN(reply, step(s, {{"phase", "policy_pass"}, {"branch", item.branch}}));
  }
  if (!std::holds_alternative<state::RunBenchmark>(reply)) {
    return make_error(ErrorCode::kInternal, "expected run_benchmark for " + item.branch +
                                                ", got: " + wire::to_json(reply).dump());
  }

  // Worker again: benchmark the reviewed commit in the worktree and report.
  std::string raw;
  auto fitness = run_benchmark(s.example, wt, &raw);
  ++s.benchmarks_run;
  json report{{"phase", "fitness_ready"}, {"branch", item.branch}, {"raw_output", raw}};
  if (fitness) {
    report["success"] = true;
    report["fitness"] = *fitness;
  } else {
    report["success"] = false;
    report["reason"] = fitness.error().message;
  }
  EVO_ASSIGN_OR_RETURN(
      auto done, expect_step<state::WorkerDone>(s, report, "fitness_ready for " + item.branch));
  if (!fitness) {
    out.kind = OutcomeKind::kFailed;
    out.reason = fitness.error().message;
    return out;
  }
  out.kind = OutcomeKind::kEvaluated;
  out.fitness = *fitness;
  out.is_new_best = done.is_new_best;
  s.content_of[item.branch] = variant.text;
  s.evaluated_order.push_back(item.branch);
  return out;
}

}  // namespace evo::demo
