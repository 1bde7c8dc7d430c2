// evo_revalidate_targets: does each target's function still exist at its best branch?
#include "engine/tools/common.h"
#include "policy/rules.h"

namespace evo::engine::tools {

// One target's check: where it was read, and whether the function is still defined there.
struct TargetCheck {
  std::string target_id;
  std::string file;
  std::string function;
  std::string branch;  // its best branch, or seed-baseline
  std::string commit;
  bool exists = false;
  std::string detail;
};
struct Revalidation {
  std::string run_id;
  std::vector<TargetCheck> targets;
  bool all_valid = true;
};

}  // namespace evo::engine::tools

namespace evo::wire {
EVO_WIRE_SHAPE(engine::tools::TargetCheck);
EVO_WIRE_SHAPE(engine::tools::Revalidation);
const Shape<engine::tools::TargetCheck>& ShapeOf<engine::tools::TargetCheck>::get() {
  using engine::tools::TargetCheck;
  static const Shape<TargetCheck> kShape = [] {
    Shape<TargetCheck> s;
    s.field("target_id", &TargetCheck::target_id);
    s.field("file", &TargetCheck::file);
    s.field("function", &TargetCheck::function);
    s.field("branch", &TargetCheck::branch, "the target's best branch, or seed-baseline");
    s.field("commit", &TargetCheck::commit, "where the file was read");
    s.field("exists", &TargetCheck::exists);
    s.field("detail", &TargetCheck::detail);
    return s;
  }();
  return kShape;
}
const Shape<engine::tools::Revalidation>& ShapeOf<engine::tools::Revalidation>::get() {
  using engine::tools::Revalidation;
  static const Shape<Revalidation> kShape = [] {
    Shape<Revalidation> s;
    s.field("run_id", &Revalidation::run_id);
    s.field("targets", &Revalidation::targets);
    s.field("all_valid", &Revalidation::all_valid);
    return s;
  }();
  return kShape;
}
}  // namespace evo::wire

namespace evo::engine::tools {
namespace {

Result<Revalidation> revalidate(Engine& engine, const json& args) {
  // What to check is read under the engine lock; the sources, from git, after it is released.
  EVO_ASSIGN_OR_RETURN(auto p, run_only_contract().parse(args));
  std::string repo_path;
  EVO_ASSIGN_OR_RETURN(
      Revalidation out, engine.read(p.run, [&](const state::State& s) -> Result<Revalidation> {
        if (s.config.policy_mode == state::PolicyMode::kOff) {
          return make_error(ErrorCode::kIllegalTransition,
                            "run " + s.run_id + " uses policy_mode off (no git): nothing to read");
        }
        Revalidation r;
        r.run_id = s.run_id;
        repo_path = s.config.repo_path;
        for (const auto& t : s.targets) {
          TargetCheck c;
          c.target_id = t.id;
          c.file = t.file;
          c.function = t.function;
          c.branch = "seed-baseline";
          c.commit = s.seed_commit;
          if (t.best) {
            c.branch = s.individuals[*t.best].branch;
            c.commit = s.individuals[*t.best].commit;
          }
          r.targets.push_back(std::move(c));
        }
        return r;
      }));
  EVO_TRY(engine.git().with_repo<bool>(repo_path, [&](git::Repo& repo) -> Result<bool> {
    for (auto& c : out.targets) {
      auto blob = repo.read_blob(c.commit, c.file);
      if (!blob) {
        c.exists = false;
        c.detail = "cannot read " + c.file + " at " + c.commit + ": " + blob.error().message;
      } else if (policy::source_defines_function(c.file, *blob, c.function)) {
        c.exists = true;
        c.detail = "defined in " + c.file;
      } else {
        c.exists = false;
        c.detail = "no definition of '" + c.function + "' in " + c.file;
      }
      out.all_valid = out.all_valid && c.exists;
    }
    return true;
  }));
  return out;
}

}  // namespace

ToolDef make_evo_revalidate_targets(Engine& engine) {
  ToolDef def;
  def.name = "evo_revalidate_targets";
  def.title = "Revalidate targets";
  def.description =
      "For each target, read its file at the current best commit through git (not the working "
      "tree) and check that the target function is still defined (language-aware: Python, "
      "C/C++, Java, JS/TS, Go, Rust).";
  def.input_schema = run_only_contract().input_schema();
  def.output_schema = output_schema_of<Revalidation>();
  def.handler = [&engine](const json& args, ToolContext&) {
    return to_outcome(revalidate(engine, args));
  };
  return def;
}

}  // namespace evo::engine::tools
