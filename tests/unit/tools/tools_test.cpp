// The 16 real tools in-process: the real registry and engine over a temp data dir and a temp
// git repository, called through an McpSession the way a transport would. Replies and errors
// are pinned exactly, and every successful reply is checked against its tool's outputSchema.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/engine.h"
#include "engine/tools/common.h"
#include "mcp/schema_validator.h"
#include "tests/unit/mcp/test_support.h"

using namespace evo;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/evo-tools-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

void sh(const std::string& cmd) {
  const std::string quiet = cmd + " >/dev/null 2>&1";
  REQUIRE_MESSAGE(std::system(quiet.c_str()) == 0, cmd);
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}

// A git repository with one target function and a committed seed.
struct Repo {
  TempDir dir;
  std::string git;
  Repo() {
    git = "git -C '" + dir.path.string() + "' ";
    sh(git + "init -q -b main");
    sh(git + "config user.email t@example.com");
    sh(git + "config user.name tester");
    write(dir.path / "solve.py", "def solve(x):\n    return x + 1\n");
    sh(git + "add solve.py");
    sh(git + "commit -q -m seed");
  }
  // What a worker does: branch from the parent, change the target, commit.
  void variant(const std::string& branch, const std::string& parent, int n) {
    sh(git + "checkout -q -B '" + branch + "' '" + parent + "'");
    write(dir.path / "solve.py", "def solve(x):\n    return x + " + std::to_string(n + 2) + "\n");
    sh(git + "commit -q -am variant");
    sh(git + "checkout -q main");
  }
};

struct Fixture {
  TempDir data;
  Repo repo;
  std::unique_ptr<engine::Engine> engine;
  std::shared_ptr<const mcp::ToolRegistry> registry;
  std::map<std::string, mcp::CompiledSchema> output_schemas;
  std::unique_ptr<mcp::testing::Client> client;
  int next_id = 1;

  Fixture() {
    engine::EngineOptions o;
    o.data_dir = data.path.string();
    auto e = engine::Engine::open(o, mcp::testing::quiet_logger());
    REQUIRE(e.ok());
    engine = std::move(e).value();
    auto tools = engine::tools::all_tools(*engine);
    for (const auto& t : tools) {
      auto compiled = mcp::CompiledSchema::compile(t.output_schema);
      REQUIRE(compiled.ok());
      output_schemas.emplace(t.name, std::move(compiled).value());
    }
    registry = mcp::testing::make_registry(std::move(tools));
    client = std::make_unique<mcp::testing::Client>(registry);
    client->handshake();
  }

  // The tool's result object (content + structuredContent, or the isError result).
  json call(const std::string& name, const json& args) {
    const json reply = client->call_tool(next_id++, name, args);
    REQUIRE_MESSAGE(reply.contains("result"), reply.dump());
    const json& result = reply.at("result");
    // Successes and refusals alike carry structuredContent in the tool's outputSchema.
    REQUIRE_MESSAGE(result.contains("structuredContent"), name << ": " << result.dump());
    const auto problems =
        output_schemas.at(name).validate(result.at("structuredContent"), "output", false);
    CHECK_MESSAGE(problems.empty(), name << ": " << result.dump());
    return result;
  }
  json ok(const std::string& name, const json& args = json::object()) {
    const json r = call(name, args);
    REQUIRE_MESSAGE(!r.value("isError", false), name << ": " << r.dump());
    // The text block mirrors structuredContent exactly.
    CHECK(json::parse(r.at("content").at(0).at("text").get<std::string>()) ==
          r.at("structuredContent"));
    return r.at("structuredContent");
  }
  // The refusal's text; its structured members are kept in `last_error`.
  std::string error(const std::string& name, const json& args) {
    const json r = call(name, args);
    REQUIRE_MESSAGE(r.value("isError", false), name << ": " << r.dump());
    last_error = r.at("structuredContent").at("error");
    const auto text = r.at("content").at(0).at("text").get<std::string>();
    // The text is the code and the message the members carry.
    const auto code = last_error.at("code").get<std::string>();
    const auto message = last_error.at("message").get<std::string>();
    CHECK((text == code + ": " + message || text == message));
    return text;
  }
  json last_error;
};

json init_args(const Fixture& f) {
  return {{"repo_path", f.repo.dir.path.string()},
          {"benchmark_cmd", "python3 bench.py"},
          {"policy_mode", "server"},
          {"pop_size", 2},
          {"max_fe", 7},
          {"run_id", "r1"},
          {"seed", 7}};
}

}  // namespace

TEST_SUITE("tools") {
  TEST_CASE("the registry advertises the 16 tools, each with a compiled contract") {
    Fixture f;
    const json list = f.client->call(900, "tools/list", json::object());
    const auto& tools = list.at("result").at("tools");
    std::vector<std::string> names;
    for (const auto& t : tools) names.push_back(t.at("name").get<std::string>());
    CHECK(names == std::vector<std::string>{
                       "evo_init", "evo_register_targets", "evo_report_seed", "evo_step",
                       "evo_next_batch", "evo_report_fitness", "evo_select_survivors",
                       "evo_get_status", "evo_get_lineage", "evo_freeze_target", "evo_boost_target",
                       "evo_record_synergy", "evo_check_cache", "evo_revalidate_targets",
                       "evo_list_runs", "evo_stop"});
    // Defaults are written once (state::Config) and the schema text says them.
    const auto& init = tools.at(0).at("inputSchema").at("properties");
    CHECK(init.at("max_fe").at("description") ==
          "Budget: maximum fitness evaluations (seed and cache hits count). Default 500.");
    CHECK(init.at("mutation_rate").at("description") ==
          "Share of mutation vs crossover. Default 0.5.");
    CHECK(init.at("policy_mode").at("enum") == json{"both", "server", "agent", "off"});
    CHECK(init.at("objectives").at("items").at("properties").at("direction").at("enum") ==
          json{"min", "max"});
    // One id pattern for runs and targets.
    CHECK(tools.at(3).at("inputSchema").at("properties").at("run").at("pattern") ==
          engine::tools::kIdPattern);
    CHECK(tools.at(1)
              .at("inputSchema")
              .at("properties")
              .at("targets")
              .at("items")
              .at("properties")
              .at("id")
              .at("pattern") == engine::tools::kIdPattern);
  }

  TEST_CASE("contracts parse with path-named errors when a handler is called directly") {
    Fixture f;
    auto tools = engine::tools::all_tools(*f.engine);
    mcp::ToolContext ctx;
    auto init =
        tools.at(0).handler({{"repo_path", "/tmp"},
                             {"benchmark_cmd", "x"},
                             {"objectives", json::array({{{"name", "a"}, {"direction", "min"}},
                                                         {{"name", "b"}, {"direction", "max"}},
                                                         {{"name", "c"}, {"direction", "up"}}})}},
                            ctx);
    REQUIRE(init.is_error);
    CHECK(init.error_message ==
          "invalid_argument: argument 'objectives[2].direction': must be one of min, max");
    auto step = tools.at(3).handler({{"phase", "teleport"}}, ctx);
    CHECK(step.error_message ==
          "invalid_argument: argument 'phase': must be one of begin_generation, code_ready, "
          "policy_pass, policy_fail, fitness_ready, select, reflect_done");
    auto targets = tools.at(1).handler(
        {{"targets", json::array({{{"id", "t"}, {"file", "a.py"}, {"function", 3}}})}}, ctx);
    CHECK(targets.error_message ==
          "invalid_argument: argument 'targets[0].function': must be a string");
    auto fitness = tools.at(5).handler({{"branch", "b"}, {"fitness", "high"}}, ctx);
    CHECK(fitness.error_message ==
          "invalid_argument: argument 'fitness': must be a number or an array of numbers");
    auto unknown = tools.at(14).handler({{"verbose", true}}, ctx);
    CHECK(unknown.error_message == "invalid_argument: argument 'verbose': is not a known argument");
  }

  TEST_CASE(
      "evo_check_cache by branch hashes what code_ready hashes (a structural variant's new file)") {
    // A structural variant that adds a helper next to its target: the helper is part of the
    // variant's code. evo_check_cache by branch, asked before code_ready, must give the hash
    // code_ready then records; it once hashed the target file alone.
    Fixture f;
    json init = init_args(f);
    init["structural_rate"] = 1.0;
    init["pop_size"] = 1;
    f.ok("evo_init", init);
    f.ok("evo_register_targets",
         {{"targets",
           json::array({{{"id", "solve"}, {"file", "solve.py"}, {"function", "solve"}}})}});
    f.ok("evo_report_seed", {{"fitness", 10.0}});
    const json batch = f.ok("evo_step", {{"phase", "begin_generation"}});
    REQUIRE(batch.at("items").size() == 1);
    const json& item = batch.at("items").at(0);
    REQUIRE(item.at("operation") == "structural");
    const auto branch = item.at("branch").get<std::string>();
    const auto parent = item.at("parent_branches").at(0).get<std::string>();

    const std::string& git = f.repo.git;
    sh(git + "checkout -q -B '" + branch + "' '" + parent + "'");
    write(f.repo.dir.path / "helper.py", "def helper(x):\n    return x * 2\n");
    write(f.repo.dir.path / "solve.py",
          "from helper import helper\n\ndef solve(x):\n    return helper(x) + 1\n");
    sh(git + "add helper.py solve.py");
    sh(git + "commit -q -m structural");
    sh(git + "checkout -q main");

    const json before = f.ok("evo_check_cache", {{"branch", branch}});
    CHECK(before.at("cached") == false);
    // The helper is in the hash: changing it alone changes the branch's hash.
    sh(git + "checkout -q '" + branch + "'");
    write(f.repo.dir.path / "helper.py", "def helper(x):\n    return x * 3\n");
    sh(git + "commit -q -am 'retune the helper'");
    sh(git + "checkout -q main");
    const json retuned = f.ok("evo_check_cache", {{"branch", branch}});
    CHECK(retuned.at("code_hash") != before.at("code_hash"));

    const json code = f.ok("evo_step", {{"phase", "code_ready"}, {"branch", branch}});
    CHECK(code.at("action") == "run_benchmark");
    const json after = f.ok("evo_check_cache", {{"branch", branch}});  // the recorded hash
    CHECK(after.at("code_hash") == retuned.at("code_hash"));
  }

  TEST_CASE("a full scripted evolution: every tool, exact replies, every reply in its schema") {
    Fixture f;
    CHECK(f.ok("evo_list_runs") ==
          json{{"count", 0}, {"latest_run", nullptr}, {"runs", json::array()}});
    CHECK(f.error("evo_get_status", json::object()) ==
          "not_found: no run exists yet: call evo_init first");
    CHECK(f.error("evo_init", {{"repo_path", "relative"}, {"benchmark_cmd", "x"}}) ==
          "invalid_argument: argument 'repo_path': must be an absolute path, got 'relative'");
    CHECK(f.error("evo_init", {{"repo_path", "/tmp"}, {"benchmark_cmd", "x"}, {"max_fe", 0}}) ==
          "argument 'max_fe': must be >= 1");

    const json init = f.ok("evo_init", init_args(f));
    const auto repo_path = fs::weakly_canonical(f.repo.dir.path).string();
    CHECK(init.at("status") == "initialized");
    CHECK(init.at("run_id") == "r1");
    CHECK(init.at("repo_path") == repo_path);
    CHECK(init.at("max_fe") == 7);
    CHECK(init.at("pop_size") == 2);
    CHECK(init.at("seed") == 7);
    CHECK(init.at("benchmark_format") == "numbers");
    CHECK(init.at("objectives") == json::array({{{"direction", "min"}, {"name", "score"}}}));
    CHECK(init.at("seed_commit").get<std::string>().size() == 40);
    // Re-sending with the same id and arguments gives the same reply.
    CHECK(f.ok("evo_init", init_args(f)) == init);

    // A target's `lines` is bounded like every text, whichever form it takes.
    const auto target_with_lines = [](json lines) {
      return json{{"targets", json::array({{{"id", "solve"},
                                            {"file", "solve.py"},
                                            {"function", "solve"},
                                            {"lines", std::move(lines)}}})}};
    };
    CHECK(f.error("evo_register_targets", target_with_lines(std::string(5000, '1'))) ==
          "argument 'targets[0].lines': must be at most 4096 character(s) long");
    CHECK(f.error("evo_register_targets", target_with_lines(json(std::vector<int>(1500, 12345)))) ==
          "invalid_argument: argument 'targets[0].lines': must be at most 4096 characters as text");
    CHECK(f.last_error.at("field") == "targets[0].lines");
    CHECK(f.ok("evo_register_targets",
               {{"targets",
                 json::array({{{"id", "solve"}, {"file", "solve.py"}, {"function", "solve"}}})}}) ==
          json{{"registered", 1}, {"target_ids", {"solve"}}, {"total_targets", 1}});
    CHECK(f.error("evo_step", {{"phase", "begin_generation"}}) ==
          "illegal_transition: the seed fitness is not reported: call evo_report_seed first");
    CHECK(f.error("evo_report_seed", json::object()) ==
          "invalid_argument: argument 'fitness_values' is required (one value per objective)");
    CHECK(f.error("evo_report_seed", {{"fitness", 10.0}, {"fitness_values", {11.0}}}) ==
          "invalid_argument: arguments 'fitness' and 'fitness_values' disagree; send one of "
          "them");
    CHECK(f.error("evo_step", {{"phase", "fitness_ready"}, {"fitness", 1.0}}) ==
          "invalid_argument: argument 'branch' is required");
    const json seed = f.ok("evo_report_seed", {{"fitness", 10.0}});
    CHECK(seed.at("seed_obj") == 10.0);
    CHECK(seed.at("total_evals") == 1);

    const json valid = f.ok("evo_revalidate_targets");
    CHECK(valid.at("all_valid") == true);
    CHECK(valid.at("targets").at(0).at("detail") == "defined in solve.py");

    const json batch = f.ok("evo_step", {{"phase", "begin_generation"}});
    CHECK(batch.at("action") == "dispatch_workers");
    CHECK(batch.at("generation") == 0);
    const auto& items = batch.at("items");
    REQUIRE(items.size() == 2);
    // The legacy tool returns the same batch, without re-planning it.
    const json legacy = f.ok("evo_next_batch");
    CHECK(legacy.at("done") == false);
    CHECK(legacy.at("batch") == items);

    int n = 0;
    for (const auto& item : items) {
      const auto branch = item.at("branch").get<std::string>();
      CHECK(f.error("evo_step", {{"phase", "fitness_ready"}, {"branch", branch}, {"fitness", 1}})
                .rfind("illegal_transition: branch '" + branch + "' is planned", 0) == 0);
      // The same refusal, for an agent that reads members instead of English.
      CHECK(f.last_error == json{{"code", "illegal_transition"},
                                 {"message", f.last_error.at("message")},
                                 {"branch", branch},
                                 {"state", "planned"},
                                 {"allowed_next", {"code_ready"}}});
      f.repo.variant(branch, item.at("parent_branches").at(0).get<std::string>(), n);
      const json code = f.ok("evo_step", {{"phase", "code_ready"}, {"branch", branch}});
      CHECK(code.at("action") == "run_benchmark");
      CHECK(code.at("auto_approved") == true);
      CHECK(code.at("branch") == branch);
      const json cache = f.ok("evo_check_cache", {{"branch", branch}});
      CHECK(cache.at("cached") == false);
      const char* tool = n == 0 ? "evo_step" : "evo_report_fitness";
      json args{{"branch", branch}, {"fitness", 9.0 - n}};
      if (n == 0) args["phase"] = "fitness_ready";
      const json done = f.ok(tool, args);
      CHECK(done.contains("action") == (n == 0));
      CHECK(done.at("branch") == branch);
      CHECK(done.at("success") == true);
      CHECK(done.at("fitness") == 9.0 - n);
      CHECK(done.at("total_evals") == 2 + n);
      ++n;
    }
    const auto best = items.at(1).at("branch").get<std::string>();
    const json hit = f.ok("evo_check_cache", {{"branch", best}});
    CHECK(hit.at("cached") == true);
    CHECK(hit.at("branch") == best);
    CHECK(hit.at("fitness") == 8.0);

    const json reflect = f.ok("evo_step", {{"phase", "select"}});
    CHECK(reflect.at("action") == "reflect");
    CHECK(reflect.at("best_branch") == best);
    CHECK(reflect.at("best_obj") == 8.0);
    // A repeated select (the legacy tool) answers the same, without `action`.
    json legacy_select = reflect;
    legacy_select.erase("action");
    CHECK(f.ok("evo_select_survivors") == legacy_select);

    const json lineage = f.ok("evo_get_lineage", {{"branch", best}, {"include_diff", true}});
    CHECK(lineage.at("branch") == best);
    CHECK(lineage.at("lineage").at(0).at("state") == "evaluated");
    CHECK(lineage.at("diff").get<std::string>().find("+    return x + 3") != std::string::npos);
    CHECK(f.error("evo_get_lineage", {{"branch", "nope"}}) ==
          "not_found: argument 'branch': 'nope' is not a branch of run r1");

    CHECK(f.ok("evo_freeze_target", {{"target_id", "solve"}}) ==
          json{{"status", "frozen"}, {"target_id", "solve"}, {"temperature", 0.0}});
    const json boost = f.ok("evo_boost_target", {{"target_id", "solve"}});
    CHECK(boost.at("target_id") == "solve");
    CHECK(f.error("evo_freeze_target", {{"target_id", "nope"}}).rfind("not_found: ", 0) == 0);

    CHECK(f.error("evo_record_synergy", {{"branch", "gen-0/synergy/a+b-0"},
                                         {"target_ids", {"a", "b"}},
                                         {"fitness_values", {1.0}}})
              .rfind("not_found: ", 0) == 0);

    const json status = f.ok("evo_get_status");
    CHECK(status.at("run_id") == "r1");
    CHECK(status.at("phase") == "reflecting");
    CHECK(status.at("total_evals") == 3);
    CHECK(status.at("best_branch_overall") == best);

    const json next = f.ok("evo_step", {{"phase", "reflect_done"}});
    CHECK((next.at("action") == "dispatch_workers" || next.at("action") == "done"));
    const json stop = f.ok("evo_stop", {{"reason", "enough"}});
    CHECK(stop.at("action") == "done");
    CHECK(stop.at("reason") == "stopped: enough");
    CHECK(stop.at("best_branch") == best);
    CHECK(f.ok("evo_stop") == stop);  // stopping a finished run returns its summary

    const json runs = f.ok("evo_list_runs");
    CHECK(runs.at("count") == 1);
    CHECK(runs.at("latest_run") == "r1");
    CHECK(runs.at("runs").at(0).at("phase") == "done");
  }
}
