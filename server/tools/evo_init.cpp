// evo_init: start a new run over a git repository.
#include <filesystem>

#include "policy/rules.h"
#include "selection/selection.h"
#include "server/git_edge.h"
#include "server/memory/files.h"
#include "server/memory/guard.h"
#include "server/tools/common.h"

namespace evo::server::tools {
namespace {

json input_schema() {
  json number_or_array{{"type", json::array({"number", "array"})},
                       {"items", {{"type", "number"}}},
                       {"minItems", 1}};
  number_or_array["description"] =
      "Stop once the best variant reaches this fitness (a number, or one value per objective).";
  return object_schema(
      {{"repo_path", string_property("Absolute path of the git repository to evolve.")},
       {"benchmark_cmd", string_property("Shell command the workers run to benchmark a variant.",
                                         8192)},
       {"objectives",
        {{"type", "array"},
         {"description", "Objectives, each {name, direction}. Default: [{score, min}]."},
         {"minItems", 1},
         {"maxItems", 16},
         {"items",
          {{"type", "object"},
           {"properties",
            {{"name", {{"type", "string"}, {"minLength", 1}, {"maxLength", 128}}},
             {"direction", {{"type", "string"}, {"enum", {"min", "max"}}}}}},
           {"required", {"name", "direction"}},
           {"additionalProperties", false}}}}},
       {"benchmark_format",
        {{"type", "string"},
         {"enum", {"numbers", "json"}},
         {"description", "numbers: last line holds one number per objective; json: last line "
                         "is an object keyed by objective name."}}},
       {"quick_cmd", string_property("Optional fast pre-filter command.", 8192)},
       {"max_fe", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10000000},
                   {"description", "Budget: maximum fitness evaluations (seed and cache hits "
                                   "count). Default 500."}}},
       {"pop_size", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10000},
                     {"description", "Variants per generation (synergy items included). "
                                     "Default: strategy reference 8; adaptive "
                                     "max(clamp(max_fe / 100, 1, 8), parallel_workers)."}}},
       {"strategy", {{"type", "string"}, {"enum", {"adaptive", "reference"}},
                     {"description", "adaptive (default): targets compose, budget-aware; "
                                     "reference: Evo-anything's algorithm, bit for bit."}}},
       {"parallel_workers", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10000},
                             {"description", "Workers run at once; sizes the default pop_size. "
                                             "Default 1."}}},
       {"mutation_rate", {{"type", "number"}, {"minimum", 0}, {"maximum", 1},
                          {"description", "Share of mutation vs crossover. Default 0.5."}}},
       {"structural_rate", {{"type", "number"}, {"minimum", 0}, {"maximum", 1},
                            {"description", "Share of structural operations. Default 0.2."}}},
       {"synergy_interval", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100000},
                             {"description", "Plan synergy checks every N generations. "
                                             "Default 3."}}},
       {"top_k_survive", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100000},
                          {"description", "Survivors kept per target. Default 5."}}},
       {"directions", {{"type", "array"}, {"items", {{"type", "string"}, {"maxLength", 4096}}},
                       {"maxItems", 100},
                       {"description", "Domain hints preloaded into memory."}}},
       {"protected_patterns",
        {{"type", "array"}, {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 512}}},
         {"maxItems", 200},
         {"description", "Globs no variant may touch. Default: the reference's list."}}},
       {"test_patterns",
        {{"type", "array"}, {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 512}}},
         {"maxItems", 200},
         {"description", "Globs identifying test files (which may not be deleted or renamed)."}}},
       {"policy_mode",
        {{"type", "string"},
         {"enum", {"both", "server", "agent", "off"}},
         {"description", "both (default): hard rules enforced by the server, flags reviewed by "
                         "the PolicyAgent; server: auto-approve clean diffs; agent: the agent "
                         "decides but hard violations still block; off: no git, no policy."}}},
       {"archive_eliminated", {{"type", "boolean"},
                               {"description", "Move eliminated branches under "
                                               "refs/evo/archive/. Default true."}}},
       {"manage_refs", {{"type", "boolean"},
                        {"description", "Tag seed-baseline, best-gen-N, best-overall. Default "
                                        "true."}}},
       {"max_generations", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10000000}}},
       {"max_wall_time_s", {{"type", "number"}, {"exclusiveMinimum", 0}}},
       {"stagnation_generations", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100000}}},
       {"target_fitness", number_or_array},
       {"run_id",
        {{"type", "string"},
         {"minLength", 1},
         {"maxLength", 64},
         {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]*$"},
         {"description", "Optional id for the new run. Re-sending evo_init with the same id and "
                         "arguments returns the same reply instead of starting another run."}}},
       {"seed", {{"type", "integer"}, {"minimum", 0},
                 {"description", "RNG seed: the same seed and reports give the same run."}}}},
      {"repo_path", "benchmark_cmd"});
}

Result<json> run_init(Engine& engine, const json& args) {
  state::Config c;
  c.repo_path = args.at("repo_path").get<std::string>();
  c.benchmark_cmd = args.at("benchmark_cmd").get<std::string>();
  if (c.benchmark_cmd.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "argument 'benchmark_cmd': must not be empty");
  }
  if (auto it = args.find("objectives"); it != args.end()) {
    for (const auto& o : *it) {
      c.objectives.push_back({o.at("name").get<std::string>(),
                              *parse_direction(o.at("direction").get<std::string>())});
    }
  } else {
    c.objectives.push_back({"score", Direction::kMin});
  }
  c.benchmark_format = args.value("benchmark_format", std::string("numbers")) == "json"
                           ? state::BenchmarkFormat::kJson
                           : state::BenchmarkFormat::kNumbers;
  c.quick_cmd = args.value("quick_cmd", std::string());
  c.max_fe = args.value("max_fe", 500);
  c.strategy = args.value("strategy", std::string("adaptive")) == "reference"
                   ? state::Strategy::kReference
                   : state::Strategy::kAdaptive;
  c.parallel_workers = args.value("parallel_workers", 1);
  c.pop_size = args.value("pop_size", c.strategy == state::Strategy::kReference
                                          ? 8
                                          : selection::default_pop_size(
                                                args.value("max_fe", 500), c.parallel_workers));
  c.mutation_rate = args.value("mutation_rate", 0.5);
  c.structural_rate = args.value("structural_rate", 0.2);
  c.synergy_interval = args.value("synergy_interval", 3);
  c.top_k_survive = args.value("top_k_survive", 5);
  c.directions = args.value("directions", std::vector<std::string>{});
  c.protected_patterns =
      args.value("protected_patterns", policy::default_protected_patterns());
  c.test_patterns = args.value("test_patterns", policy::default_test_patterns());
  const std::string mode = args.value("policy_mode", std::string("both"));
  c.policy_mode = mode == "server"  ? state::PolicyMode::kServer
                  : mode == "agent" ? state::PolicyMode::kAgent
                  : mode == "off"   ? state::PolicyMode::kOff
                                    : state::PolicyMode::kBoth;
  c.archive_eliminated = args.value("archive_eliminated", true);
  c.manage_refs = args.value("manage_refs", true);
  if (args.contains("max_generations")) c.max_generations = args.at("max_generations").get<int>();
  if (args.contains("max_wall_time_s")) {
    c.max_wall_time_s = args.at("max_wall_time_s").get<double>();
  }
  if (args.contains("stagnation_generations")) {
    c.stagnation_generations = args.at("stagnation_generations").get<int>();
  }
  if (auto it = args.find("target_fitness"); it != args.end()) {
    c.target_fitness = it->is_number() ? std::vector<double>{it->get<double>()}
                                       : it->get<std::vector<double>>();
  }
  c.seed = args.value("seed", std::uint64_t{0});

  namespace fs = std::filesystem;
  const fs::path repo(c.repo_path);
  if (!repo.is_absolute()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "argument 'repo_path': must be an absolute path, got '" + c.repo_path + "'");
  }
  std::error_code ec;
  if (!fs::is_directory(repo, ec)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "argument 'repo_path': '" + c.repo_path + "' is not a directory");
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
      return make_error(ErrorCode::kInvalidArgument, "argument 'repo_path': '" + c.repo_path +
                                                         "' is not a git repository (" +
                                                         commit.error().message + ")");
    }
    if (!commit) {
      return make_error(commit.error().code,
                        "argument 'repo_path': cannot find the seed commit: " +
                            commit.error().message);
    }
    seed = *commit;
  }
  std::optional<std::string> run_id;
  if (auto it = args.find("run_id"); it != args.end()) run_id = it->get<std::string>();
  return engine.create_run(std::move(c), seed, run_id);
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
  def.input_schema = input_schema();
  def.input_schema["properties"].erase("run");
  def.output_schema = output_schema(
      {{"status", {{"type", "string"}}},
       {"run_id", {{"type", "string"}}},
       {"repo_path", {{"type", "string"}}},
       {"objectives", {{"type", "array"}}},
       {"max_fe", {{"type", "integer"}}},
       {"pop_size", {{"type", "integer"}}}},
      {"status", "run_id"});
  def.handler = [&engine](const json& args, ToolContext&) {
    return to_outcome(run_init(engine, args));
  };
  return def;
}

}  // namespace evo::server::tools
