// The evo_step phases as functions, shared by evo_step and the legacy tools
// (evo_next_batch, evo_report_fitness, evo_select_survivors), so both paths move the same
// lifecycle and neither can bypass review.
#pragma once

#include <optional>
#include <string>

#include "engine/tools/common.h"
#include "state/machine.h"

namespace evo::engine::tools {

Result<state::Reply> begin_generation(Engine& engine, const RunArg& run, bool legacy);
Result<state::Reply> code_ready(Engine& engine, const RunArg& run, const std::string& branch,
                                const std::optional<std::string>& parent_commit);
Result<state::Reply> policy_pass(Engine& engine, const RunArg& run, const std::string& branch);
Result<state::Reply> policy_fail(Engine& engine, const RunArg& run, const std::string& branch,
                                 const std::string& reason);
Result<state::Reply> fitness_ready(Engine& engine, const RunArg& run, state::FitnessReadyCmd cmd);
Result<state::Reply> select(Engine& engine, const RunArg& run, bool force);
Result<state::Reply> reflect_done(Engine& engine, const RunArg& run, bool force);

}  // namespace evo::engine::tools
