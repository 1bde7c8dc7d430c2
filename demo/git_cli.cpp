// The workers' side of git. See git_cli.h.
#include "demo/git_cli.h"

#include "subprocess/subprocess.h"

namespace evo::demo {

Result<std::string> GitCli::run(const std::vector<std::string>& args,
                                const std::string& dir) const {
  std::vector<std::string> argv{"git",
                                "-C",
                                dir.empty() ? repo_ : dir,
                                "-c",
                                "user.name=evo-engine demo",
                                "-c",
                                "user.email=demo@evo-engine.invalid",
                                "-c",
                                "commit.gpgsign=false",
                                "-c",
                                "tag.gpgsign=false",
                                "-c",
                                "core.hooksPath=/dev/null",
                                "-c",
                                "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  EVO_ASSIGN_OR_RETURN(auto r, subprocess::run_process(argv, {}, subprocess::Millis(30000)));
  if (r.exit_code != 0) {
    std::string cmd = "git";
    for (const auto& a : args) cmd += " " + a;
    std::string err = r.err;
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    return make_error(ErrorCode::kGit,
                      "'" + cmd + "' failed" + (r.timed_out ? " (timed out)" : "") + ": " + err);
  }
  return std::move(r.out);
}

Result<std::string> GitCli::line(const std::vector<std::string>& args,
                                 const std::string& dir) const {
  EVO_ASSIGN_OR_RETURN(std::string s, run(args, dir));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace evo::demo
