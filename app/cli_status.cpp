// `evo-engine status` and data-directory resolution.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "app/cli.h"
#include "engine/engine.h"
#include "state/replies.h"
#include "wire/replies.h"

namespace evo::app::cli {

using engine::Engine;
using engine::EngineOptions;
using nlohmann::json;

std::string resolve_data_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("EVO_DATA_DIR"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
    return (std::filesystem::path(xdg) / "evo-engine").string();
  }
  const char* home = std::getenv("HOME");
  return (std::filesystem::path(home && *home ? home : ".") / ".local" / "state" / "evo-engine")
      .string();
}

namespace {

// "-" for none; one value as %.6g; several as [a, b].
std::string fitness_text(const std::vector<double>& values) {
  if (values.empty()) return "-";
  std::string out;
  for (double v : values) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    out += (out.empty() ? "" : ", ") + std::string(buf);
  }
  return values.size() == 1 ? out : "[" + out + "]";
}
std::string fitness_text(const std::optional<std::vector<double>>& values) {
  return values ? fitness_text(*values) : "-";
}

// A number as JSON writes it ("3", "0.57", "1.0").
template <typename T>
std::string num(T v) {
  return json(v).dump();
}
std::string text(const std::optional<std::string>& v) {
  return v ? *v : "-";
}

// A plain left-aligned text table.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

}  // namespace

int run_status(const std::string& data_dir, const std::optional<std::string>& run, bool as_json,
               std::shared_ptr<spdlog::logger> logger) {
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "evo.sqlite3")) {
    if (as_json) {
      std::cout << json{{"runs", json::array()}, {"count", 0}, {"data_dir", data_dir}}.dump(2)
                << "\n";
    } else {
      std::cout << "No runs in " << data_dir << "\n";
    }
    return run ? 1 : 0;
  }
  EngineOptions options;
  options.data_dir = data_dir;
  auto engine = Engine::open(options, std::move(logger));
  if (!engine) {
    std::cerr << "evo-engine status: " << engine.error().message << "\n";
    return 1;
  }
  if (run) {
    auto st = (*engine)->read(
        run, [](const state::State& s) -> Result<state::RunStatus> { return state::status_of(s); });
    if (!st) {
      std::cerr << "evo-engine status: " << st.error().message << "\n";
      return 1;
    }
    if (as_json) {
      std::cout << wire::to_json(*st).dump(2) << "\n";
      return 0;
    }
    const state::RunStatus& s = *st;
    std::cout << "Run " << s.run_id << "  (" << state::to_string(s.phase) << ")\n"
              << "  repo:        " << s.repo_path << "\n"
              << "  generation:  " << s.generation << "\n"
              << "  evaluations: " << s.total_evals << " of " << s.max_fe << "\n"
              << "  seed:        " << fitness_text(s.seed_obj) << "\n"
              << "  best:        " << fitness_text(s.best_obj_overall) << "  on "
              << text(s.best_branch_overall) << "\n"
              << "  improvement: "
              << (s.improvement ? wire::to_json(*s.improvement).dump() : std::string("-")) << "\n"
              << "  pareto front: " << s.pareto_front_size << " variant(s)\n";
    if (s.done_reason) std::cout << "  finished:    " << *s.done_reason << "\n";
    std::vector<std::vector<std::string>> rows{
        {"TARGET", "STATUS", "FILE:FUNCTION", "TEMP", "STAGNATION", "BEST", "BEST BRANCH"}};
    for (const auto& [id, t] : s.targets) {
      rows.push_back({id, t.status, t.file + ":" + t.function, num(t.temperature),
                      num(t.stagnation), fitness_text(t.current_best_obj),
                      text(t.current_best_branch)});
    }
    std::cout << "\n";
    print_table(rows);
    if (!s.in_flight.empty()) {
      std::cout << "\nIn flight:\n";
      for (const auto& item : s.in_flight) {
        std::cout << "  " << item.branch << "  (" << state::to_string(item.state) << ")\n";
      }
    }
    return 0;
  }
  auto runs = (*engine)->list_runs();
  if (!runs) {
    std::cerr << "evo-engine status: " << runs.error().message << "\n";
    return 1;
  }
  if (as_json) {
    std::cout << wire::to_json(*runs).dump(2) << "\n";
    return 0;
  }
  if (runs->runs.empty()) {
    std::cout << "No runs in " << data_dir << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{
      {"RUN", "PHASE", "GEN", "EVALS", "BEST", "BEST BRANCH", "TARGETS", "REPO"}};
  for (const auto& entry : runs->runs) {
    if (const auto* bad = std::get_if<state::UnreadableRun>(&entry)) {
      rows.push_back({bad->run_id, "-", "-", "-/-", "-", "-", "-", "-"});
      continue;
    }
    const auto& r = std::get<state::RunSummary>(entry);
    rows.push_back({r.run_id, state::to_string(r.phase), num(r.generation),
                    num(r.total_evals) + "/" + num(r.max_fe), fitness_text(r.best_obj.values),
                    r.best_branch, num(r.targets), r.repo_path});
  }
  print_table(rows);
  return 0;
}

}  // namespace evo::app::cli
