// Git observations and ref management. See git_edge.h.
#include "server/git_edge.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace evo::server {

Result<state::GitObservation> observe_code(const git::Repo& repo, const state::CodeReadyPlan& plan,
                                           const std::optional<std::string>& client_parent) {
  state::GitObservation obs;
  obs.read = true;
  auto tip = repo.branch_commit(plan.branch);
  if (!tip) {
    if (tip.error().code == ErrorCode::kNotFound) {
      return make_error(ErrorCode::kNotFound,
                        "argument 'branch': branch '" + plan.branch + "' does not exist in " +
                            repo.path() + "; commit the variant on that branch first");
    }
    return tip.error();
  }
  obs.commit = *tip;
  std::string parent = plan.parent_commit;
  if (parent.empty()) {
    auto resolved = repo.resolve_commit(plan.parent_branch);
    if (resolved) {
      parent = *resolved;
    } else if (client_parent) {
      auto fallback = repo.resolve_commit(*client_parent);
      if (!fallback) {
        return make_error(fallback.error().code,
                          "argument 'parent_commit': " + fallback.error().message);
      }
      parent = *fallback;
    } else {
      return make_error(ErrorCode::kNotFound,
                        "parent branch '" + plan.parent_branch + "' of '" + plan.branch +
                            "' cannot be resolved: " + resolved.error().message);
    }
  }
  obs.parent_commit = parent;
  auto facts = repo.diff(parent, obs.commit);
  if (!facts) return facts.error();
  obs.facts = std::move(facts).value();
  // Structural variants may add files next to the target (new, copied or renamed into its
  // directory): they are part of the variant's content, so they are part of its hash.
  std::vector<std::string> paths = plan.scope_files;
  auto dir_of = [](const std::string& p) {
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? std::string() : p.substr(0, slash);
  };
  for (const auto& f : obs.facts.files) {
    const bool arrived = f.status == policy::FileStatus::kAdded ||
                         f.status == policy::FileStatus::kCopied ||
                         f.status == policy::FileStatus::kRenamed;
    if (!arrived) continue;
    for (const auto& scope : plan.scope_files) {
      if (dir_of(scope) == dir_of(f.new_path)) paths.push_back(f.new_path);
    }
  }
  auto hash = repo.code_hash(obs.commit, paths);
  if (!hash) return hash.error();
  obs.code_hash = *hash;
  return obs;
}

Result<std::string> observe_tip(const git::Repo& repo, const std::string& branch) {
  auto tip = repo.branch_commit(branch);
  if (!tip) {
    if (tip.error().code == ErrorCode::kNotFound) return std::string();
    return tip.error();
  }
  return *tip;
}

Result<std::string> seed_commit(git::Repo& repo, bool create_tag) {
  if (auto tagged = repo.ref_commit("refs/tags/seed-baseline")) return *tagged;
  if (auto branch = repo.branch_commit("seed-baseline")) return *branch;
  auto head = repo.head_commit();
  if (!head) return head.error();
  if (create_tag) EVO_TRY(repo.set_tag("seed-baseline", *head));
  return *head;
}

void manage_refs_after_select(git::Repo& repo, const state::State& s, spdlog::logger& log) {
  const auto& sel = s.last_selection;
  if (s.config.manage_refs) {
    std::string best_commit = s.seed_commit;
    if (s.best) best_commit = s.individuals[*s.best].commit;
    if (!best_commit.empty()) {
      for (const auto& tag : {"best-gen-" + std::to_string(sel.generation),
                              std::string("best-overall")}) {
        if (auto st = repo.set_tag(tag, best_commit); !st.ok()) {
          log.warn("run {}: cannot tag {}: {}", s.run_id, tag, st.error().message);
        }
      }
    }
  }
  if (!s.config.archive_eliminated) return;
  std::vector<std::string> gone = sel.eliminate;
  gone.insert(gone.end(), sel.abandoned.begin(), sel.abandoned.end());
  for (const auto& branch : gone) {
    const state::Individual* ind = s.find(branch);
    auto tip = observe_tip(repo, branch);
    if (!tip) {
      log.warn("run {}: cannot read branch {}: {}", s.run_id, branch, tip.error().message);
      continue;
    }
    std::string commit = *tip;
    if (commit.empty() && ind != nullptr) commit = ind->commit;
    if (commit.empty()) continue;  // never committed: nothing to keep
    const std::string archive = "refs/evo/archive/" + s.run_id + "/" + branch;
    if (auto st = repo.set_ref(archive, commit, "evo-engine: archive eliminated " + branch);
        !st.ok()) {
      log.warn("run {}: cannot archive {}: {}", s.run_id, branch, st.error().message);
      continue;
    }
    // The reviewed commit must stay reachable too when the branch moved after review.
    if (ind != nullptr && !ind->commit.empty() && ind->commit != commit) {
      (void)repo.set_ref(archive + "-reviewed", ind->commit, "evo-engine: reviewed commit");
    }
    if (!tip->empty()) {
      if (auto st = repo.delete_branch(branch); !st.ok()) {
        log.warn("run {}: cannot delete {}: {}", s.run_id, branch, st.error().message);
      }
    }
  }
}

}  // namespace evo::server
