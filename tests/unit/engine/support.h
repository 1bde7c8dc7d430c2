// What the engine suites share: a temp data dir, a silent logger, an engine over it, and a run
// configuration with no git (the engine alone).
#pragma once

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "wire/replies.h"

namespace evo::server_testing {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/evo-engine-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// A reply or query in its wire form, as the tools send it.
template <typename T>
Result<nlohmann::json> as_json(const Result<T>& r) {
  if (!r.ok()) return r.error();
  return wire::to_json(r.value());
}

inline std::shared_ptr<spdlog::logger> quiet() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

inline std::unique_ptr<engine::Engine> open(const TempDir& dir, std::uint64_t snapshot_every = 2000,
                                            std::size_t max_loaded_runs = 16) {
  engine::EngineOptions o;
  o.data_dir = dir.path.string();
  o.snapshot_every = snapshot_every;
  o.max_loaded_runs = max_loaded_runs;
  auto e = engine::Engine::open(o, quiet());
  REQUIRE(e.ok());
  return std::move(e).value();
}

inline state::Config config(int pop_size = 3) {
  state::Config c;
  c.repo_path = "/nonexistent";
  c.benchmark_cmd = "true";
  c.objectives = {{"loss", Direction::kMin}};
  c.policy_mode = state::PolicyMode::kOff;  // no git: the engine alone
  c.pop_size = pop_size;
  c.max_fe = 1000;
  return c;
}

}  // namespace evo::server_testing

using evo::server_testing::as_json;
