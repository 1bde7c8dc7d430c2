// evo_check_cache: has identical in-scope code been evaluated before?
#include "core/validate.h"
#include "engine/git_edge.h"
#include "engine/tools/common.h"
#include "state/replies.h"

namespace evo::engine::tools {

// What evo_check_cache answers; the original's branch and fitness on a hit.
struct CacheLookup {
  bool cached = false;
  std::string code_hash;
  std::optional<std::string> branch;
  std::optional<state::Score> fitness;
  std::optional<std::vector<double>> fitness_values;
};

}  // namespace evo::engine::tools

namespace evo::wire {
EVO_WIRE_SHAPE(engine::tools::CacheLookup);
const Shape<engine::tools::CacheLookup>& ShapeOf<engine::tools::CacheLookup>::get() {
  using engine::tools::CacheLookup;
  static const Shape<CacheLookup> kShape = [] {
    Shape<CacheLookup> s;
    s.field("cached", &CacheLookup::cached);
    s.field("code_hash", &CacheLookup::code_hash, "the server's content hash that was looked up");
    s.omittable("branch", &CacheLookup::branch, "on a hit: the variant evaluated first");
    s.omittable("fitness", &CacheLookup::fitness);
    s.omittable("fitness_values", &CacheLookup::fitness_values);
    return s;
  }();
  return kShape;
}
}  // namespace evo::wire

namespace evo::engine::tools {
namespace {

struct Params {
  RunArg run;
  std::optional<std::string> code_hash;
  std::optional<std::string> branch;
};

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    t.field("code_hash", &Params::code_hash, spec({{"minLength", 1}, {"maxLength", 128}}));
    t.field("branch", &Params::branch, spec(branch_schema()));
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_check_cache(Engine& engine) {
  ToolDef def;
  def.name = "evo_check_cache";
  def.title = "Check the fitness cache";
  def.description =
      "Look up a variant by the server's content hash (from code_ready) or by branch name (the "
      "server hashes the branch's in-scope files itself). A client-computed hash is only a "
      "hint: the server never trusts it for cache hits.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<CacheLookup>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    const auto& hash = p->code_hash;
    const auto& branch = p->branch;
    if (!hash && !branch) {
      return to_outcome(make_error(ErrorCode::kInvalidArgument, "give 'code_hash' or 'branch'"));
    }
    if (branch) {
      if (auto problem = branch_name_problem(*branch); !problem.empty()) {
        return to_outcome(argument_error("branch", problem));
      }
    }
    auto run = p->run;
    std::string key = hash.value_or("");
    if (branch) {
      // The branch's hash, when code_ready has not recorded one, is what code_ready would
      // compute: the same plan (state::prepare_code_ready, so the same scope_of) and the same
      // observation (GitEdge::code: the diff, then policy::content_files), read from git after
      // the engine lock is released; the cache is looked up in a second read.
      std::string repo_path;
      std::optional<state::CodeReadyPlan> plan;
      auto known = engine.read(run, [&](const state::State& s) -> Status {
        const state::Individual* ind = s.find(*branch);
        if (ind == nullptr) {
          return make_error(ErrorCode::kNotFound, "argument 'branch': '" + *branch +
                                                      "' is not an item of run " + s.run_id);
        }
        run = s.run_id;  // the second read looks at the same run
        if (!ind->code_hash.empty()) {
          key = ind->code_hash;
        } else if (s.config.policy_mode != state::PolicyMode::kOff) {
          EVO_ASSIGN_OR_RETURN(auto planned, state::prepare_code_ready(s, *branch));
          repo_path = s.config.repo_path;
          plan = std::move(planned);
        }
        return {};
      });
      if (!known.ok()) return to_outcome(known.error());
      if (plan) {
        auto observed = engine.git().code(repo_path, *plan, std::nullopt);
        if (!observed) return to_outcome(observed.error());
        key = observed->code_hash;
      }
    }
    return to_outcome(engine.read(run, [&](const state::State& s) -> Result<CacheLookup> {
      CacheLookup out;
      out.code_hash = key;
      const auto hit = s.cache_hit(key);
      if (!hit) return out;
      const auto& original = s.individuals[*hit];
      out.cached = true;
      out.branch = original.branch;
      out.fitness = state::score(s, original.fitness);
      out.fitness_values = original.fitness;
      return out;
    }));
  };
  return def;
}

}  // namespace evo::engine::tools
