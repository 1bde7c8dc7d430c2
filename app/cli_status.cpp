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

std::string fitness_text(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v.get<double>());
    return buf;
  }
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + fitness_text(x);
    return v.size() == 1 ? out : "[" + out + "]";
  }
  return v.dump();
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
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
        run, [](const state::State& s) -> Result<json> { return state::status_json(s); });
    if (!st) {
      std::cerr << "evo-engine status: " << st.error().message << "\n";
      return 1;
    }
    if (as_json) {
      std::cout << st->dump(2) << "\n";
      return 0;
    }
    const json& s = *st;
    std::cout << "Run " << str(s, "run_id") << "  (" << str(s, "phase") << ")\n"
              << "  repo:        " << str(s, "repo_path") << "\n"
              << "  generation:  " << str(s, "generation") << "\n"
              << "  evaluations: " << str(s, "total_evals") << " of " << str(s, "max_fe") << "\n"
              << "  seed:        " << fitness_text(s.at("seed_obj")) << "\n"
              << "  best:        " << fitness_text(s.at("best_obj_overall")) << "  on "
              << str(s, "best_branch_overall") << "\n"
              << "  improvement: "
              << (s.at("improvement").is_null() ? "-" : s.at("improvement").dump()) << "\n"
              << "  pareto front: " << str(s, "pareto_front_size") << " variant(s)\n";
    if (s.contains("done_reason")) std::cout << "  finished:    " << str(s, "done_reason") << "\n";
    std::vector<std::vector<std::string>> rows{
        {"TARGET", "STATUS", "FILE:FUNCTION", "TEMP", "STAGNATION", "BEST", "BEST BRANCH"}};
    for (const auto& [id, t] : s.at("targets").items()) {
      rows.push_back({id, str(t, "status"), str(t, "file") + ":" + str(t, "function"),
                      str(t, "temperature"), str(t, "stagnation"),
                      fitness_text(t.at("current_best_obj")), str(t, "current_best_branch")});
    }
    std::cout << "\n";
    print_table(rows);
    if (!s.at("in_flight").empty()) {
      std::cout << "\nIn flight:\n";
      for (const auto& item : s.at("in_flight")) {
        std::cout << "  " << str(item, "branch") << "  (" << str(item, "state") << ")\n";
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
    std::cout << runs->dump(2) << "\n";
    return 0;
  }
  if (runs->at("runs").empty()) {
    std::cout << "No runs in " << data_dir << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{
      {"RUN", "PHASE", "GEN", "EVALS", "BEST", "BEST BRANCH", "TARGETS", "REPO"}};
  for (const auto& r : runs->at("runs")) {
    rows.push_back({str(r, "run_id"), str(r, "phase"), str(r, "generation"),
                    str(r, "total_evals") + "/" + str(r, "max_fe"),
                    fitness_text(r.value("best_obj", json())), str(r, "best_branch"),
                    str(r, "targets"), str(r, "repo_path")});
  }
  print_table(rows);
  return 0;
}

}  // namespace evo::app::cli
