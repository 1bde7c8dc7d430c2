// evo_revalidate_targets: does each target's function still exist at its best branch?
#include "policy/rules.h"
#include "server/tools/common.h"

namespace evo::server::tools {
namespace {

struct Params {
  RunArg run;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_revalidate_targets(Engine& engine) {
  ToolDef def;
  def.name = "evo_revalidate_targets";
  def.title = "Revalidate targets";
  def.description =
      "For each target, read its file at the current best commit through git (not the working "
      "tree) and check that the target function is still defined (language-aware: Python, "
      "C/C++, Java, JS/TS, Go, Rust).";
  def.input_schema = contract().input_schema();
  def.output_schema =
      output_schema({{"targets", {{"type", "array"}}}, {"all_valid", {{"type", "boolean"}}}},
                    {"targets", "all_valid"});
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    return to_outcome(engine.read(p->run, [&](const state::State& s) -> Result<json> {
      if (s.config.policy_mode == state::PolicyMode::kOff) {
        return make_error(ErrorCode::kIllegalTransition,
                          "run " + s.run_id + " uses policy_mode off (no git): nothing to read");
      }
      auto repo = engine.repo(s.config.repo_path);
      if (!repo) return repo.error();
      json targets = json::array();
      bool all_valid = true;
      for (const auto& t : s.targets) {
        std::string branch = "seed-baseline";
        std::string commit = s.seed_commit;
        if (t.best) {
          branch = s.individuals[*t.best].branch;
          commit = s.individuals[*t.best].commit;
        }
        json entry{{"target_id", t.id},
                   {"file", t.file},
                   {"function", t.function},
                   {"branch", branch},
                   {"commit", commit}};
        auto blob = (*repo)->read_blob(commit, t.file);
        if (!blob) {
          entry["exists"] = false;
          entry["detail"] = "cannot read " + t.file + " at " + commit + ": " + blob.error().message;
        } else if (policy::source_defines_function(t.file, *blob, t.function)) {
          entry["exists"] = true;
          entry["detail"] = "defined in " + t.file;
        } else {
          entry["exists"] = false;
          entry["detail"] = "no definition of '" + t.function + "' in " + t.file;
        }
        all_valid = all_valid && entry["exists"].get<bool>();
        targets.push_back(std::move(entry));
      }
      return json{{"run_id", s.run_id}, {"targets", targets}, {"all_valid", all_valid}};
    }));
  };
  return def;
}

}  // namespace evo::server::tools
