// evo_revalidate_targets: does each target's function still exist at its best branch?
#include "engine/tools/common.h"
#include "policy/rules.h"

namespace evo::engine::tools {
ToolDef make_evo_revalidate_targets(Engine& engine) {
  ToolDef def;
  def.name = "evo_revalidate_targets";
  def.title = "Revalidate targets";
  def.description =
      "For each target, read its file at the current best commit through git (not the working "
      "tree) and check that the target function is still defined (language-aware: Python, "
      "C/C++, Java, JS/TS, Go, Rust).";
  def.input_schema = run_only_contract().input_schema();
  def.output_schema =
      output_schema({{"targets", {{"type", "array"}}}, {"all_valid", {{"type", "boolean"}}}},
                    {"targets", "all_valid"});
  def.handler = [&engine](const json& args, ToolContext&) {
    // What to check is read under the engine lock; the sources, from git, after it is released.
    auto p = run_only_contract().parse(args);
    if (!p) return to_outcome(p.error());
    std::string run_id, repo_path;
    auto entries = engine.read(p->run, [&](const state::State& s) -> Result<json> {
      if (s.config.policy_mode == state::PolicyMode::kOff) {
        return make_error(ErrorCode::kIllegalTransition,
                          "run " + s.run_id + " uses policy_mode off (no git): nothing to read");
      }
      run_id = s.run_id;
      repo_path = s.config.repo_path;
      json out = json::array();
      for (const auto& t : s.targets) {
        std::string branch = "seed-baseline";
        std::string commit = s.seed_commit;
        if (t.best) {
          branch = s.individuals[*t.best].branch;
          commit = s.individuals[*t.best].commit;
        }
        out.push_back({{"target_id", t.id},
                       {"file", t.file},
                       {"function", t.function},
                       {"branch", branch},
                       {"commit", commit}});
      }
      return out;
    });
    if (!entries) return to_outcome(entries);
    bool all_valid = true;
    auto targets = engine.git().with_repo<json>(repo_path, [&](git::Repo& repo) -> Result<json> {
      json out = json::array();
      for (auto& entry : *entries) {
        const auto file = entry.at("file").get<std::string>();
        const auto function = entry.at("function").get<std::string>();
        const auto commit = entry.at("commit").get<std::string>();
        auto blob = repo.read_blob(commit, file);
        if (!blob) {
          entry["exists"] = false;
          entry["detail"] = "cannot read " + file + " at " + commit + ": " + blob.error().message;
        } else if (policy::source_defines_function(file, *blob, function)) {
          entry["exists"] = true;
          entry["detail"] = "defined in " + file;
        } else {
          entry["exists"] = false;
          entry["detail"] = "no definition of '" + function + "' in " + file;
        }
        all_valid = all_valid && entry["exists"].get<bool>();
        out.push_back(std::move(entry));
      }
      return out;
    });
    if (!targets) return to_outcome(targets.error());
    return to_outcome(json{{"run_id", run_id}, {"targets", *targets}, {"all_valid", all_valid}});
  };
  return def;
}

}  // namespace evo::engine::tools
