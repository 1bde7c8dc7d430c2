// The checks a repository's memory/ folder must pass before a run may write there: it is not
// a symlink (the files would land wherever it points) and git does not track it (a cloned
// repository would otherwise decide what the server writes into, and evolved branches would
// carry the memory). evo_init refuses a repository that fails them.
#pragma once

#include <filesystem>

#include "core/result.h"

namespace evo::memory {

// Ok when <repo>/memory is absent or a real directory that git does not track; otherwise an
// error (kInvalidArgument) naming the path and the rule. `repo` must be a git work tree.
Status check_memory_dir(const std::filesystem::path& repo);

}  // namespace evo::memory
