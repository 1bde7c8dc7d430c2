// apply(): folds one event into the run state. This is the only code that mutates State,
// for live commands and for replay alike, so both give the same result.
#include <algorithm>

#include "state/events.h"

namespace evo::state {
namespace {

void fill_from_plan(Individual& ind, const PlannedItem& item, int generation) {
  ind.generation = generation;
  ind.operation = item.operation;
  ind.target_id = item.target_id;
  ind.parent_branches = item.parent_branches;
  ind.target_file = item.target_file;
  ind.target_function = item.target_function;
  ind.structural_op = item.structural_op;
  ind.state = ItemState::kPlanned;
}

// Records a successful evaluation in the global archive and moves the representative best.
void record_success(State& s, Individual& ind) {
  auto inserted = s.archive.insert(ind.id, ind.fitness);
  ind.on_front_at_eval = inserted.on_front;
  if (!inserted.on_front && inserted.displaced.empty() && s.best) return;
  auto rep = selection::representative(s.archive.members(), s.archive.directions());
  const auto previous = s.best;
  s.best = rep;
  ind.is_new_best = rep && *rep == ind.id && previous != rep;
}

void mark_abandoned(State& s, const std::vector<std::uint64_t>& ids) {
  for (auto id : ids) {
    auto& ind = s.individuals[id];
    ind.state = ItemState::kAbandoned;
    if (ind.reason.empty()) ind.reason = "abandoned while in flight";
  }
}

struct Applier {
  State& s;

  void operator()(const RunInitialized& e) const {
    s.run_id = e.run_id;
    s.config = e.config;
    s.created_at_ms = e.created_at_ms;
    s.seed_commit = e.seed_commit;
    s.phase = RunPhase::kSetup;
    s.rng = Rng(e.config.seed).state();
    s.archive = selection::ParetoArchive(e.config.directions_vector());
  }

  void operator()(const TargetsRegistered& e) const {
    for (const auto& spec : e.targets) {
      if (s.target_index.count(spec.id) != 0) continue;  // identical re-registration
      Target t;
      t.id = spec.id;
      t.file = spec.file;
      t.function = spec.function;
      t.description = spec.description;
      t.hint = spec.hint;
      t.impact = spec.impact;
      t.lines = spec.lines;
      t.derived_from = spec.derived_from;
      // A derived target starts from its parents' best temperature-neutral state.
      s.target_index[t.id] = s.targets.size();
      s.targets.push_back(std::move(t));
    }
  }

  void operator()(const SeedReported& e) const {
    auto& ind = s.add_individual("seed-baseline");
    ind.is_seed = true;
    ind.generation = -1;
    ind.state = ItemState::kEvaluated;
    ind.commit = s.seed_commit;
    ind.fitness = e.fitness;
    ind.success = true;
    s.total_evals += 1;
    ind.evals_at = s.total_evals;
    record_success(s, ind);
  }

  void operator()(const GenerationPlanned& e) const {
    s.generation = e.generation;
    s.batch.clear();
    for (const auto& item : e.items) {
      auto& ind = s.add_individual(item.branch);
      fill_from_plan(ind, item, e.generation);
      s.batch.push_back(ind.id);
    }
    s.rng = e.rng_after;
    s.phase = RunPhase::kGenerating;
  }

  void operator()(const CodeReported& e) const {
    Individual* ind = s.find(e.branch);
    if (ind == nullptr && e.late_item) {
      ind = &s.add_individual(e.branch);
      fill_from_plan(*ind, *e.late_item, s.generation);
      ind->registered_late = true;
      s.batch.push_back(ind->id);
    }
    if (ind == nullptr) return;
    ind->parent_commit = e.parent_commit;
    ind->commit = e.commit;
    ind->code_hash = e.code_hash;
    ind->changed_files = e.changed_files;
    ind->violations = e.violations;
    ind->flags = e.flags;
    ind->code_outcome = e.outcome;
    ind->reason = e.reason;
    switch (e.outcome) {
      case CodeOutcome::kAwaitingReview:
        ind->state = ItemState::kCoded;
        break;
      case CodeOutcome::kAutoApproved:
        ind->state = ItemState::kApproved;
        break;
      case CodeOutcome::kAutoRejected:
        ind->state = ItemState::kRejected;
        break;
      case CodeOutcome::kCached: {
        const auto& original = s.individuals[*e.cache_of];
        ind->state = ItemState::kEvaluated;
        ind->cache_of = e.cache_of;
        ind->fitness = original.fitness;
        ind->success = true;
        s.total_evals += 1;  // a cache hit uses budget, as in the reference
        ind->evals_at = s.total_evals;
        ind->on_front_at_eval = s.archive.contains(original.id);
        break;
      }
      case CodeOutcome::kNone:
        break;
    }
  }

  void operator()(const PolicyDecided& e) const {
    Individual* ind = s.find(e.branch);
    if (ind == nullptr) return;
    ind->state = e.approved ? ItemState::kApproved : ItemState::kRejected;
    if (!e.approved) ind->reason = e.reason;
  }

  void operator()(const FitnessReported& e) const {
    Individual* ind = s.find(e.branch);
    if (ind == nullptr) return;
    ind->success = e.success;
    s.total_evals += 1;
    ind->evals_at = s.total_evals;
    if (e.success) {
      ind->state = ItemState::kEvaluated;
      ind->fitness = e.fitness;
      record_success(s, *ind);
      s.remember_in_cache(*ind);
    } else {
      ind->state = ItemState::kFailed;
      ind->reason = e.reason;
    }
  }

  void operator()(const Selected& e) const {
    for (const auto& [id, rank] : e.ranks) s.individuals[id].pareto_rank = rank;
    mark_abandoned(s, e.abandoned);
    for (auto id : e.eliminated) {
      s.individuals[id].alive = false;
      s.individuals[id].eliminated = true;
    }
    for (const auto& u : e.targets) {
      Target* t = s.target(u.target_id);
      if (t == nullptr) continue;
      t->active = u.active;
      t->local_front = u.local_front;
      t->best = u.best;
      t->stagnation = u.stagnation;
      t->temperature = u.temperature;
      for (auto id : u.active) s.individuals[id].alive = true;
    }
    s.gens_without_improvement = e.gens_without_improvement;
    s.last_selection = e.summary;
    s.generation = e.generation + 1;
    s.phase = RunPhase::kReflecting;
  }

  void operator()(const ReflectCompleted& e) const {
    mark_abandoned(s, e.abandoned);
    s.last_reflected_generation = e.generation;
  }

  void operator()(const TargetFrozen& e) const {
    if (Target* t = s.target(e.target_id)) {
      t->frozen = true;
      t->temperature = 0.0;
    }
  }

  void operator()(const TargetBoosted& e) const {
    if (Target* t = s.target(e.target_id)) {
      t->frozen = false;
      t->temperature = e.temperature;
      t->stagnation = 0;
    }
  }

  void operator()(const SynergyRecorded& e) const { s.synergy_records.push_back(e.record); }

  void operator()(const RunFinished& e) const {
    mark_abandoned(s, e.abandoned);
    s.phase = RunPhase::kDone;
    s.done_reason_code = e.reason_code;
    s.done_reason = e.reason;
  }
};

}  // namespace

void apply_event(State& state, const Event& event) {
  std::visit(Applier{state}, event);
  state.event_seq += 1;
}

}  // namespace evo::state
