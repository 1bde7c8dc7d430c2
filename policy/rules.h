// Pure policy rules over DiffFacts: what a variant may change. Hard violations are refused by
// the server without an agent; flags go to the PolicyAgent for judgement.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"
#include "policy/diff_facts.h"

namespace evo::policy {

struct Finding {
  std::string rule;    // stable machine name, e.g. "protected_path", "out_of_scope"
  std::string path;    // the file concerned ("" for change-wide findings like empty_change)
  std::string detail;  // a sentence a person can act on
};

// What the variant was allowed to touch.
struct Scope {
  Operation op = Operation::kMutate;
  // mutate/crossover: the target file; structural: the target file (new files in its directory
  // are also in scope); synergy: the union of the combined targets' files.
  std::vector<std::string> files;
  // Function names whose signature lines are watched (flag "signature_changed").
  std::vector<std::string> functions;
  bool operator==(const Scope&) const = default;
};

struct PolicyConfig {
  std::vector<std::string> protected_patterns;  // fnmatch globs on full path and basename
  std::vector<std::string> test_patterns;       // globs identifying test files
};

struct Verdict {
  std::vector<Finding> violations;  // hard: the change is refused
  std::vector<Finding> flags;       // soft: for the PolicyAgent
  bool clean() const { return violations.empty() && flags.empty(); }
};

// Hard-violation rules (rule names):
//   protected_path   - an old or new path matches a protected pattern
//   out_of_scope     - a file outside the scope was changed
//   test_removed     - a test file was deleted or renamed
//   symlink          - a symlink was added or changed
//   mode_change      - an existing file's mode flipped (regular <-> executable)
//   submodule        - a gitlink, .gitmodules or .gitattributes was changed
//   empty_change     - nothing changed
// Flag rules:
//   test_skip_marker - an added line carries a skip/only marker
//   side_effect      - an added line reads the environment, network, files or the clock
//   signature_changed- a line defining a scope function was removed or changed
Verdict evaluate(const DiffFacts& facts, const Scope& scope, const PolicyConfig& config);

// The files whose content is the variant's code, and so its content hash: the scope's files,
// and every path the diff brings in (added, copied, or the new side of a rename) that the scope
// admits as new (a structural variant's files next to its target). Sorted, without duplicates.
// The same rule as out_of_scope, so whatever policy lets a variant add is hashed.
std::vector<std::string> content_files(const Scope& scope, const DiffFacts& facts);

// fnmatch-style glob: '*' and '?' do not match '/', '**' matches across '/', '[...]' classes.
bool glob_match(std::string_view pattern, std::string_view text);
// Matches the pattern against the full path and against the basename.
bool path_matches(std::string_view pattern, std::string_view path);

std::vector<std::string> default_protected_patterns();  // the reference's defaults
std::vector<std::string> default_test_patterns();       // Python, JS/TS, C/C++, Go, Rust, Java

// Language-aware "does this line define function `name`" (Python def/async def, C/C++,
// Java, JS/TS functions and methods, Go func, Rust fn), keyed on the file extension.
bool defines_function(std::string_view path, std::string_view line, std::string_view name);
// Whether `source` (a whole file) contains a definition of `name`.
bool source_defines_function(std::string_view path, std::string_view source, std::string_view name);

}  // namespace evo::policy
