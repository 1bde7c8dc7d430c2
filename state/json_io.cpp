// JSON serialization of the run model, the events and whole-state snapshots. Wire names are
// the snake_case field names; enums use their protocol spellings.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <type_traits>

#include "state/events.h"
#include "state/snapshot.h"

namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& opt) {
    if (opt) {
      j = *opt;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& opt) {
    if (j.is_null()) {
      opt = std::nullopt;
    } else {
      opt = j.get<T>();
    }
  }
};
}  // namespace nlohmann

namespace evo {
NLOHMANN_JSON_SERIALIZE_ENUM(Direction, {{Direction::kMin, "min"}, {Direction::kMax, "max"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Operation, {{Operation::kMutate, "mutate"},
                                         {Operation::kCrossover, "crossover"},
                                         {Operation::kStructural, "structural"},
                                         {Operation::kSynergy, "synergy"}})
}  // namespace evo

namespace evo::policy {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Finding, rule, path, detail)
}  // namespace evo::policy

namespace evo::state {

NLOHMANN_JSON_SERIALIZE_ENUM(PolicyMode, {{PolicyMode::kBoth, "both"},
                                          {PolicyMode::kServer, "server"},
                                          {PolicyMode::kAgent, "agent"},
                                          {PolicyMode::kOff, "off"}})
NLOHMANN_JSON_SERIALIZE_ENUM(BenchmarkFormat, {{BenchmarkFormat::kNumbers, "numbers"},
                                               {BenchmarkFormat::kJson, "json"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ItemState, {{ItemState::kPlanned, "planned"},
                                         {ItemState::kCoded, "coded"},
                                         {ItemState::kApproved, "approved"},
                                         {ItemState::kRejected, "rejected"},
                                         {ItemState::kEvaluated, "evaluated"},
                                         {ItemState::kFailed, "failed"},
                                         {ItemState::kAbandoned, "abandoned"}})
NLOHMANN_JSON_SERIALIZE_ENUM(CodeOutcome, {{CodeOutcome::kNone, "none"},
                                           {CodeOutcome::kAwaitingReview, "awaiting_review"},
                                           {CodeOutcome::kAutoApproved, "auto_approved"},
                                           {CodeOutcome::kAutoRejected, "auto_rejected"},
                                           {CodeOutcome::kCached, "cached"}})
NLOHMANN_JSON_SERIALIZE_ENUM(RunPhase, {{RunPhase::kSetup, "setup"},
                                        {RunPhase::kGenerating, "generating"},
                                        {RunPhase::kReflecting, "reflecting"},
                                        {RunPhase::kDone, "done"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ObjectiveSpec, name, direction)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Config, repo_path, benchmark_cmd,
                                                benchmark_format, quick_cmd, objectives, max_fe,
                                                pop_size, mutation_rate, structural_rate,
                                                synergy_interval, top_k_survive, directions,
                                                protected_patterns, test_patterns, policy_mode,
                                                archive_eliminated, manage_refs, max_generations,
                                                max_wall_time_s, stagnation_generations,
                                                target_fitness, seed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Target, id, file, function, description, hint,
                                                impact, lines, derived_from, frozen, temperature,
                                                stagnation, active, local_front, best)
// The fields of Individual, listed once for its JSON codec and for the snapshot writer.
#define EVO_INDIVIDUAL_DATA_FIELDS(X)                                                            \
  X(branch) X(generation) X(target_id) X(operation) X(is_seed) X(registered_late)               \
  X(parent_branches) X(target_file) X(target_function) X(structural_op) X(state)               \
  X(code_outcome) X(parent_commit) X(commit) X(code_hash) X(changed_files) X(violations)       \
  X(flags) X(reason) X(fitness) X(success) X(cache_of) X(raw_output) X(is_new_best)            \
  X(on_front_at_eval) X(evals_at) X(pareto_rank) X(alive) X(eliminated)
#define EVO_INDIVIDUAL_FIELDS(X) X(id) EVO_INDIVIDUAL_DATA_FIELDS(X)

// As NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT would write them: a missing key reads as
// the field's default.
inline void to_json(nlohmann::json& j, const Individual& ind) {
#define EVO_TO_JSON(f) j[#f] = ind.f;
  EVO_INDIVIDUAL_FIELDS(EVO_TO_JSON)
#undef EVO_TO_JSON
}
inline void from_json(const nlohmann::json& j, Individual& ind) {
  const Individual defaults;
#define EVO_FROM_JSON(f) ind.f = j.value(#f, defaults.f);
  EVO_INDIVIDUAL_FIELDS(EVO_FROM_JSON)
#undef EVO_FROM_JSON
}
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SynergyRecord, branch, generation, target_ids,
                                                fitness_values, success, individual_fitnesses,
                                                synergy_gain)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SelectionSummary, generation, keep, eliminate,
                                                abandoned)
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
                                                commit, code_hash, changed_files, violations,
                                                flags, outcome, cache_of, reason)
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
#define EVO_EVENT_NAME(T, name)                  \
  template <>                                    \
  struct EventName<T> {                          \
    static constexpr const char* kValue = name;  \
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

Result<Event> event_from_json(const std::string& type, const nlohmann::json& data) {
  try {
    return decode(type, data);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kStorage,
                      "event '" + type + "' could not be decoded: " + std::string(e.what()));
  }
}

nlohmann::json config_to_json(const Config& config) { return config; }

namespace {

// Every part of the state but its individuals (snapshot headers add them separately).
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
  j["cache"] = s.cache;
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

// The inverse of state_header_json; throws nlohmann::json::exception on a malformed header.
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
  j.at("cache").get_to(s.cache);
  j.at("best").get_to(s.best);
  j.at("synergy_records").get_to(s.synergy_records);
  j.at("rng").get_to(s.rng);
  j.at("gens_without_improvement").get_to(s.gens_without_improvement);
  j.at("last_reflected_generation").get_to(s.last_reflected_generation);
  j.at("last_selection").get_to(s.last_selection);
  j.at("event_seq").get_to(s.event_seq);
}

// Rebuilds what a snapshot leaves out because it follows from the rest: the lookup indexes and
// the archive's fitness values.
Status rebuild_indexes(State& s, const std::vector<std::uint64_t>& archive) {
  for (std::size_t i = 0; i < s.targets.size(); ++i) s.target_index[s.targets[i].id] = i;
  s.by_branch.reserve(s.individuals.size());
  for (const auto& ind : s.individuals) s.by_branch[ind.branch] = ind.id;
  s.archive = selection::ParetoArchive(s.config.directions_vector());
  for (std::uint64_t id : archive) {
    if (id >= s.individuals.size()) {
      return make_error(ErrorCode::kStorage, "snapshot archive names unknown individual");
    }
    s.archive.insert(id, s.individuals[id].fitness);
  }
  return {};
}

}  // namespace

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

// --- Snapshots (format 2), see snapshot.h --------------------------------------------------

namespace {

// Writers for the snapshot lines. Strings that need no escaping (the common case: branches,
// ids, paths, hashes) are copied as they are; anything else goes through nlohmann, which
// escapes and checks UTF-8 exactly as a dump of the whole state would.
void put_value(std::string& out, const std::string& v) {
  const bool plain = std::all_of(v.begin(), v.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
  if (!plain) {
    out += nlohmann::json(v).dump();
    return;
  }
  out += '"';
  out += v;
  out += '"';
}
template <typename T>
std::enable_if_t<std::is_integral_v<T> || std::is_floating_point_v<T>> put_value(std::string& out,
                                                                                 T v) {
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else {
    char buf[32];
    // Shortest text that reads back to the same value (doubles included).
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
    if constexpr (std::is_floating_point_v<T>) {
      // As nlohmann writes them: 20.0 stays a float, and -0.0 keeps its sign.
      if (std::find_if(buf, res.ptr, [](char c) { return c == '.' || c == 'e'; }) == res.ptr) {
        out += ".0";
      }
    }
  }
}
template <typename T>
std::enable_if_t<std::is_enum_v<T>> put_value(std::string& out, T v) {
  out += nlohmann::json(v).dump();  // the protocol spelling of the enum
}
void put_value(std::string& out, const std::optional<std::uint64_t>& v) {
  if (v) {
    put_value(out, *v);
  } else {
    out += "null";
  }
}
void put_value(std::string& out, const std::vector<policy::Finding>& v) {
  out += nlohmann::json(v).dump();
}
template <typename T>
void put_value(std::string& out, const std::vector<T>& v) {
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    put_value(out, v[i]);
  }
  out += ']';
}

template <typename T>
bool is_default(const T& v, const T& d) {
  return v == d;
}
bool is_default(const std::vector<policy::Finding>& v, const std::vector<policy::Finding>& d) {
  return v.empty() && d.empty();
}

// An individual's snapshot line: a JSON object of the fields that differ from their default,
// without the id (its position). Reading it with from_json fills in the rest.
void append_individual_line(const Individual& ind, std::string& out) {
  static const Individual kDefaults;
  const std::size_t open = out.size();
  out += '{';
  auto field = [&](const char* name, const auto& v, const auto& d) {
    if (is_default(v, d)) return;
    if (out.size() > open + 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
    put_value(out, v);
  };
#define EVO_PUT_FIELD(f) field(#f, ind.f, kDefaults.f);
  EVO_INDIVIDUAL_DATA_FIELDS(EVO_PUT_FIELD)
#undef EVO_PUT_FIELD
  out += "}\n";
}

}  // namespace

std::string SnapshotWriter::header() const {
  nlohmann::json j = state_header_json(state_);
  j["format"] = kSnapshotFormat;
  j["individual_count"] = state_.individuals.size();
  return j.dump();
}

bool SnapshotWriter::next_part(std::string& out) {
  out.clear();
  const auto& all = state_.individuals;
  while (next_ < all.size() && out.size() < kSnapshotPartBytes) {
    append_individual_line(all[next_++], out);
  }
  return !out.empty();
}

Status SnapshotReader::begin(std::string_view header) {
  auto j = nlohmann::json::parse(header, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error(ErrorCode::kStorage, "snapshot header is not a JSON object");
  }
  const auto format = j.find("format");
  if (format == j.end()) {  // format 1: the whole state in one text
    auto s = state_from_json(j);
    if (!s) return s.error();
    state_ = std::move(s).value();
    complete_ = true;
    return {};
  }
  if (*format != kSnapshotFormat) {
    return make_error(ErrorCode::kStorage, "snapshot format " + format->dump() +
                                               " is not supported (this build reads 1 and " +
                                               std::to_string(kSnapshotFormat) + ")");
  }
  try {
    read_state_header(j, state_);
    j.at("archive").get_to(archive_);
    j.at("individual_count").get_to(expected_);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kStorage,
                      "snapshot header could not be decoded: " + std::string(e.what()));
  }
  state_.individuals.reserve(expected_);
  return {};
}

Status SnapshotReader::add_part(std::string_view part) {
  std::size_t start = 0;
  while (start < part.size()) {
    auto end = part.find('\n', start);
    if (end == std::string_view::npos) end = part.size();
    const auto line = part.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return make_error(ErrorCode::kStorage,
                        "snapshot individual " + std::to_string(state_.individuals.size()) +
                            " is not a JSON object");
    }
    try {
      Individual ind = j.get<Individual>();
      ind.id = state_.individuals.size();
      state_.individuals.push_back(std::move(ind));
    } catch (const nlohmann::json::exception& e) {
      return make_error(ErrorCode::kStorage,
                        "snapshot individual " + std::to_string(state_.individuals.size()) +
                            " could not be decoded: " + std::string(e.what()));
    }
  }
  return {};
}

Result<State> SnapshotReader::finish() {
  if (!complete_) {
    if (state_.individuals.size() != expected_) {
      return make_error(ErrorCode::kStorage,
                        "snapshot holds " + std::to_string(state_.individuals.size()) + " of its " +
                            std::to_string(expected_) + " individuals");
    }
    EVO_TRY(rebuild_indexes(state_, archive_));
    complete_ = true;
  }
  return std::move(state_);
}

}  // namespace evo::state
