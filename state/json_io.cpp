// JSON serialization of the run model, the events and whole-state snapshots. Wire names are
// the snake_case field names; enums use their protocol spellings.
#include <nlohmann/json.hpp>

#include "state/events.h"
#include "state/json_codec.h"
#include "state/json_text.h"

namespace evo::state {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TargetSpec, id, file, function, description, hint,
                                                impact, lines, derived_from)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PlannedItem, branch, operation, target_id,
                                                parent_branches, target_file, target_function,
                                                structural_op)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunInitialized, run_id, config, created_at_ms,
                                                seed_commit)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TargetsRegistered, targets)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SeedReported, fitness)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GenerationPlanned, generation, items, rng_after)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CodeReported, branch, late_item, parent_commit,
                                                commit, code_hash, changed_files, violations, flags,
                                                outcome, cache_of, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PolicyDecided, branch, approved, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FitnessReported, branch, success, fitness,
                                                raw_output, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TargetUpdate, target_id, active, local_front, best,
                                                stagnation, temperature)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Selected, generation, targets, ranks, eliminated,
                                                abandoned, gens_without_improvement, summary)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReflectCompleted, generation, abandoned)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TargetFrozen, target_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TargetBoosted, target_id, temperature)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SynergyRecorded, record)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunFinished, reason_code, reason, abandoned)

namespace {

template <typename T>
struct EventName;
#define EVO_EVENT_NAME(T, name)                 \
  template <>                                   \
  struct EventName<T> {                         \
    static constexpr const char* kValue = name; \
  };
EVO_EVENT_NAME(RunInitialized, "run_initialized")
EVO_EVENT_NAME(TargetsRegistered, "targets_registered")
EVO_EVENT_NAME(SeedReported, "seed_reported")
EVO_EVENT_NAME(GenerationPlanned, "generation_planned")
EVO_EVENT_NAME(CodeReported, "code_reported")
EVO_EVENT_NAME(PolicyDecided, "policy_decided")
EVO_EVENT_NAME(FitnessReported, "fitness_reported")
EVO_EVENT_NAME(Selected, "selected")
EVO_EVENT_NAME(ReflectCompleted, "reflect_completed")
EVO_EVENT_NAME(TargetFrozen, "target_frozen")
EVO_EVENT_NAME(TargetBoosted, "target_boosted")
EVO_EVENT_NAME(SynergyRecorded, "synergy_recorded")
EVO_EVENT_NAME(RunFinished, "run_finished")
#undef EVO_EVENT_NAME

template <std::size_t I = 0>
Result<Event> decode(const std::string& type, const nlohmann::json& data) {
  if constexpr (I == std::variant_size_v<Event>) {
    return make_error(ErrorCode::kStorage, "unknown event type '" + type + "'");
  } else {
    using T = std::variant_alternative_t<I, Event>;
    if (type == EventName<T>::kValue) return Event{data.get<T>()};
    return decode<I + 1>(type, data);
  }
}

}  // namespace

const char* event_type(const Event& event) {
  return std::visit([](const auto& e) { return EventName<std::decay_t<decltype(e)>>::kValue; },
                    event);
}

nlohmann::json event_to_json(const Event& event) {
  return std::visit([](const auto& e) { return nlohmann::json(e); }, event);
}

namespace {

void append_selected(const Selected& e, std::string& out) {
  json_text::ObjectWriter event(out);
  event.field("generation", e.generation);
  event.key("targets");
  out += '[';
  for (std::size_t i = 0; i < e.targets.size(); ++i) {
    if (i > 0) out += ',';
    const TargetUpdate& t = e.targets[i];
    json_text::ObjectWriter target(out);
    target.field("target_id", t.target_id);
    target.field("active", t.active);
    target.field("local_front", t.local_front);
    target.field("best", t.best);
    target.field("stagnation", t.stagnation);
    target.field("temperature", t.temperature);
    target.close();
  }
  out += ']';
  event.field("ranks", e.ranks);
  event.field("eliminated", e.eliminated);
  event.field("abandoned", e.abandoned);
  event.field("gens_without_improvement", e.gens_without_improvement);
  event.key("summary");
  json_text::ObjectWriter summary(out);
  summary.field("generation", e.summary.generation);
  summary.field("keep", e.summary.keep);
  summary.field("eliminate", e.summary.eliminate);
  summary.field("abandoned", e.summary.abandoned);
  summary.close();
  event.close();
}

}  // namespace

std::string event_text(const Event& event) {
  if (const auto* selected = std::get_if<Selected>(&event)) {
    std::string out;
    out.reserve(64 + 16 * selected->ranks.size() + 32 * selected->summary.keep.size() +
                32 * selected->summary.eliminate.size());
    append_selected(*selected, out);
    return out;
  }
  return event_to_json(event).dump();
}

Result<Event> event_from_json(const std::string& type, const nlohmann::json& data) {
  try {
    return decode(type, data);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kStorage,
                      "event '" + type + "' could not be decoded: " + std::string(e.what()));
  }
}

nlohmann::json config_to_json(const Config& config) {
  return config;
}

nlohmann::json state_header_json(const State& s) {
  nlohmann::json j;
  j["run_id"] = s.run_id;
  j["config"] = s.config;
  j["created_at_ms"] = s.created_at_ms;
  j["seed_commit"] = s.seed_commit;
  j["phase"] = s.phase;
  j["done_reason"] = s.done_reason;
  j["done_reason_code"] = s.done_reason_code;
  j["generation"] = s.generation;
  j["total_evals"] = s.total_evals;
  j["targets"] = s.targets;
  j["batch"] = s.batch;
  // Written for readers of the snapshot; on reading, the cache is rebuilt from the individuals.
  nlohmann::json cache = nlohmann::json::object();
  s.cache.for_each([&](std::uint64_t id) { cache[s.individuals[id].code_hash] = id; });
  j["cache"] = std::move(cache);
  std::vector<std::uint64_t> front;
  for (const auto& m : s.archive.members()) front.push_back(m.id);
  j["archive"] = front;
  j["best"] = s.best;
  j["synergy_records"] = s.synergy_records;
  j["rng"] = s.rng;
  j["gens_without_improvement"] = s.gens_without_improvement;
  j["last_reflected_generation"] = s.last_reflected_generation;
  j["last_selection"] = s.last_selection;
  j["event_seq"] = s.event_seq;
  return j;
}

void read_state_header(const nlohmann::json& j, State& s) {
  j.at("run_id").get_to(s.run_id);
  j.at("config").get_to(s.config);
  j.at("created_at_ms").get_to(s.created_at_ms);
  j.at("seed_commit").get_to(s.seed_commit);
  j.at("phase").get_to(s.phase);
  j.at("done_reason").get_to(s.done_reason);
  j.at("done_reason_code").get_to(s.done_reason_code);
  j.at("generation").get_to(s.generation);
  j.at("total_evals").get_to(s.total_evals);
  j.at("targets").get_to(s.targets);
  j.at("batch").get_to(s.batch);
  (void)j.at("cache");  // required, but derived from the individuals: see State::reindex
  j.at("best").get_to(s.best);
  j.at("synergy_records").get_to(s.synergy_records);
  j.at("rng").get_to(s.rng);
  j.at("gens_without_improvement").get_to(s.gens_without_improvement);
  j.at("last_reflected_generation").get_to(s.last_reflected_generation);
  j.at("last_selection").get_to(s.last_selection);
  j.at("event_seq").get_to(s.event_seq);
}

Status rebuild_indexes(State& s, const std::vector<std::uint64_t>& archive) {
  for (std::size_t i = 0; i < s.targets.size(); ++i) s.target_index[s.targets[i].id] = i;
  s.reindex();
  s.archive = selection::ParetoArchive(s.config.directions_vector());
  for (std::uint64_t id : archive) {
    if (id >= s.individuals.size()) {
      return make_error(ErrorCode::kStorage, "snapshot archive names unknown individual");
    }
    s.archive.insert(id, s.individuals[id].fitness);
  }
  return {};
}

nlohmann::json state_to_json(const State& s) {
  nlohmann::json j = state_header_json(s);
  j["individuals"] = s.individuals;
  return j;
}

Result<State> state_from_json(const nlohmann::json& j) {
  try {
    State s;
    read_state_header(j, s);
    j.at("individuals").get_to(s.individuals);
    EVO_TRY(rebuild_indexes(s, j.at("archive").get<std::vector<std::uint64_t>>()));
    return s;
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kStorage,
                      "snapshot could not be decoded: " + std::string(e.what()));
  }
}

}  // namespace evo::state
