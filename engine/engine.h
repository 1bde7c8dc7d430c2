// The engine: the one place where the pure state machine meets the store and the clock. Every
// state-changing call is a unit of work: under the engine mutex and one SQLite write
// transaction it catches up on events other processes committed, decides, appends the events
// and commits; only then, with the lock released, does it run what follows the commit (git
// refs, client notifications) from an outbox, and reply. Nothing that waits on git, a process
// or a client runs under the lock: decisions that need git observe it first, with no lock held,
// and commit with re-validation (mutate_observed).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/result.h"
#include "engine/git_edge.h"
#include "state/machine.h"
#include "store/store.h"

namespace spdlog {
class logger;
}

namespace evo::engine {

struct EngineOptions {
  std::string data_dir;
  store::SyncMode sync = store::SyncMode::kNormal;
  // A snapshot is written once this many events, and at least a fifth as many events as the run
  // has individuals, have passed since the last one. A snapshot costs ~4.5 us per individual
  // and replaying an event ~10 us (bench/README.md), so the run's size sets the pace: the
  // amortized cost per event stays flat, and a restart replays at most
  // max(snapshot_every, individuals / 5) events (20000, ~0.2 s, at 100k individuals).
  std::uint64_t snapshot_every = 20000;
  // Runs kept loaded in memory; the least recently used one beyond this is dropped (and
  // reloaded from its snapshot and log when it is used again).
  std::size_t max_loaded_runs = 16;
  std::function<std::int64_t()> now_ms;  // defaults to the system clock
};

// What follows a commit. Observers and follow-ups fill it under the engine lock from the
// committed state, capturing the values they need (never a reference into the state); the
// engine runs it once the lock is released:
//  - `add`: work the reply waits for (git refs), run by the calling thread, in commit order;
//  - `notify`: client notifications, handed to the engine's notifier thread in commit order,
//    so a client that stops reading never holds up a call.
class Outbox {
 public:
  using Effect = std::function<void()>;
  void add(Effect effect) { effects_.push_back(std::move(effect)); }
  void notify(Effect notice) { notices_.push_back(std::move(notice)); }

 private:
  friend class Engine;
  std::vector<Effect> effects_;
  std::vector<Effect> notices_;
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(EngineOptions options,
                                              std::shared_ptr<spdlog::logger> logger);
  ~Engine();

  using Decide = std::function<Result<state::Transition>(state::State&)>;
  // Runs under the lock after a decision committed, or repeated idempotently (no events): it
  // queues what must follow in the outbox (select's refs are redone on a re-sent select).
  using FollowUp = std::function<void(const state::State&, Outbox&)>;

  // Creates a new run from `config` and returns the init reply (with run_id). With a
  // client-chosen `run_id`, a repeated call with the same config returns the same reply (so a
  // lost reply can be re-sent safely); a different config under that id is a conflict.
  Result<state::Reply> create_run(state::Config config, const std::string& seed_commit,
                                  const std::optional<std::string>& run_id = std::nullopt);
  // Applies a decision to a run (nullopt: the latest run) durably; returns the reply.
  Result<state::Reply> mutate(const std::optional<std::string>& run, const Decide& decide,
                              const FollowUp& follow_up = {});
  // A decision that needs an observation made outside the lock (git). `plan` reads what to
  // observe from the state (read transaction); `observe` runs with no lock held; `decide`
  // commits under the write transaction after `plan` is computed again and found unchanged
  // (when it changed, another call moved the run meanwhile: observe again, at most 3 times).
  // `Plan` needs operator== and needs_io(): a plan with nothing to read outside is decided in
  // a single unit of work.
  template <typename Plan, typename Obs>
  Result<state::Reply> mutate_observed(
      const std::optional<std::string>& run,
      const std::function<Result<Plan>(const state::State&)>& plan,
      const std::function<Result<Obs>(const Plan&)>& observe,
      const std::function<Result<state::Transition>(state::State&, const Plan&, Obs&)>& decide);
  // Reads a run as committed now (including other processes' writes): `reader` maps the state
  // to a Result<T>, which is returned.
  template <typename F>
  auto read(const std::optional<std::string>& run, F&& reader)
      -> std::invoke_result_t<F&, const state::State&>;
  // Every run's summary, from the summary rows kept at commit time (a run is loaded only when
  // its row is missing or behind its log).
  Result<state::RunList> list_runs();
  // The run's events as NDJSON ({"seq","type","data"} per line) up to `upto` (all when
  // nullopt), read in one transaction; sets `last_seq` to the last seq included.
  Result<std::string> journal(const std::string& run_id, std::optional<std::uint64_t> upto,
                              std::uint64_t& last_seq);

  // Observers see every committed batch of events under the engine lock, and queue in the
  // outbox whatever touches a client (the memory writer and resource notifications hang
  // here). Register before serving.
  using Observer =
      std::function<void(const state::State&, const std::vector<state::Event>&, Outbox&)>;
  void add_observer(Observer observer) { observers_.push_back(std::move(observer)); }
  // Drops the notifications not sent yet and waits for the one being sent: call it before
  // what the observers' notifications point to is destroyed.
  void quiesce_notices();
  // Hands a client notification to the notifier thread (from an outbox effect, for a
  // notification that must follow the effect's own write).
  void post_notice(Outbox::Effect notice);

  // The repositories: observations outside the engine lock.
  GitEdge& git() { return git_; }

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
  void touch(const std::string& run_id);
  void forget(const std::string& run_id);
  Status persist(state::State& s, const state::Transition& t);
  void observe(const state::State& s, const std::vector<state::Event>& events, Outbox& outbox);
  // Queues the outbox's notices and takes a turn for its effects (under mu_).
  std::uint64_t enqueue(Outbox& outbox);
  // Runs the outbox's effects in turn (mu_ released).
  void drain(Outbox& outbox, std::uint64_t turn);
  void notifier_loop();
  // Resolves `run` and calls `fn` on its state under the lock and a read transaction.
  Result<std::string> inspect(const std::optional<std::string>& run,
                              const std::function<Status(const state::State&)>& fn);
  std::string new_run_id();

  EngineOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<store::Store> store_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<state::State>> runs_;
  std::list<std::string> recent_;                      // loaded runs, most recently used first
  std::map<std::string, std::uint64_t> snapshot_seq_;  // latest snapshot known, per run
  std::set<std::string> read_only_;  // runs with an undecodable event, already logged
  // Per run: what its stored summary row shows.
  struct SummaryKey {
    state::RunPhase phase = state::RunPhase::kSetup;
    int generation = 0;
    std::optional<std::uint64_t> best;
    std::size_t targets = 0;
    bool operator==(const SummaryKey&) const = default;
  };
  std::map<std::string, SummaryKey> summarized_;
  std::vector<Observer> observers_;
  std::uint64_t id_counter_ = 0;
  GitEdge git_;

  // Effects run in commit order: a call waits for its turn (cheap: effects are local git work).
  std::mutex turn_mu_;
  std::condition_variable turn_cv_;
  std::uint64_t next_turn_ = 0;
  std::uint64_t serving_turn_ = 0;

  std::mutex notice_mu_;
  std::condition_variable notice_cv_;
  std::deque<Outbox::Effect> notices_;
  bool sending_ = false;
  bool stopping_ = false;
  std::thread notifier_;
};

template <typename F>
auto Engine::read(const std::optional<std::string>& run, F&& reader)
    -> std::invoke_result_t<F&, const state::State&> {
  using R = std::invoke_result_t<F&, const state::State&>;
  std::optional<R> out;
  EVO_TRY(inspect(run, [&](const state::State& s) -> Status {
    out.emplace(reader(s));
    return {};
  }));
  return std::move(*out);
}

template <typename Plan, typename Obs>
Result<state::Reply> Engine::mutate_observed(
    const std::optional<std::string>& run,
    const std::function<Result<Plan>(const state::State&)>& plan,
    const std::function<Result<Obs>(const Plan&)>& observe,
    const std::function<Result<state::Transition>(state::State&, const Plan&, Obs&)>& decide) {
  // First under the write transaction: a plan that needs no I/O (Plan::needs_io() false: no
  // git for this run or this call) is observed and decided at once, in one unit of work.
  std::optional<Plan> planned;
  auto direct = mutate(run, [&](state::State& s) -> Result<state::Transition> {
    EVO_ASSIGN_OR_RETURN(auto p, plan(s));
    if (p.needs_io()) {
      planned.emplace(std::move(p));
      return state::Transition{};
    }
    EVO_ASSIGN_OR_RETURN(auto seen, observe(p));
    return decide(s, p, seen);
  });
  if (!planned) return direct;
  // The run needs git: observe with no lock held, then commit with the plan re-checked.
  std::optional<std::string> run_id = run;
  if (!run_id) {
    (void)inspect(run, [&](const state::State& s) -> Status {
      run_id = s.run_id;
      return {};
    });
  }
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto seen = observe(*planned);  // no lock held
    std::optional<Plan> moved;
    auto reply = mutate(run_id, [&](state::State& s) -> Result<state::Transition> {
      EVO_ASSIGN_OR_RETURN(auto again, plan(s));
      if (!(again == *planned)) {
        if (attempt < kAttempts) {
          moved.emplace(std::move(again));
          return state::Transition{};
        }
        return make_error(ErrorCode::kConflict, "the run changed while the repository was read, " +
                                                    std::to_string(kAttempts) +
                                                    " times: send the call again");
      }
      if (!seen) return seen.error();
      return decide(s, *planned, *seen);
    });
    if (!moved) return reply;
    planned = std::move(moved);
  }
}

}  // namespace evo::engine
