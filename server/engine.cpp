// Engine implementation. See engine.h.
#include "server/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>

#include "state/events.h"
#include "state/replies.h"
#include "state/snapshot.h"

namespace evo::server {

using nlohmann::json;

namespace {
std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options,
                                             std::shared_ptr<spdlog::logger> logger) {
  if (!options.now_ms) options.now_ms = system_now_ms;
  if (options.snapshot_every == 0) options.snapshot_every = EngineOptions{}.snapshot_every;
  auto store = store::Store::open(options.data_dir, options.sync);
  if (!store) return store.error();
  return std::unique_ptr<Engine>(
      new Engine(std::move(options), std::move(logger), std::move(store).value()));
}

Engine::Engine(EngineOptions options, std::shared_ptr<spdlog::logger> logger,
               std::unique_ptr<store::Store> store)
    : options_(std::move(options)), logger_(std::move(logger)), store_(std::move(store)) {}

Engine::~Engine() = default;

std::string Engine::new_run_id() {
  // Readable and sortable: run-YYYYMMDD-HHMMSS-xxxx (the suffix tells apart runs created in
  // the same second by different processes).
  const std::time_t secs = static_cast<std::time_t>(now_ms() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  const auto suffix = (static_cast<unsigned>(rd()) ^ static_cast<unsigned>(++id_counter_)) & 0xffffu;
  char buf[64];
  std::snprintf(buf, sizeof buf, "run-%s-%04x", stamp, suffix);
  return buf;
}

Result<std::string> Engine::resolve_run(const std::optional<std::string>& run) {
  if (run) {
    auto exists = store_->run_exists(*run);
    if (!exists) return exists.error();
    if (!*exists) {
      return make_error(ErrorCode::kNotFound, "argument 'run': unknown run '" + *run +
                                                  "' (evo_list_runs lists the runs)");
    }
    return *run;
  }
  auto latest = store_->latest_run();
  if (!latest) return latest.error();
  if (!*latest) {
    return make_error(ErrorCode::kNotFound, "no run exists yet: call evo_init first");
  }
  return **latest;
}

Result<state::State*> Engine::load(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) {
    auto st = std::make_unique<state::State>();
    auto snap = store_->latest_snapshot(run_id);
    if (!snap) return snap.error();
    bool rewrite_snapshot = false;
    if (*snap) {
      auto restored = restore_snapshot(run_id, (*snap)->first, (*snap)->second);
      if (restored) {
        *st = std::move(restored).value();
      } else {
        // The event log is the record; a snapshot only shortens the replay. A corrupt one is
        // skipped (the whole log is replayed) and written again from the replayed state.
        logger_->warn(
            "run {}: the snapshot at event {} is corrupt ({}): replaying the event log "
            "from the start, and rewriting the snapshot",
            run_id, (*snap)->first, restored.error().message);
        rewrite_snapshot = true;
      }
    }
    snapshot_seq_[run_id] = rewrite_snapshot ? 0 : st->event_seq;
    it = runs_.emplace(run_id, std::move(st)).first;
    auto loaded = replay(run_id, *it->second);
    if (!loaded) return loaded;
    if (rewrite_snapshot) rewrite_corrupt_snapshot(*it->second);
    return loaded;
  }
  return replay(run_id, *it->second);
}

Result<state::State> Engine::restore_snapshot(const std::string& run_id, std::uint64_t seq,
                                              const std::string& header) {
  state::SnapshotReader reader;
  EVO_TRY(reader.begin(header));
  if (reader.wants_parts()) {
    EVO_TRY(store_->snapshot_parts(run_id, seq,
                                   [&](std::string_view part) { return reader.add_part(part); }));
  }
  auto restored = reader.finish();
  if (restored && restored->event_seq != seq) {
    return make_error(ErrorCode::kStorage, "it says event " + std::to_string(restored->event_seq));
  }
  return restored;
}

void Engine::rewrite_corrupt_snapshot(state::State& s) {
  // Inside a write transaction the new snapshot commits with the call; in a read one it
  // cannot be written now, and snapshot_seq_ = 0 makes the next commit write it.
  if (!store_->in_write() || s.event_seq == 0) return;
  state::SnapshotWriter writer(s);
  auto ok = store_->put_snapshot(s.run_id, s.event_seq, writer.header(),
                                 [&](std::string& part) { return writer.next_part(part); });
  if (!ok.ok()) {
    logger_->warn("run {}: cannot rewrite the snapshot: {}", s.run_id, ok.error().message);
    return;
  }
  snapshot_seq_[s.run_id] = s.event_seq;
}

Result<state::State*> Engine::replay(const std::string& run_id, state::State& s) {
  // Streamed: a long tail of events is never held in memory at once.
  std::optional<Error> undecodable;
  auto replayed = store_->for_each_event_after(
      run_id, s.event_seq, [&](std::uint64_t seq, std::string_view type, std::string_view text) {
        if (seq != s.event_seq + 1) {
          return Status(make_error(
              ErrorCode::kStorage,
              "event log of run " + run_id + " has a gap at " + std::to_string(s.event_seq + 1)));
        }
        auto data = json::parse(text, nullptr, false);
        auto decoded =
            data.is_discarded()
                ? Result<state::Event>(make_error(ErrorCode::kStorage, "it is not valid JSON"))
                : state::event_from_json(std::string(type), data);
        if (!decoded) {
          undecodable = make_error(
              ErrorCode::kStorage,
              "run " + run_id + " is read-only: its event " + std::to_string(seq) + " ('" +
                  std::string(type) + "') cannot be decoded (" + decoded.error().message +
                  "); its state up to event " + std::to_string(seq - 1) +
                  " can still be read, nothing can be added; to go on, start a new run with "
                  "evo_init (this one stays readable), or restore " +
                  options_.data_dir + " from a backup taken before that event");
          return Status(*undecodable);
        }
        state::apply_event(s, *decoded);
        return Status();
      });
  if (replayed.ok()) return &s;
  if (undecodable) {
    // Acknowledged data is never made unreachable: the events before the bad one stay
    // readable (the state stays cached at that point); only changes are refused.
    if (store_->in_write()) return *undecodable;
    if (read_only_.insert(run_id).second) logger_->warn("{}", undecodable->message);
    return &s;
  }
  runs_.erase(run_id);
  return replayed.error();
}

Status Engine::persist(state::State& s, const state::Transition& t) {
  if (t.events.empty()) return {};
  const std::uint64_t base = s.event_seq - t.events.size();
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const auto& e = t.events[i];
    EVO_TRY(store_->append_event(s.run_id, base + i + 1, state::event_type(e),
                                 state::event_text(e)));
  }
  auto& last = snapshot_seq_[s.run_id];
  const std::uint64_t every =
      std::max<std::uint64_t>(options_.snapshot_every, s.individuals.size() / 5);
  if (s.event_seq - last >= every) {
    state::SnapshotWriter writer(s);
    EVO_TRY(store_->put_snapshot(s.run_id, s.event_seq, writer.header(),
                                 [&](std::string& part) { return writer.next_part(part); }));
    last = s.event_seq;
  }
  return {};
}

Result<json> Engine::create_run(state::Config config, const std::string& seed_commit,
                                const std::optional<std::string>& requested_id) {
  std::lock_guard lock(mu_);
  EVO_TRY(store_->begin_write());
  std::string run_id;
  if (requested_id) {
    run_id = *requested_id;
    auto exists = store_->run_exists(run_id);
    if (!exists) {
      store_->rollback();
      return exists.error();
    }
    if (*exists) {
      auto s = load(run_id);
      store_->rollback();
      if (!s) return s.error();
      if (state::config_to_json((*s)->config) != state::config_to_json(config)) {
        return make_error(ErrorCode::kConflict,
                          "argument 'run_id': run '" + run_id +
                              "' already exists with a different configuration");
      }
      return state::init_reply(**s);
    }
  } else {
    for (int attempt = 0; attempt < 8; ++attempt) {
      run_id = new_run_id();
      auto exists = store_->run_exists(run_id);
      if (!exists) {
        store_->rollback();
        return exists.error();
      }
      if (!*exists) break;
    }
  }
  auto st = std::make_unique<state::State>();
  auto t = state::handle(*st, state::InitCmd{run_id, std::move(config), now_ms(), seed_commit});
  if (!t) {
    store_->rollback();
    return t.error();
  }
  auto ok = store_->insert_run(run_id, st->created_at_ms);
  if (ok.ok()) ok = persist(*st, *t);
  if (ok.ok()) ok = store_->commit();
  if (!ok.ok()) {
    store_->rollback();
    return ok.error();
  }
  auto& stored = runs_[run_id];
  stored = std::move(st);
  notify(*stored, t->events);
  logger_->info("run {} initialized", run_id);
  return t->reply;
}

Result<json> Engine::mutate(const std::optional<std::string>& run, const Decide& decide,
                            const AfterCommit& after) {
  std::lock_guard lock(mu_);
  EVO_TRY(store_->begin_write());
  auto run_id = resolve_run(run);
  if (!run_id) {
    store_->rollback();
    return run_id.error();
  }
  auto s = load(*run_id);
  if (!s) {
    store_->rollback();
    return s.error();
  }
  auto t = decide(**s);
  if (!t) {
    store_->rollback();
    return t.error();
  }
  auto ok = persist(**s, *t);
  if (ok.ok()) ok = store_->commit();
  if (!ok.ok()) {
    // The in-memory state is ahead of the store: drop it, the next call reloads.
    store_->rollback();
    runs_.erase(*run_id);
    logger_->error("run {}: could not persist: {}", *run_id, ok.error().message);
    return ok.error();
  }
  if (!t->events.empty()) {
    if (after) after(**s, *t);
    notify(**s, t->events);
  }
  return t->reply;
}

Result<json> Engine::read(const std::optional<std::string>& run, const Read& reader) {
  std::lock_guard lock(mu_);
  EVO_TRY(store_->begin_read());
  auto run_id = resolve_run(run);
  if (!run_id) {
    store_->rollback();
    return run_id.error();
  }
  auto s = load(*run_id);
  store_->rollback();  // read-only: nothing to commit
  if (!s) return s.error();
  return reader(**s);
}

Result<json> Engine::list_runs() {
  std::lock_guard lock(mu_);
  EVO_TRY(store_->begin_read());
  auto rows = store_->list_runs();
  if (!rows) {
    store_->rollback();
    return rows.error();
  }
  json runs = json::array();
  for (const auto& row : *rows) {
    auto s = load(row.run_id);
    if (!s) {
      runs.push_back({{"run_id", row.run_id}, {"error", s.error().message}});
      continue;
    }
    runs.push_back(state::run_summary_json(**s));
  }
  store_->rollback();
  auto latest = rows->empty() ? json(nullptr) : json(rows->back().run_id);
  return json{{"runs", runs}, {"latest_run", latest}, {"count", rows->size()}};
}

void Engine::notify(const state::State& s, const std::vector<state::Event>& events) {
  for (const auto& observer : observers_) {
    try {
      observer(s, events);
    } catch (const std::exception& e) {
      // An observer (memory files, notifications) must never undo or block a committed call.
      logger_->error("run {}: observer failed: {}", s.run_id, e.what());
    }
  }
}

Result<git::Repo*> Engine::repo(const std::string& path) {
  auto it = repos_.find(path);
  if (it != repos_.end()) return it->second.get();
  auto r = git::Repo::open(path);
  if (!r) return r.error();
  auto owned = std::make_unique<git::Repo>(std::move(r).value());
  git::Repo* raw = owned.get();
  repos_.emplace(path, std::move(owned));
  return raw;
}

}  // namespace evo::server
