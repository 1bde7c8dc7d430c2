// evo_init: start a new run over a git repository.
#include <filesystem>

#include "engine/git_edge.h"
#include "engine/tools/common.h"
#include "memory/files.h"
#include "memory/guard.h"
#include "policy/rules.h"
#include "selection/selection.h"

namespace evo::engine::tools {
namespace {

// The run's Config (its member initializers are the defaults) and the optional run id.
struct Params : state::Config {
  // pop_size as given; its default depends on the strategy and the budget (run_init).
  std::optional<int> given_pop_size;
  Params() {
    strategy = state::Strategy::kAdaptive;  // new runs; a stored config without it is reference
    objectives = {{"score", Direction::kMin}};
    protected_patterns = policy::default_protected_patterns();
    test_patterns = policy::default_test_patterns();
  }
  std::optional<std::string> run_id;
};

const Contract<state::ObjectiveSpec>& objective_contract() {
  static const Contract<state::ObjectiveSpec> kTable = [] {
    Contract<state::ObjectiveSpec> t;
    t.field("name", &state::ObjectiveSpec::name,
            spec({{"minLength", 1}, {"maxLength", 128}}).require());
    t.field("direction", &state::ObjectiveSpec::direction, FieldSpec().require());
    return t;
  }();
  return kTable;
}

Status read_objectives(const json& v, const std::string& path, Params& out) {
  return read_array(objective_contract(), v, path, out.objectives);
}

json objectives_schema() {
  return {{"type", "array"},
          {"description", "Objectives, each {name, direction}. Default: [{score, min}]."},
          {"minItems", 1},
          {"maxItems", 16},
          {"items", objective_contract().input_schema()}};
}

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    using C = state::Config;
    const json patterns_items{{"type", "string"}, {"minLength", 1}, {"maxLength", 512}};
    t.field("repo_path", &C::repo_path,
            spec({{"maxLength", kTextMaxLength}}, "Absolute path of the git repository to evolve.")
                .require());
    t.field("benchmark_cmd", &C::benchmark_cmd,
            spec({{"maxLength", 8192}}, "Shell command the workers run to benchmark a variant.")
                .require());
    t.custom("objectives", objectives_schema(), false, read_objectives);
    t.field("benchmark_format", &C::benchmark_format,
            described("numbers: last line holds one number per objective; json: last line is "
                      "an object keyed by objective name."));
    t.field("quick_cmd", &C::quick_cmd,
            spec({{"maxLength", 8192}}, "Optional fast pre-filter command."));
    t.field("max_fe", &C::max_fe,
            spec({{"minimum", 1}, {"maximum", 10000000}},
                 "Budget: maximum fitness evaluations (seed and cache hits count).")
                .with_default());
    t.custom("pop_size",
             {{"type", "integer"},
              {"minimum", 1},
              {"maximum", 10000},
              {"description",
               "Variants per generation (synergy items included). Default: strategy reference "
               "8; adaptive max(clamp(max_fe / 100, 1, 8), parallel_workers)."}},
             false, [](const json& v, const std::string& path, Params& out) {
               return contract_detail::read(v, path, out.given_pop_size);
             });
    t.field("strategy", &C::strategy,
            described("adaptive: targets compose, budget-aware; reference: Evo-anything's "
                      "algorithm, bit for bit.")
                .with_default());
    t.field("parallel_workers", &C::parallel_workers,
            spec({{"minimum", 1}, {"maximum", 10000}},
                 "Workers run at once; sizes the default pop_size.")
                .with_default());
    t.field(
        "mutation_rate", &C::mutation_rate,
        spec({{"minimum", 0}, {"maximum", 1}}, "Share of mutation vs crossover.").with_default());
    t.field(
        "structural_rate", &C::structural_rate,
        spec({{"minimum", 0}, {"maximum", 1}}, "Share of structural operations.").with_default());
    t.field("synergy_interval", &C::synergy_interval,
            spec({{"minimum", 1}, {"maximum", 100000}}, "Plan synergy checks every N generations.")
                .with_default());
    t.field(
        "top_k_survive", &C::top_k_survive,
        spec({{"minimum", 1}, {"maximum", 100000}}, "Survivors kept per target.").with_default());
    t.field(
        "directions", &C::directions,
        spec({{"items", {{"type", "string"}, {"maxLength", kTextMaxLength}}}, {"maxItems", 100}},
             "Domain hints preloaded into memory."));
    t.field("protected_patterns", &C::protected_patterns,
            spec({{"items", patterns_items}, {"maxItems", 200}},
                 "Globs no variant may touch. Default: the reference's list."));
    t.field("test_patterns", &C::test_patterns,
            spec({{"items", patterns_items}, {"maxItems", 200}},
                 "Globs identifying test files (which may not be deleted or renamed)."));
    t.field("policy_mode", &C::policy_mode,
            described("both (default): hard rules enforced by the server, flags reviewed by the "
                      "PolicyAgent; server: auto-approve clean diffs; agent: the agent decides "
                      "but hard violations still block; off: no git, no policy."));
    t.field("archive_eliminated", &C::archive_eliminated,
            described("Move eliminated branches under refs/evo/archive/.").with_default());
    t.field("manage_refs", &C::manage_refs,
            described("Tag seed-baseline, best-gen-N, best-overall.").with_default());
    t.field("max_generations", &C::max_generations, spec({{"minimum", 1}, {"maximum", 10000000}}));
    t.field("max_wall_time_s", &C::max_wall_time_s, spec({{"exclusiveMinimum", 0}}));
    t.field("stagnation_generations", &C::stagnation_generations,
            spec({{"minimum", 1}, {"maximum", 100000}}));
    t.custom("target_fitness",
             {{"type", json::array({"number", "array"})},
              {"items", {{"type", "number"}}},
              {"minItems", 1},
              {"description",
               "Stop once the best variant reaches this fitness (a number, or one "
               "value per objective)."}},
             false, [](const json& v, const std::string& path, Params& out) -> Status {
               std::vector<double> values;
               EVO_TRY(read_number_or_array(v, path, values));
               out.target_fitness = std::move(values);
               return {};
             });
    json run_id = id_schema();
    run_id["description"] =
        "Optional id for the new run. Re-sending evo_init with the same id and arguments "
        "returns the same reply instead of starting another run.";
    t.custom("run_id", run_id, false, [](const json& v, const std::string& path, Params& out) {
      return contract_detail::read(v, path, out.run_id);
    });
    t.field("seed", &C::seed,
            spec({{"minimum", 0}}, "RNG seed: the same seed and reports give the same run."));
    return t;
  }();
  return kTable;
}

Result<state::Initialized> run_init(Engine& engine, const json& args) {
  EVO_ASSIGN_OR_RETURN(Params p, contract().parse(args));
  if (p.benchmark_cmd.empty()) return argument_error("benchmark_cmd", "must not be empty");
  std::optional<std::string> run_id = std::move(p.run_id);
  const auto given_pop_size = p.given_pop_size;
  state::Config c = std::move(p);
  c.pop_size = given_pop_size ? *given_pop_size
               : c.strategy == state::Strategy::kReference
                   ? state::Config{}.pop_size
                   : selection::default_pop_size(c.max_fe, c.parallel_workers);

  namespace fs = std::filesystem;
  const fs::path repo(c.repo_path);
  if (!repo.is_absolute()) {
    return argument_error("repo_path", "must be an absolute path, got '" + c.repo_path + "'");
  }
  std::error_code ec;
  if (!fs::is_directory(repo, ec)) {
    return argument_error("repo_path", "'" + c.repo_path + "' is not a directory");
  }
  c.repo_path = fs::weakly_canonical(repo, ec).string();
  if (memory::files::is_work_tree(c.repo_path)) EVO_TRY(memory::check_memory_dir(c.repo_path));
  std::string seed;
  if (c.policy_mode != state::PolicyMode::kOff) {
    bool opened = false;
    auto commit = engine.git().with_repo<std::string>(c.repo_path, [&](git::Repo& handle) {
      opened = true;
      return seed_commit(handle, c.manage_refs);
    });
    if (!opened) {
      return argument_error("repo_path", "'" + c.repo_path + "' is not a git repository (" +
                                             commit.error().message + ")");
    }
    if (!commit) {
      return make_error(commit.error().code, "argument 'repo_path': cannot find the seed commit: " +
                                                 commit.error().message);
    }
    seed = *commit;
  }
  return expect<state::Initialized>(engine.create_run(std::move(c), seed, run_id));
}

}  // namespace

ToolDef make_evo_init(Engine& engine) {
  ToolDef def;
  def.name = "evo_init";
  def.title = "Start an evolution run";
  def.description =
      "Initialize a new evolution run over a git repository: benchmark command, objectives "
      "(each min or max), budget and selection parameters, policy mode. Returns the new "
      "run_id; every other tool acts on the latest run unless given `run`.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<state::Initialized>();
  def.handler = [&engine](const json& args, ToolContext&) {
    return to_outcome(run_init(engine, args));
  };
  return def;
}

}  // namespace evo::engine::tools
