// The workers' side of git: the demo's scripted agents use the git CLI, as real agents do
// (only the server is forbidden from shelling out). Identity, signing and hooks are pinned so a
// user's global configuration cannot change what the demo does.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace evo::demo {

class GitCli {
 public:
  explicit GitCli(std::string repo) : repo_(std::move(repo)) {}

  // `git -C <dir> <args...>` (dir defaults to the repository); stdout on exit code 0, else an
  // error carrying the command and its stderr.
  Result<std::string> run(const std::vector<std::string>& args, const std::string& dir = {}) const;
  // run(), with the output's trailing newline removed.
  Result<std::string> line(const std::vector<std::string>& args, const std::string& dir = {}) const;

  const std::string& repo() const { return repo_; }

 private:
  std::string repo_;
};

}  // namespace evo::demo
