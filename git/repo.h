// The only place in evo-engine that includes <git2.h> (in repo.cpp). Opens a repository and
// answers the questions the server asks: resolve a branch, diff parent..tip, hash the in-scope
// blobs, read a blob, manage tags and archive refs. Every name is validated before it reaches
// libgit2; nothing shells out to git.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "policy/diff_facts.h"

namespace evo::git {

// libgit2's own ref-name validator applied to "refs/heads/<name>" (plus core/validate rules).
bool is_valid_branch_ref(const std::string& branch);

class Repo {
 public:
  // Opens the repository whose work tree or .git dir is `path` (no discovery upwards).
  static Result<Repo> open(const std::string& path);

  Repo(Repo&&) noexcept;
  Repo& operator=(Repo&&) noexcept;
  ~Repo();

  // Full hex id of the commit HEAD resolves to (attached or detached); kNotFound when unborn.
  Result<std::string> head_commit() const;
  // Full hex id of refs/heads/<branch>'s commit; kNotFound when the branch does not exist.
  Result<std::string> branch_commit(const std::string& branch) const;
  // Resolves a commit given as a full or abbreviated hex id, a branch name, or a tag name
  // (validated first: no '-' prefix, no '..', no control chars). Returns the full hex id.
  Result<std::string> resolve_commit(const std::string& rev) const;
  // True when `ancestor` is `descendant` or one of its ancestors.
  Result<bool> is_ancestor(const std::string& ancestor, const std::string& descendant) const;

  // Diff facts from parent to commit (both full hex ids), renames detected.
  Result<policy::DiffFacts> diff(const std::string& parent_commit, const std::string& commit,
                                 std::size_t max_diff_bytes = policy::kDefaultMaxDiffBytes) const;

  // Content hash of `paths` at `commit`: SHA-1 over "path\0blob-id\n" for each path in sorted
  // order (a missing path contributes "path\0-\n"). Identical in-scope content => same hash.
  Result<std::string> code_hash(const std::string& commit, std::vector<std::string> paths) const;
  // Blob text of `path` at `commit`; kNotFound when absent.
  Result<std::string> read_blob(const std::string& commit, const std::string& path) const;

  // refs/tags/<name> -> commit, replacing an existing one (lightweight tag).
  Status set_tag(const std::string& name, const std::string& commit);
  // Any ref under refs/ (e.g. "refs/evo/archive/<run>/<branch>") -> commit, replacing.
  Status set_ref(const std::string& full_ref, const std::string& commit, const std::string& log);
  // Deletes refs/heads/<branch>; ok when already absent.
  Status delete_branch(const std::string& branch);
  // Full hex id a full ref name points to; kNotFound when absent.
  Result<std::string> ref_commit(const std::string& full_ref) const;
  // Whether the index has an entry at `path` or below `path/` (a tracked file or folder).
  Result<bool> tracks(const std::string& path) const;

  const std::string& path() const { return path_; }

 private:
  struct Impl;
  explicit Repo(std::unique_ptr<Impl> impl, std::string path);
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace evo::git
