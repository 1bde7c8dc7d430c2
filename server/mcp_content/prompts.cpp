// The agent files as MCP prompts, with completion of their argument values from the runs.
#include <algorithm>
#include <set>

#include "server/mcp_content/agent_files.h"
#include "server/mcp_content/content.h"
#include "state/replies.h"

namespace evo::content {
namespace {

using nlohmann::json;

// Values from the latest run (none when there is no run yet).
std::vector<std::string> from_latest(server::Engine& engine,
                                     const std::function<json(const state::State&)>& pick) {
  auto r =
      engine.read(std::nullopt, [&](const state::State& s) -> Result<json> { return pick(s); });
  std::vector<std::string> out;
  if (!r) return out;
  for (const auto& v : *r) out.push_back(v.get<std::string>());
  return out;
}

// Distinct values of one summary field over every run, newest first.
std::vector<std::string> from_runs(server::Engine& engine, const char* field) {
  std::vector<std::string> out;
  auto runs = engine.list_runs();
  if (!runs) return out;
  std::set<std::string> seen;
  const auto& list = runs->at("runs");
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const auto f = it->find(field);
    if (f == it->end() || !f->is_string()) continue;
    if (seen.insert(f->get<std::string>()).second) out.push_back(f->get<std::string>());
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

// Branches of the current batch in `state` (the latest run).
std::vector<std::string> batch_branches(server::Engine& engine, state::ItemState wanted) {
  return from_latest(engine, [wanted](const state::State& s) {
    json out = json::array();
    for (auto id : s.batch) {
      const auto& ind = s.individuals[id];
      if (ind.state == wanted) out.push_back(ind.branch);
    }
    return out;
  });
}

std::vector<std::string> complete_argument(server::Engine& engine, const std::string& prompt,
                                           const std::string& argument,
                                           const std::string& partial) {
  if (argument == "branch") {
    // A worker's branch is one still to be coded; a reviewer's one waiting for its review.
    return starting_with(
        batch_branches(engine, prompt == "policy_agent" ? state::ItemState::kCoded
                                                        : state::ItemState::kPlanned),
        partial);
  }
  if (argument == "target_id") {
    return starting_with(from_latest(engine,
                                     [](const state::State& s) {
                                       json out = json::array();
                                       for (const auto& t : s.targets) out.push_back(t.id);
                                       return out;
                                     }),
                         partial);
  }
  if (argument == "item") {
    // The current batch's items that are still to be coded, as the worker expects them.
    return starting_with(from_latest(engine,
                                     [](const state::State& s) {
                                       json out = json::array();
                                       for (auto id : s.batch) {
                                         const auto& ind = s.individuals[id];
                                         if (ind.state == state::ItemState::kPlanned) {
                                           out.push_back(state::item_json(ind).dump());
                                         }
                                       }
                                       return out;
                                     }),
                         partial);
  }
  if (argument == "selection") {
    return starting_with(from_latest(engine,
                                     [](const state::State& s) {
                                       json out = json::array();
                                       if (s.last_selection.generation >= 0) {
                                         out.push_back(state::reflect_reply(s).dump());
                                       }
                                       return out;
                                     }),
                         partial);
  }
  if (argument == "repo_path") return starting_with(from_runs(engine, "repo_path"), partial);
  if (argument == "benchmark_cmd") {
    return starting_with(
        from_latest(engine,
                    [](const state::State& s) { return json::array({s.config.benchmark_cmd}); }),
        partial);
  }
  if (argument == "objectives") {
    auto values = from_latest(engine, [](const state::State& s) {
      return json::array({state::objectives_json(s).dump()});
    });
    const std::string fallback = R"([{"name":"score","direction":"min"}])";
    if (std::find(values.begin(), values.end(), fallback) == values.end()) {
      values.push_back(fallback);
    }
    return starting_with(values, partial);
  }
  return {};
}

}  // namespace

void add_prompts(server::Catalog& catalog, server::Engine& engine) {
  for (const auto& agent : agent_files()) {
    server::PromptDef def;
    def.name = agent.name;
    def.title = agent.title;
    def.description = agent.description;
    for (const auto& a : agent.arguments) {
      def.arguments.push_back({a.name, a.description, a.required});
    }
    def.get = [&agent](const server::StringMap& args) -> Result<json> {
      std::vector<std::pair<std::string, std::string>> values(args.begin(), args.end());
      auto text = render_agent(agent, values);
      if (!text) return text.error();
      return json{
          {"description", agent.description},
          {"messages",
           json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", *text}}}}})}};
    };
    if (!agent.arguments.empty()) {
      def.complete = [&engine, &agent](const std::string& argument, const std::string& partial,
                                       const server::StringMap&) {
        return complete_argument(engine, agent.name, argument, partial);
      };
    }
    catalog.add_prompt(std::move(def));
  }
}

}  // namespace evo::content
