// The engine: the one place where the pure state machine meets the store, the clock and the
// repositories. Every state-changing call runs under one mutex and one SQLite write
// transaction: catch up on events other processes committed, decide, append the events,
// commit, and only then reply.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "policy/git/repo.h"
#include "server/store/store.h"
#include "state/machine.h"

namespace spdlog {
class logger;
}

namespace evo::server {

struct EngineOptions {
  std::string data_dir;
  store::SyncMode sync = store::SyncMode::kNormal;
  // A snapshot is written once this many events, and at least a fifth as many events as the run
  // has individuals, have passed since the last one. A snapshot costs ~4.5 us per individual
  // and replaying an event ~10 us (bench/README.md), so the run's size sets the pace: the
  // amortized cost per event stays flat, and a restart replays at most
  // max(snapshot_every, individuals / 5) events (20000, ~0.2 s, at 100k individuals).
  std::uint64_t snapshot_every = 20000;
  std::function<std::int64_t()> now_ms;  // defaults to the system clock
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(EngineOptions options,
                                              std::shared_ptr<spdlog::logger> logger);
  ~Engine();

  using Decide = std::function<Result<state::Transition>(state::State&)>;
  // Called after the commit, still under the engine lock (git refs, memory files).
  using AfterCommit = std::function<void(const state::State&, const state::Transition&)>;
  using Read = std::function<Result<nlohmann::json>(const state::State&)>;

  // Creates a new run from `config` and returns the init reply (with run_id). With a
  // client-chosen `run_id`, a repeated call with the same config returns the same reply (so a
  // lost reply can be re-sent safely); a different config under that id is a conflict.
  Result<nlohmann::json> create_run(state::Config config, const std::string& seed_commit,
                                    const std::optional<std::string>& run_id = std::nullopt);
  // Applies a decision to a run (nullopt: the latest run) durably; returns the reply.
  Result<nlohmann::json> mutate(const std::optional<std::string>& run, const Decide& decide,
                                const AfterCommit& after = {});
  // Reads a run as committed now (including other processes' writes).
  Result<nlohmann::json> read(const std::optional<std::string>& run, const Read& read);
  Result<nlohmann::json> list_runs();

  // A cached libgit2 handle; only use it inside decide/after/read callbacks (engine lock held).
  Result<git::Repo*> repo(const std::string& path);

  // Observers see every committed batch of events, after the commit and under the engine lock
  // (the memory writer and resource notifications hang here). Register before serving.
  using Observer = std::function<void(const state::State&, const std::vector<state::Event>&)>;
  void add_observer(Observer observer) { observers_.push_back(std::move(observer)); }

  std::int64_t now_ms() const { return options_.now_ms(); }
  spdlog::logger& logger() { return *logger_; }
  const std::string& data_dir() const { return options_.data_dir; }

 private:
  Engine(EngineOptions options, std::shared_ptr<spdlog::logger> logger,
         std::unique_ptr<store::Store> store);
  Result<std::string> resolve_run(const std::optional<std::string>& run);
  // The run's state as committed now: the cached state, else the latest snapshot (a corrupt
  // one is skipped with a warning and rewritten), then the events after it. A run with an
  // event that cannot be decoded is read-only: reads get its state up to that event, writes
  // an error naming the event.
  Result<state::State*> load(const std::string& run_id);
  Result<state::State> restore_snapshot(const std::string& run_id, std::uint64_t seq,
                                        const std::string& header);
  void rewrite_corrupt_snapshot(state::State& s);
  Result<state::State*> replay(const std::string& run_id, state::State& s);
  Status persist(state::State& s, const state::Transition& t);
  void notify(const state::State& s, const std::vector<state::Event>& events);
  std::string new_run_id();

  EngineOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<store::Store> store_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<state::State>> runs_;
  std::map<std::string, std::uint64_t> snapshot_seq_;  // latest snapshot known, per run
  std::map<std::string, std::unique_ptr<git::Repo>> repos_;
  std::set<std::string> read_only_;  // runs with an undecodable event, already logged
  std::vector<Observer> observers_;
  std::uint64_t id_counter_ = 0;
};

}  // namespace evo::server
