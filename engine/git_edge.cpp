// Git observations and ref management. See git_edge.h.
#include "engine/git_edge.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace evo::engine {

Result<state::GitObservation> observe_code(const git::Repo& repo, const state::CodeReadyPlan& plan,
                                           const std::optional<std::string>& client_parent) {
  state::GitObservation obs;
  obs.read = true;
  auto tip = repo.branch_commit(plan.branch);
  if (!tip) {
    if (tip.error().code == ErrorCode::kNotFound) {
      return make_error(ErrorCode::kNotFound, "argument 'branch': branch '" + plan.branch +
                                                  "' does not exist in " + repo.path() +
                                                  "; commit the variant on that branch first");
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
  EVO_ASSIGN_OR_RETURN(obs.facts, repo.diff(parent, obs.commit));
  // What the scope lets the variant add (a structural variant's files next to its target) is
  // part of its content, so it is part of its hash.
  EVO_ASSIGN_OR_RETURN(obs.code_hash,
                       repo.code_hash(obs.commit, policy::content_files(plan.scope, obs.facts)));
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
  EVO_ASSIGN_OR_RETURN(auto head, repo.head_commit());
  if (create_tag) EVO_TRY(repo.set_tag("seed-baseline", head));
  return head;
}

RefPlan plan_refs_after_select(const state::State& s) {
  RefPlan plan;
  plan.run_id = s.run_id;
  const auto& sel = s.last_selection;
  if (s.config.manage_refs) {
    std::string best_commit = s.seed_commit;
    if (s.best) best_commit = s.individuals[*s.best].commit;
    if (!best_commit.empty()) {
      plan.tags.emplace_back("best-gen-" + std::to_string(sel.generation), best_commit);
      plan.tags.emplace_back("best-overall", best_commit);
    }
  }
  if (!s.config.archive_eliminated) return plan;
  std::vector<std::string> gone = sel.eliminate;
  gone.insert(gone.end(), sel.abandoned.begin(), sel.abandoned.end());
  for (const auto& branch : gone) {
    const state::Individual* ind = s.find(branch);
    plan.archives.push_back({branch, ind != nullptr ? ind->commit : std::string()});
  }
  return plan;
}

void apply_refs(git::Repo& repo, const RefPlan& plan, spdlog::logger& log) {
  for (const auto& [tag, commit] : plan.tags) {
    if (auto st = repo.set_tag(tag, commit); !st.ok()) {
      log.warn("run {}: cannot tag {}: {}", plan.run_id, tag, st.error().message);
    }
  }
  for (const auto& [branch, reviewed] : plan.archives) {
    auto tip = observe_tip(repo, branch);
    if (!tip) {
      log.warn("run {}: cannot read branch {}: {}", plan.run_id, branch, tip.error().message);
      continue;
    }
    std::string commit = *tip;
    if (commit.empty()) commit = reviewed;
    if (commit.empty()) continue;  // never committed: nothing to keep
    const std::string archive = "refs/evo/archive/" + plan.run_id + "/" + branch;
    if (auto st = repo.set_ref(archive, commit, "evo-engine: archive eliminated " + branch);
        !st.ok()) {
      log.warn("run {}: cannot archive {}: {}", plan.run_id, branch, st.error().message);
      continue;
    }
    // The reviewed commit must stay reachable too when the branch moved after review.
    if (!reviewed.empty() && reviewed != commit) {
      (void)repo.set_ref(archive + "-reviewed", reviewed, "evo-engine: reviewed commit");
    }
    if (!tip->empty()) {
      if (auto st = repo.delete_branch(branch); !st.ok()) {
        log.warn("run {}: cannot delete {}: {}", plan.run_id, branch, st.error().message);
      }
    }
  }
}

void manage_refs_after_select(git::Repo& repo, const state::State& s, spdlog::logger& log) {
  apply_refs(repo, plan_refs_after_select(s), log);
}

GitEdge::~GitEdge() = default;

Result<std::unique_ptr<git::Repo>> GitEdge::borrow(const std::string& path) {
  {
    std::lock_guard lock(mu_);
    auto it = idle_.find(path);
    if (it != idle_.end() && !it->second.empty()) {
      auto repo = std::move(it->second.back());
      it->second.pop_back();
      return repo;
    }
  }
  EVO_ASSIGN_OR_RETURN(auto opened, git::Repo::open(path));  // outside mu_: opening reads the disk
  return std::make_unique<git::Repo>(std::move(opened));
}

void GitEdge::give_back(const std::string& path, std::unique_ptr<git::Repo> repo) {
  // Enough handles for the threads that read one repository at once; more are closed.
  constexpr std::size_t kIdlePerRepo = 4;
  std::lock_guard lock(mu_);
  auto& idle = idle_[path];
  if (idle.size() < kIdlePerRepo) idle.push_back(std::move(repo));
}

Result<state::GitObservation> GitEdge::code(const std::string& path,
                                            const state::CodeReadyPlan& plan,
                                            const std::optional<std::string>& client_parent) {
  return with_repo<state::GitObservation>(
      path, [&](git::Repo& repo) { return observe_code(repo, plan, client_parent); });
}

Result<std::string> GitEdge::tip(const std::string& path, const std::string& branch) {
  return with_repo<std::string>(path, [&](git::Repo& repo) { return observe_tip(repo, branch); });
}

Result<std::string> GitEdge::source(const std::string& path, const std::string& commit,
                                    const std::string& file) {
  return with_repo<std::string>(path,
                                [&](git::Repo& repo) { return repo.read_blob(commit, file); });
}

Result<policy::DiffFacts> GitEdge::reviewed_diff(const std::string& path, const std::string& parent,
                                                 const std::string& commit) {
  return with_repo<policy::DiffFacts>(path,
                                      [&](git::Repo& repo) { return repo.diff(parent, commit); });
}

Result<std::string> GitEdge::seed(const std::string& path, bool create_tag) {
  return with_repo<std::string>(path,
                                [&](git::Repo& repo) { return seed_commit(repo, create_tag); });
}

void GitEdge::refs(const std::string& path, const RefPlan& plan, spdlog::logger& log) {
  if (plan.empty()) return;
  auto done = with_repo<bool>(path, [&](git::Repo& repo) -> Result<bool> {
    apply_refs(repo, plan, log);
    return true;
  });
  if (!done) log.warn("run {}: refs not updated: {}", plan.run_id, done.error().message);
}

}  // namespace evo::engine
