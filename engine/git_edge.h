// Git facts the state machine needs, gathered through git/ (libgit2): what a variant
// changed (code_ready), where a branch points now (fitness_ready pinning), content hashes
// (cache), and the refs the server manages after select. GitEdge owns the repository handles;
// callers get observations, never a handle that outlives the call.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "git/repo.h"
#include "state/machine.h"

namespace spdlog {
class logger;
}

namespace evo::engine {

// Observes the branch of a code_ready: tip commit, diff against the parent's pinned commit
// (or the parent branch resolved now), and the in-scope content hash.
Result<state::GitObservation> observe_code(const git::Repo& repo, const state::CodeReadyPlan& plan,
                                           const std::optional<std::string>& client_parent);

// The branch tip now; "" when the branch no longer exists.
Result<std::string> observe_tip(const git::Repo& repo, const std::string& branch);

// The seed commit for a new run: the existing `seed-baseline` tag or branch, else HEAD (and
// the tag is created when `create_tag`).
Result<std::string> seed_commit(git::Repo& repo, bool create_tag);

// The refs a select leaves, as values (so they can be written after the engine lock is
// released): tags best-gen-N and best-overall, and each eliminated branch archived under
// refs/evo/archive/<run>/<branch>, then deleted.
struct RefPlan {
  struct Archive {
    std::string branch;
    std::string reviewed_commit;  // "" when it never reached code_ready
  };
  std::string run_id;
  std::vector<std::pair<std::string, std::string>> tags;  // name, commit
  std::vector<Archive> archives;
  bool empty() const { return tags.empty() && archives.empty(); }
};
RefPlan plan_refs_after_select(const state::State& s);

// Writes a RefPlan. Failures are logged, never fatal: nothing is deleted unless its archive
// ref was written first.
void apply_refs(git::Repo& repo, const RefPlan& plan, spdlog::logger& log);

// plan_refs_after_select and apply_refs in one.
void manage_refs_after_select(git::Repo& repo, const state::State& s, spdlog::logger& log);

// The repositories the server reads, by path. A libgit2 handle must not be used by two
// threads at once, so each call borrows a handle of its own from a small pool (opened on first
// use); calls on different repositories, or on one from several threads, never wait for each
// other here, and never for the engine.
class GitEdge {
 public:
  GitEdge() = default;
  GitEdge(const GitEdge&) = delete;
  GitEdge& operator=(const GitEdge&) = delete;
  ~GitEdge();

  // Calls `fn` with a handle on the repository at `path`.
  template <typename T>
  Result<T> with_repo(const std::string& path, const std::function<Result<T>(git::Repo&)>& fn) {
    EVO_ASSIGN_OR_RETURN(auto repo, borrow(path));
    auto out = fn(*repo);
    give_back(path, std::move(repo));
    return out;
  }

  // The domain observations.
  Result<state::GitObservation> code(const std::string& path, const state::CodeReadyPlan& plan,
                                     const std::optional<std::string>& client_parent);
  Result<std::string> tip(const std::string& path, const std::string& branch);
  Result<std::string> source(const std::string& path, const std::string& commit,
                             const std::string& file);
  Result<policy::DiffFacts> reviewed_diff(const std::string& path, const std::string& parent,
                                          const std::string& commit);
  Result<std::string> seed(const std::string& path, bool create_tag);
  void refs(const std::string& path, const RefPlan& plan, spdlog::logger& log);

 private:
  Result<std::unique_ptr<git::Repo>> borrow(const std::string& path);
  void give_back(const std::string& path, std::unique_ptr<git::Repo> repo);

  std::mutex mu_;  // guards idle_
  std::map<std::string, std::vector<std::unique_ptr<git::Repo>>> idle_;
};

}  // namespace evo::engine
