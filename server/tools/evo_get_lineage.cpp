// evo_get_lineage: the ancestry of a branch, back to the seed.
#include "policy/git/repo.h"
#include "server/tools/common.h"
#include "state/replies.h"

namespace evo::server::tools {

ToolDef make_evo_get_lineage(Engine& engine) {
  ToolDef def;
  def.name = "evo_get_lineage";
  def.title = "Branch lineage";
  def.description =
      "Trace a branch's ancestry: every ancestor with generation, operation, parents, fitness, "
      "Pareto rank, lifecycle state, reviewed commit, and cache-hit origin.";
  def.input_schema = object_schema(
      {{"branch", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}}},
       {"include_diff",
        {{"type", "boolean"},
         {"description", "Also return the branch's reviewed diff (parent commit to reviewed "
                          "commit), read from git even when the branch was archived."}}}},
      {"branch"});
  def.output_schema = output_schema({{"branch", {{"type", "string"}}},
                                     {"lineage", {{"type", "array"}}}},
                                    {"branch", "lineage"});
  def.handler = [&engine](const json& args, ToolContext&) {
    const auto branch = args.at("branch").get<std::string>();
    const bool include_diff = args.value("include_diff", false);
    // The lineage is read under the engine lock; the diff, from git, after it is released.
    std::string repo_path, parent_commit, commit;
    auto lineage = engine.read(run_arg(args), [&](const state::State& s) -> Result<json> {
      auto out = state::lineage_json(s, branch);
      if (!out || !include_diff) return out;
      const state::Individual* ind = s.find(branch);
      if (ind->eliminated) {
        (*out)["archive_ref"] = "refs/evo/archive/" + s.run_id + "/" + branch;
      }
      repo_path = s.config.repo_path;
      parent_commit = ind->parent_commit;
      commit = ind->commit;
      return out;
    });
    if (!lineage || !include_diff) return to_outcome(lineage);
    if (commit.empty() || parent_commit.empty()) {
      (*lineage)["diff"] = nullptr;
      return to_outcome(lineage);
    }
    auto facts = engine.git().reviewed_diff(repo_path, parent_commit, commit);
    if (!facts) return to_outcome(facts.error());
    (*lineage)["diff"] = facts->diff_text;
    (*lineage)["diff_truncated"] = facts->diff_truncated;
    return to_outcome(lineage);
  };
  return def;
}

}  // namespace evo::server::tools
