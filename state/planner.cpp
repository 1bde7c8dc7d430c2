// Generation planning and selection, as events. See planner.h.
#include "state/planner.h"

#include <algorithm>
#include <map>
#include <set>

namespace evo::state {
namespace {

constexpr const char* kStructuralOps[] = {"insert", "split", "merge", "reorder", "replace"};

std::vector<selection::Candidate> candidates(const State& s, const std::vector<std::uint64_t>& ids) {
  std::vector<selection::Candidate> out;
  out.reserve(ids.size());
  for (auto id : ids) {
    const auto& ind = s.individuals[id];
    if (ind.success && !ind.fitness.empty()) out.push_back({id, ind.fitness});
  }
  return out;
}

std::string fallback_parent(const State& s, const Target& t) {
  if (t.best) return s.individuals[*t.best].branch;
  return "seed-baseline";
}

std::vector<std::string> choose_parents(const State& s, const Target& t, Operation op, Rng& rng) {
  const auto& front = t.local_front;
  if (op != Operation::kCrossover) {
    if (!front.empty()) return {s.individuals[front[rng.below(front.size())]].branch};
    return {fallback_parent(s, t)};
  }
  if (front.size() >= 2) {
    const auto a = rng.below(front.size());
    auto b = rng.below(front.size() - 1);
    if (b >= a) ++b;
    return {s.individuals[front[a]].branch, s.individuals[front[b]].branch};
  }
  auto pair = selection::rank_weighted_pair(candidates(s, t.active),
                                            s.config.directions_vector(), rng);
  if (pair) return {s.individuals[pair->first].branch, s.individuals[pair->second].branch};
  return {fallback_parent(s, t)};
}

}  // namespace

GenerationPlanned plan_generation_event(const State& s) {
  GenerationPlanned ev;
  ev.generation = s.generation;
  Rng rng = Rng::from_state(s.rng);
  const auto budget = s.budget_remaining();

  std::vector<selection::TargetPlanInput> inputs;
  for (const auto& t : s.targets) inputs.push_back({t.id, t.temperature, t.stagnation, !t.frozen});
  selection::PlanParams params;
  params.pop_size = static_cast<int>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(s.config.pop_size), budget));
  params.mutation_rate = s.config.mutation_rate;
  params.structural_rate = s.config.structural_rate;
  params.synergy_interval = s.config.synergy_interval;
  params.generation = s.generation;
  const std::string gen = "gen-" + std::to_string(s.generation) + "/";

  std::map<std::string, int> counters;
  for (const auto& op : selection::plan_generation(inputs, params)) {
    for (int i = 0; i < op.count && ev.items.size() < budget; ++i) {
      PlannedItem item;
      item.operation = op.op;
      item.target_id = op.target_id;
      const std::string key = op.target_id + "/" + std::string(to_string(op.op));
      const int idx = counters[key]++;
      if (op.op == Operation::kSynergy) {
        item.branch = gen + "synergy/" + op.target_id + "-" + std::to_string(idx);
        std::size_t start = 0;
        while (start <= op.target_id.size()) {
          auto plus = op.target_id.find('+', start);
          if (plus == std::string::npos) plus = op.target_id.size();
          const Target* t = s.target(op.target_id.substr(start, plus - start));
          if (t != nullptr) item.parent_branches.push_back(fallback_parent(s, *t));
          start = plus + 1;
        }
      } else {
        const Target& t = *s.target(op.target_id);
        item.branch = gen + op.target_id + "/" + std::string(to_string(op.op)) + "-" +
                      std::to_string(idx);
        item.parent_branches = choose_parents(s, t, op.op, rng);
        item.target_file = t.file;
        item.target_function = t.function;
        if (op.op == Operation::kStructural) {
          item.structural_op = kStructuralOps[rng.below(std::size(kStructuralOps))];
        }
      }
      ev.items.push_back(std::move(item));
    }
  }
  ev.rng_after = rng.state();
  return ev;
}

Selected select_event(const State& s, const std::vector<std::uint64_t>& abandon) {
  Selected ev;
  ev.generation = s.generation;
  ev.abandoned = abandon;
  const auto dirs = s.config.directions_vector();
  std::vector<std::uint64_t> never;
  for (const auto& m : s.archive.members()) never.push_back(m.id);

  // Populations: previous survivors plus this generation's successful, non-cached results.
  std::map<std::string, std::vector<std::uint64_t>> groups;
  std::vector<std::string> order;
  for (const auto& t : s.targets) {
    groups[t.id] = t.active;
    order.push_back(t.id);
  }
  std::set<std::uint64_t> abandoned(abandon.begin(), abandon.end());
  std::vector<std::uint64_t> dropped;
  std::map<std::string, bool> had_items;
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    had_items[ind.target_id] = true;
    const bool usable = ind.state == ItemState::kEvaluated && ind.success && !ind.cache_of &&
                        abandoned.count(id) == 0;
    if (!usable) {
      dropped.push_back(id);
      continue;
    }
    if (groups.find(ind.target_id) == groups.end()) order.push_back(ind.target_id);
    groups[ind.target_id].push_back(id);
  }

  bool any_improved = false;
  std::set<std::uint64_t> keep_all;
  for (const auto& gid : order) {
    auto& members = groups[gid];
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    auto cands = candidates(s, members);
    std::vector<std::uint64_t> protect;
    for (auto id : members) {
      if (std::binary_search(never.begin(), never.end(), id)) protect.push_back(id);
    }
    selection::SurvivorResult res =
        cands.empty() ? selection::SurvivorResult{}
                      : selection::select_survivors(cands, static_cast<std::size_t>(
                                                               s.config.top_k_survive),
                                                    dirs, protect);
    for (std::size_t i = 0; i < res.ranked_ids.size(); ++i) {
      ev.ranks.emplace_back(res.ranked_ids[i], res.ranks[i]);
    }
    std::vector<std::uint64_t> keep = res.keep;
    for (auto id : keep) {
      keep_all.insert(id);
      ev.summary.keep.push_back(s.individuals[id].branch);
    }
    for (auto id : res.eliminate) ev.eliminated.push_back(id);

    const Target* t = s.target(gid);
    if (t == nullptr) continue;  // synergy group: no target bookkeeping
    TargetUpdate u;
    u.target_id = gid;
    std::sort(keep.begin(), keep.end());
    u.active = keep;
    auto kept = candidates(s, keep);
    u.local_front = selection::pareto_front_ids(kept, dirs);
    std::vector<selection::Candidate> front_cands;
    for (const auto& c : kept) {
      if (std::binary_search(u.local_front.begin(), u.local_front.end(), c.id)) {
        front_cands.push_back(c);
      }
    }
    u.best = selection::representative(front_cands, dirs);

    // Did this generation expand the target's front (or beat the seed, on the first one)?
    bool expanded = false;
    std::vector<selection::Fitness> previous;
    for (auto id : t->local_front) previous.push_back(s.individuals[id].fitness);
    if (previous.empty()) {
      if (auto seed = s.seed_obj()) previous.push_back(*seed);
    }
    for (auto id : members) {
      const auto& ind = s.individuals[id];
      if (ind.generation != s.generation || !ind.success) continue;
      const bool dominated = std::any_of(previous.begin(), previous.end(), [&](const auto& f) {
        return selection::weakly_dominates(f, ind.fitness, dirs);
      });
      if (!dominated) expanded = true;
    }
    if (t->frozen || !had_items[gid]) {
      u.stagnation = t->stagnation;
    } else {
      u.stagnation = expanded ? 0 : t->stagnation + 1;
    }
    any_improved = any_improved || expanded;
    u.temperature = selection::next_temperature(t->temperature, u.stagnation, t->frozen);
    ev.targets.push_back(std::move(u));
  }
  for (auto id : dropped) {
    if (keep_all.count(id) == 0) ev.eliminated.push_back(id);
  }
  std::sort(ev.eliminated.begin(), ev.eliminated.end());
  ev.eliminated.erase(std::unique(ev.eliminated.begin(), ev.eliminated.end()),
                      ev.eliminated.end());
  for (auto id : ev.eliminated) {
    if (abandoned.count(id) == 0) ev.summary.eliminate.push_back(s.individuals[id].branch);
  }
  for (auto id : abandon) ev.summary.abandoned.push_back(s.individuals[id].branch);
  ev.gens_without_improvement = any_improved ? 0 : s.gens_without_improvement + 1;
  ev.summary.generation = s.generation;
  return ev;
}

}  // namespace evo::state
