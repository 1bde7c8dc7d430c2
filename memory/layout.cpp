// Memory layout pass: templates, facts, catch-up and archiving. See layout.h.
#include "memory/layout.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "assets/assets.h"
#include "assets/template.h"
#include "memory/facts.h"
#include "memory/files.h"
#include "memory/memory_writer.h"

namespace evo::memory {
namespace {

namespace fs = std::filesystem;
using assets::render_template;
using assets::TemplateVars;

constexpr const char* kGlobal = "global/long_term.md";
constexpr const char* kSynergy = "synergy/records.md";
constexpr const char* kExcludePattern = "/memory/";

std::string target_dir(const std::string& id) {
  return "targets/" + id;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Headings one level deeper, so inherited text nests under its own heading.
std::string demote(const std::string& text) {
  std::string out;
  for (const auto& line : split_lines(text)) {
    out += (!line.empty() && line.front() == '#' ? "#" : "") + line + "\n";
  }
  return out;
}

// `targets` with every target after the targets it is derived from, so a child inherits files
// its parents already have whatever order they were registered in; otherwise the given order.
// A cycle (which the server never accepts) keeps the given order.
std::vector<const state::Target*> parents_first(std::vector<const state::Target*> targets) {
  std::set<std::string> pending;
  for (const auto* t : targets) pending.insert(t->id);
  std::vector<const state::Target*> out;
  while (!targets.empty()) {
    bool progressed = false;
    for (auto it = targets.begin(); it != targets.end();) {
      const auto& parents = (*it)->derived_from;
      const bool ready = std::none_of(parents.begin(), parents.end(), [&](const std::string& p) {
        return p != (*it)->id && pending.count(p) != 0;
      });
      if (!ready) {
        ++it;
        continue;
      }
      pending.erase((*it)->id);
      out.push_back(*it);
      it = targets.erase(it);
      progressed = true;
    }
    if (!progressed) {
      out.insert(out.end(), targets.begin(), targets.end());
      break;
    }
  }
  return out;
}

// NUL bytes (from a direction or a description) never reach a memory file: the facts drop
// them at the source (one_line), and this catches any text a template renders around them.
std::string clean(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\0'), text.end());
  return text;
}

}  // namespace

std::string run_marker(const std::string& run_id) {
  return "## Run " + run_id;
}

Layout::Layout(const state::State& s, fs::path repo, spdlog::logger& log)
    : s_(s), base_(std::move(repo)), log_(log) {}

fs::path Layout::in_memory(const fs::path& rel) {
  return fs::path(kMemoryDir) / rel;
}

void Layout::check(const Status& status) {
  if (status.ok()) return;
  ok_ = false;
  log_.warn("run {}: memory: {}", s_.run_id, status.error().message);
}

std::optional<std::string> Layout::embedded(const std::string& path) {
  if (const auto text = assets::find(path)) return std::string(*text);
  ok_ = false;
  log_.error("run {}: memory: the template {} is not embedded in this binary", s_.run_id, path);
  return std::nullopt;
}

void Layout::append(const std::string& rel, const std::string& text) {
  if (text.empty()) return;
  if (pending_ != nullptr) {
    pending_->push_back({rel, clean(text), false});
    return;
  }
  check(files::append(base_, in_memory(rel), clean(text)));
  touched_.insert(rel);
}

bool deferrable(const std::vector<state::Event>& events) {
  for (const auto& e : events) {
    if (std::holds_alternative<state::RunInitialized>(e) ||
        std::holds_alternative<state::TargetsRegistered>(e)) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> Layout::read(const std::string& rel) const {
  return files::read(base_, in_memory(rel));
}

bool Layout::exists(const std::string& rel) const {
  return files::exists(base_, in_memory(rel));
}

void Layout::ensure_exclude() {
  const fs::path repo(s_.config.repo_path);
  auto wrote = files::ensure_excluded(repo, kExcludePattern);
  if (!wrote) {
    ok_ = false;
    log_.warn("run {}: cannot exclude memory/ from git: {}", s_.run_id, wrote.error().message);
  }
}

void Layout::ensure_marker(const std::string& rel) {
  const auto text = read(rel);
  if (!text) return;
  const std::string marker = run_marker(s_.run_id);
  if (text->find(marker) != std::string::npos) return;
  append(rel, (text->empty() || text->back() == '\n' ? "\n" : "\n\n") + marker + "\n");
}

void Layout::ensure_global() {
  if (exists(kGlobal)) {
    // Memory kept from an earlier run: add this run's objectives and directions once.
    const auto text = read(kGlobal).value_or("");
    const std::string heading = run_marker(s_.run_id);
    if (text.find(heading) != std::string::npos ||
        text.find("# Long-term memory: " + s_.run_id) != std::string::npos) {
      return;
    }
    std::string add = "\n" + heading + "\n\nObjectives:";
    for (const auto& o : s_.config.objectives) {
      add += " " + o.name + " (" + std::string(to_string(o.direction)) + ")";
    }
    add += "\n\nDirections from the user:\n";
    if (s_.config.directions.empty()) add += "- (none)\n";
    for (const auto& d : s_.config.directions) add += "- " + one_line(d, 4096) + "\n";
    append(kGlobal, add);
    return;
  }
  std::vector<std::string> objectives;
  for (const auto& o : s_.config.objectives) {
    objectives.push_back(o.name + " (" + std::string(to_string(o.direction)) + ")");
  }
  std::vector<std::string> directions;
  for (const auto& d : s_.config.directions) directions.push_back(one_line(d, 4096));
  const TemplateVars vars{{"run_id", s_.run_id},
                          {"repo_path", s_.config.repo_path},
                          {"objectives", objectives},
                          {"directions", directions}};
  const auto templ = embedded("memory_templates/global/long_term.md");
  if (!templ) return;
  auto text = render_template(*templ, vars);
  if (!text) return check(text.error());
  check(files::write_atomic(base_, in_memory(kGlobal), clean(*text)));
  touched_.insert(kGlobal);
}

void Layout::ensure_synergy(bool mark) {
  if (exists(kSynergy)) {
    if (mark) ensure_marker(kSynergy);
    return;
  }
  const auto templ = embedded("memory_templates/synergy/records.md");
  if (!templ) return;
  auto text = render_template(*templ, TemplateVars{{"run_id", s_.run_id}});
  if (!text) return check(text.error());
  check(files::write_atomic(base_, in_memory(kSynergy), clean(*text)));
  touched_.insert(kSynergy);
}

void Layout::ensure_results() {
  const auto text = read(kResultsFile);
  if (text && !text->empty()) return;
  append(kResultsFile, results_header(s_));
}

void Layout::repair_results() {
  const auto text = read(kResultsFile);
  if (!text || text->empty() || text->back() == '\n') return;
  // A torn last row (a full disk, a crash inside a write): it is not a fact, so it goes, and
  // the rows after it are re-derived from the state.
  const auto keep = text->rfind('\n');
  const std::size_t size = keep == std::string::npos ? 0 : keep + 1;
  log_.warn("run {}: memory/{} ends in a torn row ({} bytes): cut back to the last whole row",
            s_.run_id, kResultsFile, text->size() - size);
  check(files::truncate(base_, in_memory(kResultsFile), size));
  touched_.insert(kResultsFile);
}

void Layout::ensure_target(const state::Target& t, bool mark) {
  const std::string dir = target_dir(t.id);
  if (auto made = files::make_dirs(base_, in_memory(dir + "/short_term")); !made.ok()) {
    return check(made);
  }
  std::vector<std::string> provenance;
  for (const auto& p : t.derived_from) provenance.push_back("derived from " + p);
  const TemplateVars vars{{"run_id", s_.run_id},
                          {"target_id", t.id},
                          {"file", clean(t.file)},
                          {"function", clean(t.function)},
                          {"description", clean(t.description)},
                          {"provenance", provenance}};
  bool fresh = false;
  for (const char* name : {"long_term.md", "failures.md"}) {
    const std::string rel = dir + "/" + name;
    if (exists(rel)) {
      if (mark && std::string(name) == "failures.md") ensure_marker(rel);
      continue;
    }
    const auto templ = embedded(std::string("memory_templates/target/") + name);
    if (!templ) return;
    auto text = render_template(*templ, vars);
    if (!text) return check(text.error());
    check(files::write_atomic(base_, in_memory(rel), clean(*text)));
    touched_.insert(rel);
    fresh = true;
  }
  if (fresh && !t.derived_from.empty()) inherit(t);
}

void Layout::inherit(const state::Target& t) {
  for (const auto& parent : t.derived_from) {
    for (const char* name : {"long_term.md", "failures.md"}) {
      const auto text = read(target_dir(parent) + "/" + name);
      if (!text || text->empty()) continue;
      append(target_dir(t.id) + "/" + name, "\n## Inherited from `" + parent + "` (" + name +
                                                " at registration)\n\n" + demote(*text));
    }
  }
}

void Layout::failure(const state::Individual& ind, const std::string& line) {
  append(failures_file(s_, ind), line);
}

void Layout::write_generation(const state::Target& t, int generation,
                              const std::vector<const state::Individual*>& items) {
  bool any = false;
  for (const auto* ind : items) any = any || ind->target_id == t.id;
  if (!any) return;
  const std::string rel =
      target_dir(t.id) + "/short_term/gen_" + std::to_string(generation) + ".md";
  if (pending_ != nullptr) {
    pending_->push_back({rel, clean(generation_table(s_, t, generation, items)), true});
    return;
  }
  if (exists(rel)) return;  // written before; the ReflectAgent may have added notes
  check(files::write_atomic(base_, in_memory(rel),
                            clean(generation_table(s_, t, generation, items))));
  touched_.insert(rel);
}

std::set<std::string> Layout::lines(const std::string& rel) const {
  const auto text = split_lines(read(rel).value_or(""));
  return {text.begin(), text.end()};
}

void Layout::apply(const std::vector<state::Event>& events) {
  for (const auto& event : events) {
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, state::RunInitialized>) {
            ensure_exclude();
            ensure_global();
            ensure_synergy(true);
            ensure_results();
          } else if constexpr (std::is_same_v<E, state::TargetsRegistered>) {
            std::vector<const state::Target*> fresh;
            for (const auto& spec : e.targets) {
              if (const auto* t = s_.target(spec.id)) fresh.push_back(t);
            }
            for (const auto* t : parents_first(fresh)) ensure_target(*t, true);
          } else if constexpr (std::is_same_v<E, state::SeedReported>) {
            if (const auto* seed = s_.find("seed-baseline"))
              append(kResultsFile, results_row(s_, *seed));
          } else if constexpr (std::is_same_v<E, state::CodeReported>) {
            const auto* ind = s_.find(e.branch);
            if (ind == nullptr) return;
            if (e.outcome == state::CodeOutcome::kAutoRejected) {
              failure(*ind, server_rejection_line(*ind, e.violations));
            } else if (e.outcome == state::CodeOutcome::kCached) {
              append(kResultsFile, results_row(s_, *ind));
            }
          } else if constexpr (std::is_same_v<E, state::PolicyDecided>) {
            const auto* ind = s_.find(e.branch);
            if (ind == nullptr || e.approved) return;
            state::Individual copy = *ind;
            copy.state = state::ItemState::kRejected;
            copy.violations.clear();
            copy.reason = e.reason;
            if (auto line = failure_line_for(copy)) failure(*ind, *line);
          } else if constexpr (std::is_same_v<E, state::FitnessReported>) {
            const auto* ind = s_.find(e.branch);
            if (ind == nullptr) return;
            append(kResultsFile, results_row(s_, *ind));
            if (!e.success) {
              failure(*ind,
                      failure_line(*ind, "evaluation failed: " + e.reason, "benchmark_failed"));
            }
          } else if constexpr (std::is_same_v<E, state::Selected>) {
            for (auto id : e.abandoned) {
              if (auto line = failure_line_for(s_.individuals[id]))
                failure(s_.individuals[id], *line);
            }
            const auto items = generation_items(s_, e.generation);
            for (const auto& u : e.targets) {
              if (const auto* t = s_.target(u.target_id)) write_generation(*t, e.generation, items);
            }
          } else if constexpr (std::is_same_v<E, state::ReflectCompleted> ||
                               std::is_same_v<E, state::RunFinished>) {
            for (auto id : e.abandoned) {
              if (auto line = failure_line_for(s_.individuals[id]))
                failure(s_.individuals[id], *line);
            }
          } else if constexpr (std::is_same_v<E, state::SynergyRecorded>) {
            append(kSynergy, synergy_entry(s_, e.record));
          }
        },
        event);
  }
}

void Layout::rebuild(bool takeover) {
  ensure_exclude();
  ensure_global();
  ensure_synergy(takeover);
  std::vector<const state::Target*> targets;
  for (const auto& t : s_.targets) targets.push_back(&t);
  for (const auto* t : parents_first(targets)) ensure_target(*t, takeover);

  // results.tsv: every evaluation whose branch has no row yet, in evaluation order.
  repair_results();
  ensure_results();
  std::set<std::string> present;
  for (const auto& line : split_lines(read(kResultsFile).value_or(""))) {
    if (auto b = row_branch(line); !b.empty()) present.insert(b);
  }
  std::string rows;
  for (const auto* ind : evaluations_in_order(s_)) {
    if (present.count(ind->branch) == 0) rows += results_row(s_, *ind);
  }
  append(kResultsFile, rows);

  // Failure lines, per file, that this run has not written yet.
  std::map<std::string, std::string> missing;
  std::map<std::string, std::set<std::string>> have;
  std::map<int, std::vector<const state::Individual*>> by_generation;
  for (const auto& ind : s_.individuals) {
    if (!ind.is_seed) by_generation[ind.generation].push_back(&ind);
    const auto line = failure_line_for(ind);
    if (!line) continue;
    const std::string rel = failures_file(s_, ind);
    auto it = have.find(rel);
    if (it == have.end()) it = have.emplace(rel, lines(rel)).first;
    if (it->second.count(line->substr(0, line->size() - 1)) == 0) missing[rel] += *line;
  }
  for (const auto& [rel, text] : missing) append(rel, text);

  // Generation tables of every selected generation.
  for (const auto& [generation, items] : by_generation) {
    if (generation > s_.last_selection.generation) break;
    for (const auto& t : s_.targets) write_generation(t, generation, items);
  }

  // Synergy records.
  const auto records = lines(kSynergy);
  std::string entries;
  for (const auto& r : s_.synergy_records) {
    const auto entry = synergy_entry(s_, r);
    if (records.count(entry.substr(0, entry.size() - 1)) == 0) entries += entry;
  }
  append(kSynergy, entries);
}

void Layout::archive_run(const std::string& previous_run) {
  const fs::path archive = fs::path("archive") / previous_run;
  if (exists(kResultsFile)) {
    check(files::move(base_, in_memory(kResultsFile), in_memory(archive / kResultsFile)));
    touched_.insert(kResultsFile);
  }
  for (const auto& id : files::subdirs(base_, in_memory("targets"))) {
    const fs::path short_term = fs::path("targets") / id / "short_term";
    if (!exists(short_term.string())) continue;
    check(files::move(base_, in_memory(short_term), in_memory(archive / short_term)));
  }
  log_.info(
      "run {}: takes over the memory of {} from run {} (its results.tsv and short-term "
      "tables are in memory/{})",
      s_.run_id, s_.config.repo_path, previous_run, archive.string());
}

}  // namespace evo::memory
