// evo_get_lineage: the ancestry of a branch, back to the seed.
#include "engine/tools/common.h"
#include "git/repo.h"
#include "state/replies.h"

namespace evo::engine::tools {
namespace {

struct Params {
  RunArg run;
  std::string branch;
  bool include_diff = false;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    t.field("branch", &Params::branch, spec(branch_schema()).require());
    t.field("include_diff", &Params::include_diff,
            described("Also return the branch's reviewed diff (parent commit to reviewed "
                      "commit), read from git even when the branch was archived."));
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_get_lineage(Engine& engine) {
  ToolDef def;
  def.name = "evo_get_lineage";
  def.title = "Branch lineage";
  def.description =
      "Trace a branch's ancestry: every ancestor with generation, operation, parents, fitness, "
      "Pareto rank, lifecycle state, reviewed commit, and cache-hit origin.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<state::Lineage>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    const auto& branch = p->branch;
    const bool include_diff = p->include_diff;
    // The lineage is read under the engine lock; the diff, from git, after it is released.
    std::string repo_path, parent_commit, commit;
    auto lineage = engine.read(p->run, [&](const state::State& s) -> Result<state::Lineage> {
      auto out = state::lineage_of(s, branch);
      if (!out || !include_diff) return out;
      const state::Individual* ind = s.find(branch);
      if (ind->eliminated) out->archive_ref = "refs/evo/archive/" + s.run_id + "/" + branch;
      repo_path = s.config.repo_path;
      parent_commit = ind->parent_commit;
      commit = ind->commit;
      return out;
    });
    if (!lineage || !include_diff) return to_outcome(lineage);
    if (commit.empty() || parent_commit.empty()) {
      lineage->diff = std::optional<std::string>();
      return to_outcome(lineage);
    }
    auto facts = engine.git().reviewed_diff(repo_path, parent_commit, commit);
    if (!facts) return to_outcome(facts.error());
    lineage->diff = facts->diff_text;
    lineage->diff_truncated = facts->diff_truncated;
    return to_outcome(lineage);
  };
  return def;
}

}  // namespace evo::engine::tools
