// Generation planning and selection, as events. See planner.h.
#include "state/planner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace evo::state {
namespace {

constexpr const char* kStructuralOps[] = {"insert", "split", "merge", "reorder", "replace"};

std::vector<selection::Candidate> candidates(const State& s,
                                             const std::vector<std::uint64_t>& ids) {
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
  auto pair =
      selection::rank_weighted_pair(candidates(s, t.active), s.config.directions_vector(), rng);
  if (pair) return {s.individuals[pair->first].branch, s.individuals[pair->second].branch};
  return {fallback_parent(s, t)};
}

GenerationPlanned plan_reference(const State& s) {
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
        for (const auto& id : SynergyKey::parse(op.target_id).target_ids) {
          if (const Target* t = s.target(id))
            item.parent_branches.push_back(fallback_parent(s, *t));
        }
      } else {
        const Target& t = *s.target(op.target_id);
        item.branch =
            gen + op.target_id + "/" + std::string(to_string(op.op)) + "-" + std::to_string(idx);
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

Selected select_reference(const State& s, const std::vector<std::uint64_t>& abandon) {
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
                      : selection::select_survivors(
                            cands, static_cast<std::size_t>(s.config.top_k_survive), dirs, protect);
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
  ev.eliminated.erase(std::unique(ev.eliminated.begin(), ev.eliminated.end()), ev.eliminated.end());
  for (auto id : ev.eliminated) {
    if (abandoned.count(id) == 0) ev.summary.eliminate.push_back(s.individuals[id].branch);
  }
  for (auto id : abandon) ev.summary.abandoned.push_back(s.individuals[id].branch);
  ev.gens_without_improvement = any_improved ? 0 : s.gens_without_improvement + 1;
  ev.summary.generation = s.generation;
  return ev;
}

// --- The adaptive strategy (selection/README.md) --------------------------------------------

// How many recent evaluations the operator credit looks at.
std::size_t credit_window(const State& s) {
  return std::max<std::size_t>(32, 4 * static_cast<std::size_t>(s.config.pop_size));
}

// Whether `a` beats `b`: strictly better on the one objective, or dominating with several.
bool beats(const State& s, const selection::Fitness& a, const selection::Fitness& b) {
  return selection::dominates(a, b, s.config.directions_vector());
}

// Whether an evaluated child beat its first parent: the credit an operator earns.
bool improved_on_parent(const State& s, const Individual& ind) {
  if (!ind.success || ind.fitness.empty() || ind.parent_branches.empty()) return false;
  const Individual* parent = s.find(ind.parent_branches[0]);
  if (parent == nullptr || !parent->success || parent->fitness.empty()) return false;
  return beats(s, ind.fitness, parent->fitness);
}

// Tries and wins of each operator over the last credit_window() finished variants. Walks back
// from the newest individual, so the cost is bounded by the window, not by the run.
selection::OperatorStats recent_stats(const State& s) {
  selection::OperatorStats st;
  const std::size_t window = credit_window(s);
  std::size_t seen = 0;
  for (std::size_t i = s.individuals.size(); i-- > 0 && seen < window;) {
    const Individual& ind = s.individuals[i];
    if (ind.is_seed || ind.cache_of) continue;
    if (ind.state != ItemState::kEvaluated && ind.state != ItemState::kFailed) continue;
    const std::size_t k = selection::operator_index(ind.operation);
    if (k >= selection::kOperatorCount) continue;
    ++seen;
    ++st.tries[k];
    if (improved_on_parent(s, ind)) ++st.wins[k];
  }
  return st;
}

// The current best combined individual: the global front's representative (the seed before
// any variant is evaluated).
std::uint64_t best_id(const State& s) {
  return s.best.value_or(0);
}

// The individual a slot builds on when it exploits: with one objective the best combined
// individual; with several, a member of the global front drawn uniformly, so the whole front
// is worked on rather than its first-objective corner.
std::uint64_t exploit_parent(const State& s, Rng& rng) {
  if (s.config.objectives.size() > 1 && s.archive.size() > 1) {
    return s.archive.members()[rng.below(s.archive.size())].id;
  }
  return best_id(s);
}

// A target's breeding pool: its surviving population, or the seed before its first select.
// (The best combined individual is not added: a target's own best must keep the gains the
// best combined individual lacks, or no synergy could merge them.)
std::vector<std::uint64_t> breeding_pool(const State&, const Target& t) {
  if (t.active.empty()) return {0};
  return t.active;
}

// Binary tournament over `pool` (ids), never `exclude`; the dominating one wins, otherwise
// the first drawn. nullopt when the pool holds nobody else.
std::optional<std::uint64_t> tournament(const State& s, const std::vector<std::uint64_t>& pool,
                                        std::optional<std::uint64_t> exclude, Rng& rng) {
  std::vector<std::uint64_t> from;
  for (auto id : pool) {
    if (id != exclude && s.individuals[id].success) from.push_back(id);
  }
  if (from.empty()) return std::nullopt;
  const auto a = from[rng.below(from.size())];
  const auto b = from[rng.below(from.size())];
  return beats(s, s.individuals[b].fitness, s.individuals[a].fitness) ? b : a;
}

// Ancestors of `id` (itself included) through every parent link, bounded: the walk stops
// after kAncestorLimit individuals, which only makes a synergy look useful when it may not be.
std::set<std::uint64_t> ancestors(const State& s, std::uint64_t id) {
  constexpr std::size_t kAncestorLimit = 256;
  std::set<std::uint64_t> seen{id};
  std::vector<std::uint64_t> todo{id};
  while (!todo.empty() && seen.size() < kAncestorLimit) {
    const auto cur = todo.back();
    todo.pop_back();
    for (const auto& pb : s.individuals[cur].parent_branches) {
      const Individual* p = s.find(pb);
      if (p != nullptr && seen.insert(p->id).second) todo.push_back(p->id);
    }
  }
  return seen;
}

// The synergy worth planning now, if any: every active target, each with its own best when
// that best carries gains the best combined individual lacks (is not one of its ancestors),
// and with the best combined individual otherwise. Nothing when no target contributes, when
// fewer than two active targets exist, or when the very same combination (targets and parent
// branches) was planned before: a combination is evaluated once.
std::optional<PlannedItem> useful_synergy(const State& s) {
  std::vector<const Target*> active;
  for (const auto& t : s.targets) {
    if (!t.frozen) active.push_back(&t);
  }
  if (active.size() < 2) return std::nullopt;
  const std::uint64_t g = best_id(s);
  const auto anc = ancestors(s, g);
  PlannedItem item;
  item.operation = Operation::kSynergy;
  SynergyKey key;
  bool contributes = false;
  std::uint64_t oldest = g;
  for (std::size_t i = 0; i < active.size(); ++i) {
    const Target& t = *active[i];
    std::uint64_t parent = g;
    if (t.best && anc.count(*t.best) == 0) {
      parent = *t.best;
      contributes = true;
    }
    oldest = std::min(oldest, parent);
    key.target_ids.push_back(t.id);
    item.parent_branches.push_back(s.individuals[parent].branch);
  }
  if (!contributes) return std::nullopt;
  item.target_id = key.str();
  // A synergy is created after its parents: only individuals from the oldest parent on can
  // be the same combination.
  for (std::size_t i = oldest; i < s.individuals.size(); ++i) {
    const Individual& prev = s.individuals[i];
    if (prev.operation == Operation::kSynergy && prev.target_id == item.target_id &&
        prev.parent_branches == item.parent_branches) {
      return std::nullopt;
    }
  }
  return item;
}

GenerationPlanned plan_adaptive(const State& s) {
  GenerationPlanned ev;
  ev.generation = s.generation;
  Rng rng = Rng::from_state(s.rng);
  const auto budget = s.budget_remaining();
  const int pop = static_cast<int>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(s.config.pop_size), budget));
  const std::string gen = "gen-" + std::to_string(s.generation) + "/";
  if (pop <= 0) return ev;

  int slots = pop;
  if (auto syn = useful_synergy(s)) {
    syn->branch = gen + "synergy/" + syn->target_id + "-0";
    ev.items.push_back(std::move(*syn));
    --slots;
  }

  std::vector<selection::TargetPlanInput> inputs;
  for (const auto& t : s.targets) inputs.push_back({t.id, t.temperature, t.stagnation, !t.frozen});
  const std::vector<int> counts = selection::split_slots(inputs, slots, s.generation);
  const double heat = selection::stagnation_heat(s.gens_without_improvement,
                                                 selection::restart_after(s.config.pop_size));
  auto weights = selection::operator_weights(recent_stats(s), heat);
  // A rate the user set to its extreme turns the operator off: structural_rate 0 means no
  // structural variants, mutation_rate 1 no crossovers, mutation_rate 0 no mutations.
  if (s.config.structural_rate <= 0.0)
    weights[selection::operator_index(Operation::kStructural)] = 0.0;
  if (s.config.mutation_rate >= 1.0)
    weights[selection::operator_index(Operation::kCrossover)] = 0.0;
  if (s.config.mutation_rate <= 0.0) weights[selection::operator_index(Operation::kMutate)] = 0.0;
  if (weights[0] + weights[1] + weights[2] <= 0.0) weights[0] = 1.0;
  const double explore = selection::explore_probability(heat);

  std::map<std::string, int> counters;
  for (std::size_t ti = 0; ti < s.targets.size(); ++ti) {
    const Target& t = s.targets[ti];
    const auto pool = breeding_pool(s, t);
    for (int k = 0; k < counts[ti]; ++k) {
      Operation op = selection::operator_at(selection::draw_weighted(weights, rng));
      std::uint64_t first = exploit_parent(s, rng);
      if (rng.next_double() < explore)
        first = tournament(s, pool, std::nullopt, rng).value_or(first);
      PlannedItem item;
      item.target_id = t.id;
      item.parent_branches = {s.individuals[first].branch};
      if (op == Operation::kCrossover) {
        // Two distinct parents or none: a lone candidate gets a mutation instead.
        if (auto second = tournament(s, pool, first, rng)) {
          item.parent_branches.push_back(s.individuals[*second].branch);
        } else {
          op = Operation::kMutate;
        }
      }
      item.operation = op;
      const std::string name = std::string(to_string(op));
      item.branch = gen + t.id + "/" + name + "-" + std::to_string(counters[t.id + "/" + name]++);
      item.target_file = t.file;
      item.target_function = t.function;
      if (op == Operation::kStructural) {
        item.structural_op = kStructuralOps[rng.below(std::size(kStructuralOps))];
      }
      ev.items.push_back(std::move(item));
    }
  }
  ev.rng_after = rng.state();
  return ev;
}

Selected select_adaptive(const State& s, const std::vector<std::uint64_t>& abandon) {
  Selected ev;
  ev.generation = s.generation;
  ev.abandoned = abandon;
  const auto dirs = s.config.directions_vector();

  // Every individual competes in every target it belongs to: a variant in its target, a
  // synergy in each target it combines, the seed in every target that has no population yet. No one
  // is protected: the global archive keeps the record, the populations stay within top_k_survive.
  std::vector<std::vector<std::uint64_t>> groups(s.targets.size());
  std::vector<bool> had_items(s.targets.size(), false);
  for (std::size_t i = 0; i < s.targets.size(); ++i) groups[i] = breeding_pool(s, s.targets[i]);
  std::set<std::uint64_t> abandoned(abandon.begin(), abandon.end());
  std::vector<std::uint64_t> dropped;
  for (auto id : s.batch) {
    const auto& ind = s.individuals[id];
    const bool usable = ind.state == ItemState::kEvaluated && ind.success && !ind.cache_of &&
                        abandoned.count(id) == 0;
    for (const auto& tid : SynergyKey::parse(ind.target_id).target_ids) {
      auto it = s.target_index.find(tid);
      if (it == s.target_index.end()) continue;
      had_items[it->second] = true;
      if (usable) groups[it->second].push_back(id);
    }
    if (!usable) dropped.push_back(id);
  }

  bool any_improved = false;
  std::set<std::uint64_t> keep_all;
  std::set<std::uint64_t> considered;
  std::set<std::uint64_t> ranked;
  std::set<std::string> summarized;
  for (std::size_t gi = 0; gi < s.targets.size(); ++gi) {
    const Target& t = s.targets[gi];
    auto& members = groups[gi];
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    auto cands = candidates(s, members);
    selection::SurvivorResult res =
        cands.empty() ? selection::SurvivorResult{}
                      : selection::select_survivors(
                            cands, static_cast<std::size_t>(s.config.top_k_survive), dirs, {});
    for (std::size_t i = 0; i < res.ranked_ids.size(); ++i) {
      if (ranked.insert(res.ranked_ids[i]).second) {
        ev.ranks.emplace_back(res.ranked_ids[i], res.ranks[i]);
      }
    }
    for (auto id : members) considered.insert(id);
    std::vector<std::uint64_t> keep = res.keep;
    for (auto id : keep) {
      keep_all.insert(id);
      if (summarized.insert(s.individuals[id].branch).second) {
        ev.summary.keep.push_back(s.individuals[id].branch);
      }
    }

    TargetUpdate u;
    u.target_id = t.id;
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
    for (auto id : t.local_front) previous.push_back(s.individuals[id].fitness);
    if (previous.empty()) {
      if (auto seed = s.seed_obj()) previous.push_back(*seed);
    }
    for (auto id : members) {
      const auto& ind = s.individuals[id];
      if (ind.generation != s.generation || !ind.success || ind.is_seed) continue;
      const bool dominated = std::any_of(previous.begin(), previous.end(), [&](const auto& f) {
        return selection::weakly_dominates(f, ind.fitness, dirs);
      });
      if (!dominated) expanded = true;
    }
    if (t.frozen || !had_items[gi]) {
      u.stagnation = t.stagnation;
    } else {
      u.stagnation = expanded ? 0 : t.stagnation + 1;
    }
    any_improved = any_improved || expanded;
    u.temperature = selection::next_temperature(t.temperature, u.stagnation, t.frozen);
    ev.targets.push_back(std::move(u));
  }
  // Eliminated: competed somewhere and survived nowhere; or never usable. The seed may leave
  // the populations but is never eliminated: it is the run's baseline (its ref is the seed
  // tag, which the git edge must not archive).
  for (auto id : considered) {
    const Individual& ind = s.individuals[id];
    if (keep_all.count(id) == 0 && !ind.eliminated && !ind.is_seed) ev.eliminated.push_back(id);
  }
  for (auto id : dropped) {
    if (keep_all.count(id) == 0) ev.eliminated.push_back(id);
  }
  std::sort(ev.eliminated.begin(), ev.eliminated.end());
  ev.eliminated.erase(std::unique(ev.eliminated.begin(), ev.eliminated.end()), ev.eliminated.end());
  for (auto id : ev.eliminated) {
    if (abandoned.count(id) == 0) ev.summary.eliminate.push_back(s.individuals[id].branch);
  }
  for (auto id : abandon) ev.summary.abandoned.push_back(s.individuals[id].branch);
  ev.gens_without_improvement = any_improved ? 0 : s.gens_without_improvement + 1;
  ev.summary.generation = s.generation;
  return ev;
}

}  // namespace

GenerationPlanned plan_generation_event(const State& s) {
  return s.config.strategy == Strategy::kReference ? plan_reference(s) : plan_adaptive(s);
}

Selected select_event(const State& s, const std::vector<std::uint64_t>& abandon) {
  return s.config.strategy == Strategy::kReference ? select_reference(s, abandon)
                                                   : select_adaptive(s, abandon);
}

}  // namespace evo::state
