// Reply and query shapes. Field names follow the reference protocol (seed 002); for a single
// objective, fitness-like fields are numbers with the arrays beside them (`*_values`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "state/machine.h"
#include "state/model.h"

namespace evo::state {

// A number for one objective, an array otherwise.
nlohmann::json fitness_value(const State& s, const std::vector<double>& fitness);
nlohmann::json objectives_json(const State& s);
nlohmann::json item_json(const Individual& ind);
nlohmann::json improvement_json(const State& s);
std::string branch_of(const State& s, std::optional<std::uint64_t> id);

nlohmann::json init_reply(const State& s);
nlohmann::json dispatch_reply(const State& s);
nlohmann::json done_reply(const State& s);
nlohmann::json check_policy_reply(const State& s, const Individual& ind, const GitObservation& git);
nlohmann::json run_benchmark_reply(const State& s, const Individual& ind);
nlohmann::json rejected_reply(const Individual& ind);
nlohmann::json worker_done_reply(const State& s, const Individual& ind);
nlohmann::json reflect_reply(const State& s);
nlohmann::json targets_registered_reply(const State& s, const std::vector<TargetSpec>& requested);
nlohmann::json seed_reply(const State& s);
nlohmann::json target_temperature_reply(const State& s, const std::string& target_id);
nlohmann::json synergy_reply(const SynergyRecord& r);

// Queries.
nlohmann::json status_json(const State& s);
Result<nlohmann::json> lineage_json(const State& s, const std::string& branch);
nlohmann::json run_summary_json(const State& s);

}  // namespace evo::state
