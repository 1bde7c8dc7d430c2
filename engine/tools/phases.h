// The evo_step phases as functions, shared by evo_step and the legacy tools
// (evo_next_batch, evo_report_fitness, evo_select_survivors), so both paths move the same
// lifecycle and neither can bypass review.
#pragma once

#include <optional>
#include <string>

#include "engine/tools/common.h"
#include "state/machine.h"

namespace evo::engine::tools {

Result<json> begin_generation(Engine& engine, const RunArg& run, bool legacy);
Result<json> code_ready(Engine& engine, const RunArg& run, const std::string& branch,
                        const std::optional<std::string>& parent_commit);
Result<json> policy_pass(Engine& engine, const RunArg& run, const std::string& branch);
Result<json> policy_fail(Engine& engine, const RunArg& run, const std::string& branch,
                         const std::string& reason);
Result<json> fitness_ready(Engine& engine, const RunArg& run, state::FitnessReadyCmd cmd);
Result<json> select(Engine& engine, const RunArg& run, bool force);
Result<json> reflect_done(Engine& engine, const RunArg& run, bool force);

}  // namespace evo::engine::tools
