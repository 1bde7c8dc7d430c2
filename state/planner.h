// Decisions that need the selection layer: planning a generation (with its RNG draws) and
// computing a select. Both read the state and return an event; apply() records the outcome.
#pragma once

#include <cstdint>
#include <vector>

#include "state/events.h"

namespace evo::state {

// The next generation's items, capped by the remaining budget; branch names
// gen-N/<target>/<op>-<i> and gen-N/synergy/<a>+<b>-<i>.
GenerationPlanned plan_generation_event(const State& s);

// NSGA-II survivor selection per target (global front members are never eliminated),
// stagnation and temperature updates, and the summary the reflect reply shows. `abandon`
// lists items still in flight that a forced select gives up on.
Selected select_event(const State& s, const std::vector<std::uint64_t>& abandon);

}  // namespace evo::state
