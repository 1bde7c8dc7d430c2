// Git facts the state machine needs, gathered through policy/git (libgit2): what a variant
// changed (code_ready), where a branch points now (fitness_ready pinning), content hashes
// (cache), and the refs the server manages after select.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"
#include "policy/git/repo.h"
#include "state/machine.h"

namespace spdlog {
class logger;
}

namespace evo::server {

// Observes the branch of a code_ready: tip commit, diff against the parent's pinned commit
// (or the parent branch resolved now), and the in-scope content hash.
Result<state::GitObservation> observe_code(const git::Repo& repo, const state::CodeReadyPlan& plan,
                                           const std::optional<std::string>& client_parent);

// The branch tip now; "" when the branch no longer exists.
Result<std::string> observe_tip(const git::Repo& repo, const std::string& branch);

// The seed commit for a new run: the existing `seed-baseline` tag or branch, else HEAD (and
// the tag is created when `create_tag`).
Result<std::string> seed_commit(git::Repo& repo, bool create_tag);

// After select: tag best-gen-N and best-overall, archive eliminated branches under
// refs/evo/archive/<run>/<branch> and delete them. Failures are logged, never fatal: nothing
// is deleted unless its archive ref was written first.
void manage_refs_after_select(git::Repo& repo, const state::State& s, spdlog::logger& log);

}  // namespace evo::server
