// Validation of every string that can reach a path or a git call: target ids, branch
// names, repo-relative file paths. Pure string rules; the git layer re-checks refs with
// libgit2's own validator before use.
#pragma once

#include <string>
#include <string_view>

namespace evo {

// Target ids become directory names: [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 chars,
// and not "." / ".." lookalikes (the first-character rule already excludes them).
bool is_valid_target_id(std::string_view id);
std::string target_id_rule();

// Branch names follow git-check-ref-format for a branch (refs/heads/<name>), plus our own
// hardening: no leading '-', no control characters, at most 200 chars.
// Returns an empty string when valid, otherwise the rule that was broken.
std::string branch_name_problem(std::string_view name);
inline bool is_valid_branch_name(std::string_view name) {
  return branch_name_problem(name).empty();
}

// Repo-relative paths: non-empty, not absolute, no '..' or '.' components, no empty
// components, no backslashes, no control characters, and never inside .git/.
std::string relative_path_problem(std::string_view path);
inline bool is_valid_relative_path(std::string_view path) {
  return relative_path_problem(path).empty();
}

// A full hex object id (40 for SHA-1, 64 for SHA-256) or an abbreviation of >= 7 chars.
bool is_hex_object_id(std::string_view text);

}  // namespace evo
