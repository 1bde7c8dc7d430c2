// The facts the server writes into memory files, as pure functions of the run state: the
// results.tsv header and rows, the failure lines, a generation's table, synergy entries. The
// memory writer and the MCP resources share them, so a file and its resource agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/events.h"
#include "state/model.h"

namespace evo::memory {

// Shortest text that reads back as the same double ("1.5", "0.1", "1e-09").
std::string format_number(double value);
// Tabs and line breaks become spaces, NUL bytes are dropped; cut to `max` bytes (with "...").
std::string one_line(const std::string& text, std::size_t max = 300);

// results.tsv: generation, branch, commit, target, operation, status, one column per
// objective, note. The seed's generation is -1.
std::string results_header(const state::State& s);
// True when `ind` counts as an evaluation (a row): evaluated (incl. the seed and cache hits)
// or failed.
bool is_evaluation(const state::Individual& ind);
std::string results_row(const state::State& s, const state::Individual& ind);
// The branch column of a row; empty for the header or a malformed line.
std::string row_branch(const std::string& line);
// Every evaluation in the order it happened (evals_at), as rows.
std::vector<const state::Individual*> evaluations_in_order(const state::State& s);

// Where a failure line goes: "targets/<id>/failures.md", or "synergy/records.md" for a
// combined-target item.
std::string failures_file(const state::State& s, const state::Individual& ind);
// `- gen <N> <branch> <operation>: <what> (<rule>)`, as the template documents.
std::string failure_line(const state::Individual& ind, const std::string& what,
                         const std::string& rule);
// The failure line for an individual's current state (rejected, failed, abandoned); nullopt
// when it did not fail.
std::optional<std::string> failure_line_for(const state::Individual& ind);
// The line for a code_ready rejected by the server's hard rules.
std::string server_rejection_line(const state::Individual& ind,
                                  const std::vector<policy::Finding>& violations);

// short_term/gen_<N>.md for one target: the generation's items (fitness, kept or eliminated,
// parents) and the population after selection.
std::string generation_table(const state::State& s, const state::Target& target, int generation,
                             const std::vector<const state::Individual*>& items);
// The individuals of `generation` (scans back from the newest; cheap for a recent one).
std::vector<const state::Individual*> generation_items(const state::State& s, int generation);

// One synergy/records.md entry.
std::string synergy_entry(const state::State& s, const state::SynergyRecord& r);

}  // namespace evo::memory
