// The agent files as MCP prompts, with completion of their argument values from the runs.
#include <algorithm>
#include <set>

#include "assets/agent_files.h"
#include "content/content.h"
#include "state/replies.h"
#include "wire/replies.h"

namespace evo::content {
namespace {

using assets::agent_files;
using assets::render_agent;
using nlohmann::json;

// Values from the latest run (none when there is no run yet).
std::vector<std::string> from_latest(engine::Engine& engine,
                                     const std::function<json(const state::State&)>& pick) {
  auto r =
      engine.read(std::nullopt, [&](const state::State& s) -> Result<json> { return pick(s); });
  std::vector<std::string> out;
  if (!r) return out;
  for (const auto& v : *r) out.push_back(v.get<std::string>());
  return out;
}

// Distinct values of one summary member over every readable run, newest first.
std::vector<std::string> from_runs(engine::Engine& engine, std::string state::RunSummary::*member) {
  std::vector<std::string> out;
  auto runs = engine.list_runs();
  if (!runs) return out;
  std::set<std::string> seen;
  for (auto it = runs->runs.rbegin(); it != runs->runs.rend(); ++it) {
    const auto* summary = std::get_if<state::RunSummary>(&*it);
    if (summary == nullptr) continue;
    const std::string& value = summary->*member;
    if (seen.insert(value).second) out.push_back(value);
  }
  return out;
}

std::vector<std::string> starting_with(std::vector<std::string> values,
                                       const std::string& partial) {
  values.erase(std::remove_if(values.begin(), values.end(),
                              [&](const std::string& v) { return v.rfind(partial, 0) != 0; }),
               values.end());
  return values;
}

// One value per item of the latest run's current batch that is in state `wanted`.
std::vector<std::string> from_batch(
    engine::Engine& engine, state::ItemState wanted,
    const std::function<std::string(const state::Individual&)>& value) {
  return from_latest(engine, [&](const state::State& s) {
    json out = json::array();
    for (auto id : s.batch) {
      const auto& ind = s.individuals[id];
      if (ind.state == wanted) out.push_back(value(ind));
    }
    return out;
  });
}

// Every value an argument may take, before filtering by what the client typed.
std::vector<std::string> argument_values(engine::Engine& engine, const std::string& prompt,
                                         const std::string& argument) {
  if (argument == "branch") {
    // A worker's branch is one still to be coded; a reviewer's one waiting for its review.
    return from_batch(
        engine, prompt == "policy_agent" ? state::ItemState::kCoded : state::ItemState::kPlanned,
        [](const state::Individual& ind) { return ind.branch; });
  }
  if (argument == "item") {
    // The current batch's items that are still to be coded, as the worker expects them.
    return from_batch(engine, state::ItemState::kPlanned, [](const state::Individual& ind) {
      return wire::to_json(state::work_item(ind)).dump();
    });
  }
  if (argument == "target_id") {
    return from_latest(engine, [](const state::State& s) {
      json out = json::array();
      for (const auto& t : s.targets) out.push_back(t.id);
      return out;
    });
  }
  if (argument == "selection") {
    return from_latest(engine, [](const state::State& s) {
      json out = json::array();
      if (s.last_selection.generation >= 0)
        out.push_back(wire::to_json(state::reflect_reply(s)).dump());
      return out;
    });
  }
  if (argument == "repo_path") return from_runs(engine, &state::RunSummary::repo_path);
  if (argument == "benchmark_cmd") {
    return from_latest(engine,
                       [](const state::State& s) { return json::array({s.config.benchmark_cmd}); });
  }
  if (argument == "objectives") {
    auto values = from_latest(engine, [](const state::State& s) {
      return json::array({wire::to_json(s.config.objectives).dump()});
    });
    const std::string fallback = R"([{"name":"score","direction":"min"}])";
    if (std::find(values.begin(), values.end(), fallback) == values.end()) {
      values.push_back(fallback);
    }
    return values;
  }
  return {};
}

}  // namespace

void add_prompts(mcp::Catalog& catalog, engine::Engine& engine) {
  for (const auto& agent : agent_files()) {
    mcp::PromptDef def;
    def.name = agent.name;
    def.title = agent.title;
    def.description = agent.description;
    for (const auto& a : agent.arguments) {
      def.arguments.push_back({a.name, a.description, a.required});
    }
    def.get = [&agent](const mcp::StringMap& args) -> Result<json> {
      std::vector<std::pair<std::string, std::string>> values(args.begin(), args.end());
      EVO_ASSIGN_OR_RETURN(auto text, render_agent(agent, values));
      return json{
          {"description", agent.description},
          {"messages",
           json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}})}};
    };
    if (!agent.arguments.empty()) {
      def.complete = [&engine, &agent](const std::string& argument, const std::string& partial,
                                       const mcp::StringMap&) {
        return starting_with(argument_values(engine, agent.name, argument), partial);
      };
    }
    catalog.add_prompt(std::move(def));
  }
}

}  // namespace evo::content
