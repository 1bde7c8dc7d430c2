// Formatting of the facts the server appends to memory files. Pure: state in, text out.
#include "memory/facts.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "core/strings.h"

namespace evo::memory {
namespace {

std::string fitness_text(const state::State& s, const std::vector<double>& fitness) {
  if (fitness.empty()) return "-";
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < fitness.size(); ++i) {
    const std::string name =
        i < s.config.objectives.size() ? s.config.objectives[i].name : "f" + std::to_string(i);
    parts.push_back(name + "=" + format_number(fitness[i]));
  }
  return join(parts, ", ");
}

std::string branch_of_id(const state::State& s, std::optional<std::uint64_t> id) {
  if (!id || *id >= s.individuals.size()) return "-";
  return s.individuals[*id].branch;
}

std::string md_cell(const std::string& text) {
  std::string out = one_line(text, 200);
  std::string escaped;
  for (char c : out) {
    if (c == '|')
      escaped += "\\|";
    else
      escaped += c;
  }
  return escaped.empty() ? "-" : escaped;
}

}  // namespace

std::string format_number(double value) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return "NA";
  return std::string(buf.data(), end);
}

std::string one_line(const std::string& text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (char c : text) {
    if (c == '\0') continue;  // a NUL never reaches a memory file
    out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max) {
    out.resize(max);
    // Do not cut a UTF-8 sequence in half.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80) != 0) out.pop_back();
    out += "...";
  }
  return out;
}

std::string results_header(const state::State& s) {
  std::string h = "generation\tbranch\tcommit\ttarget\toperation\tstatus";
  for (const auto& o : s.config.objectives) h += "\t" + one_line(o.name, 128);
  return h + "\tnote\n";
}

bool is_evaluation(const state::Individual& ind) {
  return ind.evals_at > 0 &&
         (ind.state == state::ItemState::kEvaluated || ind.state == state::ItemState::kFailed);
}

std::string results_row(const state::State& s, const state::Individual& ind) {
  std::string status = "evaluated";
  std::string note;
  if (ind.is_seed) {
    note = "seed baseline";
  } else if (ind.cache_of) {
    status = "cached";
    note = "cache hit of " + branch_of_id(s, ind.cache_of);
  } else if (ind.state == state::ItemState::kFailed) {
    status = "failed";
    note = one_line(ind.reason);
  }
  if (ind.is_new_best) note += note.empty() ? "new best" : "; new best";
  std::string row = std::to_string(ind.is_seed ? -1 : ind.generation);
  row += "\t" + ind.branch;
  row += "\t" + (ind.commit.empty() ? std::string("-") : ind.commit);
  row += "\t" + (ind.target_id.empty() ? std::string("-") : ind.target_id);
  row += "\t" + std::string(ind.is_seed ? "seed" : to_string(ind.operation));
  row += "\t" + status;
  for (std::size_t i = 0; i < s.config.objectives.size(); ++i) {
    const bool has = ind.state == state::ItemState::kEvaluated && i < ind.fitness.size();
    row += "\t" + (has ? format_number(ind.fitness[i]) : std::string("NA"));
  }
  row += "\t" + (note.empty() ? std::string("-") : note);
  return row + "\n";
}

std::string row_branch(const std::string& line) {
  const auto a = line.find('\t');
  if (a == std::string::npos) return {};
  const auto b = line.find('\t', a + 1);
  if (b == std::string::npos) return {};
  std::string branch = line.substr(a + 1, b - a - 1);
  return branch == "branch" ? std::string() : branch;
}

std::vector<const state::Individual*> evaluations_in_order(const state::State& s) {
  std::vector<const state::Individual*> out;
  for (const auto& ind : s.individuals) {
    if (is_evaluation(ind)) out.push_back(&ind);
  }
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->evals_at != b->evals_at ? a->evals_at < b->evals_at : a->id < b->id;
  });
  return out;
}

std::string failures_file(const state::State& s, const state::Individual& ind) {
  if (ind.operation == Operation::kSynergy || s.target(ind.target_id) == nullptr) {
    return "synergy/records.md";
  }
  return "targets/" + ind.target_id + "/failures.md";
}

std::string failure_line(const state::Individual& ind, const std::string& what,
                         const std::string& rule) {
  return "- gen " + std::to_string(ind.generation) + " " + ind.branch + " " +
         std::string(to_string(ind.operation)) + ": " + one_line(what, 500) + " (" + rule + ")\n";
}

std::string server_rejection_line(const state::Individual& ind,
                                  const std::vector<policy::Finding>& violations) {
  std::vector<std::string> details;
  std::set<std::string> rules;
  for (const auto& v : violations) {
    details.push_back(v.path.empty() ? v.detail : v.path + ": " + v.detail);
    rules.insert(v.rule);
  }
  const std::string rule = rules.empty() ? "policy" : join({rules.begin(), rules.end()}, ", ");
  const std::string why = details.empty() ? ind.reason : join(details, "; ");
  return failure_line(ind, "rejected by the server: " + why, rule);
}

std::optional<std::string> failure_line_for(const state::Individual& ind) {
  switch (ind.state) {
    case state::ItemState::kRejected: {
      if (!ind.violations.empty()) return server_rejection_line(ind, ind.violations);
      std::string rule = "policy_fail";
      if (!ind.flags.empty()) {
        std::set<std::string> flags;
        for (const auto& f : ind.flags) flags.insert(f.rule);
        rule += "; flags: " + join({flags.begin(), flags.end()}, ", ");
      }
      return failure_line(ind, "rejected by the policy agent: " + ind.reason, rule);
    }
    case state::ItemState::kFailed:
      return failure_line(ind, "evaluation failed: " + ind.reason, "benchmark_failed");
    case state::ItemState::kAbandoned:
      return failure_line(ind, "abandoned: " + ind.reason, "abandoned");
    default:
      return std::nullopt;
  }
}

std::vector<const state::Individual*> generation_items(const state::State& s, int generation) {
  std::vector<const state::Individual*> out;
  for (auto it = s.individuals.rbegin(); it != s.individuals.rend(); ++it) {
    if (it->is_seed) break;
    if (it->generation < generation) break;  // generations are in creation order
    if (it->generation == generation) out.push_back(&*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string generation_table(const state::State& s, const state::Target& target, int generation,
                             const std::vector<const state::Individual*>& items) {
  std::string out = "# " + target.id + ": generation " + std::to_string(generation) + "\n\n";
  out += "Written by evo-engine after select (run " + s.run_id + "). Objectives: ";
  std::vector<std::string> objs;
  for (const auto& o : s.config.objectives) {
    objs.push_back(o.name + " (" + std::string(to_string(o.direction)) + ")");
  }
  out += join(objs, ", ") + ".\n\n";
  out += "| branch | operation | parents | state | fitness | rank | selection |\n";
  out += "|---|---|---|---|---|---|---|\n";
  for (const auto* ind : items) {
    if (ind->target_id != target.id) continue;
    std::string selection = "-";
    if (ind->state != state::ItemState::kEvaluated)
      selection = "-";  // never competed
    else if (ind->alive)
      selection = target.best == ind->id ? "kept (best)" : "kept";
    else if (ind->eliminated)
      selection = "eliminated";
    std::string op = std::string(to_string(ind->operation));
    if (!ind->structural_op.empty()) op += " (" + ind->structural_op + ")";
    std::string st = to_string(ind->state);
    if (ind->cache_of) st = "cached (" + branch_of_id(s, ind->cache_of) + ")";
    out += "| " + md_cell(ind->branch) + " | " + md_cell(op) + " | " +
           md_cell(join(ind->parent_branches, ", ")) + " | " + md_cell(st) + " | " +
           md_cell(ind->state == state::ItemState::kEvaluated ? fitness_text(s, ind->fitness)
                                                              : ind->reason) +
           " | " + (ind->pareto_rank > 0 ? std::to_string(ind->pareto_rank) : "-") + " | " +
           selection + " |\n";
  }
  out += "\nPopulation after selection:";
  if (target.active.empty()) out += " none (the seed stands)";
  out += "\n";
  for (auto id : target.active) {
    const auto& ind = s.individuals[id];
    out += "- " + ind.branch + " (gen " + std::to_string(ind.generation) +
           "): " + fitness_text(s, ind.fitness) + (target.best == id ? " (best)" : "") + "\n";
  }
  out +=
      "\n## Notes\n\n_The ReflectAgent adds what changed and why it helped or not, with "
      "numbers._\n";
  return out;
}

std::string synergy_entry(const state::State& s, const state::SynergyRecord& r) {
  std::string out = "- gen " + std::to_string(r.generation) + " " + r.branch + " (" +
                    join(r.target_ids, " + ") + "): ";
  if (!r.success) {
    // The record carries no reason of its own: the synergy branch's evaluation (the Worker
    // flow through evo_step) has it, when there was one.
    const auto* ind = s.find(r.branch);
    if (ind != nullptr && !ind->reason.empty()) {
      return out + "failed: " + one_line(ind->reason) + " (" + to_string(ind->state) + ")\n";
    }
    if (ind != nullptr) return out + "failed (" + std::string(to_string(ind->state)) + ")\n";
    return out + "failed (no reason known: the branch was not evaluated through evo_step)\n";
  }
  out += "combined " + fitness_text(s, r.fitness_values);
  for (const auto& [target, fitness] : r.individual_fitnesses) {
    out += "; " + target + " alone " + fitness_text(s, fitness);
  }
  if (!r.synergy_gain.empty()) {
    std::vector<std::string> gains;
    for (const auto& [objective, gain] : r.synergy_gain) {
      gains.push_back(objective + " " + (gain >= 0 ? "+" : "") + format_number(gain));
    }
    out += "; gain " + join(gains, ", ");
  }
  return out + "\n";
}

}  // namespace evo::memory
