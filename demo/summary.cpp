// The demo's final report: a summary for humans and the same facts as JSON (--json).
#include <cstdio>

#include "core/strings.h"
#include "demo/session.h"

namespace evo::demo {
namespace {

std::string fmt(double v) {
  return ProgressView::format_fitness(v);
}

std::string fmt_opt(const std::optional<double>& v) {
  return v ? fmt(*v) : std::string("-");
}

json opt_json(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

void row(std::FILE* out, const char* label, const std::string& text) {
  std::fprintf(out, "  %-12s%s\n", label, text.c_str());
}

}  // namespace

void print_summary(const DemoSession& s, const Summary& summary, std::FILE* out) {
  const std::string& obj = s.example.objective;
  std::fprintf(out, "\ndone after %d generation(s): %s\n", summary.generations_run,
               summary.done_reason.c_str());
  row(out, "best", s.best_branch + "  " + obj + " " + fmt_opt(s.best_fitness));
  char pct[64];
  std::snprintf(pct, sizeof pct, "%.1f%%", summary.improvement_pct);
  row(out, "seed",
      "seed-baseline  " + obj + " " + fmt(s.seed_fitness) + "  ->  improvement " + pct + " (" +
          obj + " is minimized)");
  if (!summary.lineage.empty()) {
    std::vector<std::string> steps;
    for (auto it = summary.lineage.rbegin(); it != summary.lineage.rend(); ++it) {
      steps.push_back(it->first + " (" + fmt_opt(it->second) + ")");
    }
    row(out, "lineage", join(steps, "\n              -> "));
  }
  row(out, "evaluations",
      std::to_string(summary.total_evals) +
          " counted by the server (seed and cache hits "
          "included); " +
          std::to_string(s.benchmarks_run) + " benchmark runs");
  row(out, "rejected", std::to_string(s.rejections.size()));
  for (const auto& o : s.rejections) {
    row(out, "", o.branch + (o.deliberate ? " (deliberate)" : "") + ": " + o.reason);
  }
  row(out, "cache hits", std::to_string(s.cache_hits.size()));
  for (const auto& o : s.cache_hits) {
    row(out, "",
        o.branch + " = " + o.cache_of + " (" + fmt_opt(o.fitness) + ")" +
            (o.deliberate ? ": " + o.change : std::string()));
  }
  if (!s.failures.empty()) row(out, "failed", std::to_string(s.failures.size()));
  const std::string gone = s.options.clean ? "  [removed: --clean]" : "";
  row(out, "repo", s.paths.repo + gone);
  row(out, "",
      "tags: " + join(summary.tags, " ") +
          (summary.best_overall_tag_ok ? "  (best-overall = " + s.best_branch + ")"
                                       : "  (best-overall does NOT match the best)"));
  row(out, "",
      std::to_string(summary.archive_refs) +
          " eliminated branches archived under refs/evo/archive/" + s.run_id + "/");
  row(out, "data dir", s.paths.data + gone);
  if (!s.options.clean) {
    row(out, "", "evo-engine status --data-dir " + s.paths.data + " --run " + s.run_id);
  }
  row(out, "memory", s.paths.memory + "/" + gone);
  row(out, "", "results   " + s.paths.results + "  (one row per evaluation)");
  row(out, "",
      "notes     the reflect role's notes under '## Notes' in " + s.paths.memory + "/targets/" +
          s.example.target_id + "/short_term/gen_N.md");
  row(out, "server log", s.paths.server_log + gone);
  for (const auto& w : s.server_warnings) row(out, "server said", w);
  char took[64];
  std::snprintf(took, sizeof took, "%.1f s", summary.elapsed_s);
  row(out, "took", took);
}

json summary_json(const DemoSession& s, const Summary& summary) {
  json per_generation = json::array();
  for (const auto& g : s.generations) {
    per_generation.push_back({{"generation", g.generation},
                              {"items", g.items},
                              {"evaluated", g.evaluated},
                              {"rejected", g.rejected},
                              {"cached", g.cached},
                              {"failed", g.failed},
                              {"best_in_generation", opt_json(g.best_in_generation)},
                              {"best_overall", opt_json(g.best_overall)},
                              {"best_branch", g.best_branch},
                              {"kept", g.kept},
                              {"eliminated", g.eliminated}});
  }
  auto outcomes = [](const std::vector<ItemOutcome>& list) {
    json arr = json::array();
    for (const auto& o : list) {
      json j{{"branch", o.branch}, {"deliberate", o.deliberate}, {"change", o.change}};
      if (!o.reason.empty()) j["reason"] = o.reason;
      if (!o.cache_of.empty()) j["cache_of"] = o.cache_of;
      if (o.fitness) j["fitness"] = *o.fitness;
      arr.push_back(std::move(j));
    }
    return arr;
  };
  json lineage = json::array();
  for (const auto& [branch, fitness] : summary.lineage) {
    lineage.push_back({{"branch", branch}, {"fitness", opt_json(fitness)}});
  }
  const bool improved = s.best_fitness && *s.best_fitness < s.seed_fitness;
  return {{"ok", summary.finished && improved},
          {"finished", summary.finished},
          {"run_id", s.run_id},
          {"example", s.example.name},
          {"objective", s.example.objective},
          {"direction", "min"},
          {"generations", summary.generations_run},
          {"done_reason", summary.done_reason},
          {"done_reason_code", summary.done_reason_code},
          {"seed_fitness", s.seed_fitness},
          {"best_fitness", opt_json(s.best_fitness)},
          {"best_branch", s.best_branch},
          {"improvement_pct", summary.improvement_pct},
          {"evaluations", summary.total_evals},
          {"benchmarks_run", s.benchmarks_run},
          {"rejections", outcomes(s.rejections)},
          {"cache_hits", outcomes(s.cache_hits)},
          {"failures", outcomes(s.failures)},
          {"per_generation", per_generation},
          {"lineage", lineage},
          {"repo", s.paths.repo},
          {"data_dir", s.paths.data},
          {"memory_dir", s.paths.memory + "/"},
          {"results_tsv", s.paths.results},
          {"short_term", s.short_term},
          {"server_log", s.paths.server_log},
          {"tags", summary.tags},
          {"archive_refs", summary.archive_refs},
          {"best_overall_tag_ok", summary.best_overall_tag_ok},
          {"server_warnings", s.server_warnings},
          {"cleaned", s.options.clean},
          {"elapsed_s", summary.elapsed_s}};
}

}  // namespace evo::demo
