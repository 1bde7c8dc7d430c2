// Engine implementation. See engine.h.
#include "engine/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <random>

#include "state/events.h"
#include "state/replies.h"
#include "state/snapshot.h"
#include "wire/replies.h"

namespace evo::engine {

using nlohmann::json;

namespace {
std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs one effect; a failure is logged and never reaches the caller: the call it follows has
// committed already.
void run_effect(const Outbox::Effect& effect, spdlog::logger& log) {
  try {
    effect();
  } catch (const std::exception& e) {
    log.error("post-commit work failed: {}", e.what());
  } catch (...) {
    log.error("post-commit work failed (unknown error)");
  }
}
}  // namespace

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options,
                                             std::shared_ptr<spdlog::logger> logger) {
  if (!options.now_ms) options.now_ms = system_now_ms;
  if (options.snapshot_every == 0) options.snapshot_every = EngineOptions{}.snapshot_every;
  if (options.max_loaded_runs == 0) options.max_loaded_runs = 1;
  EVO_ASSIGN_OR_RETURN(auto store, store::Store::open(options.data_dir, options.sync));
  return std::unique_ptr<Engine>(
      new Engine(std::move(options), std::move(logger), std::move(store)));
}

Engine::Engine(EngineOptions options, std::shared_ptr<spdlog::logger> logger,
               std::unique_ptr<store::Store> store)
    : options_(std::move(options)),
      logger_(std::move(logger)),
      store_(std::move(store)),
      notifier_([this] { notifier_loop(); }) {}

Engine::~Engine() {
  {
    std::lock_guard lock(notice_mu_);
    stopping_ = true;
  }
  notice_cv_.notify_all();
  notifier_.join();
}

std::string Engine::new_run_id() {
  // Readable and sortable: run-YYYYMMDD-HHMMSS-xxxx (the suffix tells apart runs created in
  // the same second by different processes).
  const std::time_t secs = static_cast<std::time_t>(now_ms() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  const auto suffix =
      (static_cast<unsigned>(rd()) ^ static_cast<unsigned>(++id_counter_)) & 0xffffu;
  char buf[64];
  std::snprintf(buf, sizeof buf, "run-%s-%04x", stamp, suffix);
  return buf;
}

Result<std::string> Engine::resolve_run(const std::optional<std::string>& run) {
  if (run) {
    EVO_ASSIGN_OR_RETURN(auto exists, store_->run_exists(*run));
    if (!exists) {
      return make_error(ErrorCode::kNotFound, "argument 'run': unknown run '" + *run +
                                                  "' (evo_list_runs lists the runs)");
    }
    return *run;
  }
  EVO_ASSIGN_OR_RETURN(auto latest, store_->latest_run());
  if (!latest) {
    return make_error(ErrorCode::kNotFound, "no run exists yet: call evo_init first");
  }
  return *latest;
}

void Engine::touch(const std::string& run_id) {
  if (!recent_.empty() && recent_.front() == run_id) return;
  recent_.remove(run_id);
  recent_.push_front(run_id);
  while (recent_.size() > options_.max_loaded_runs) {
    const std::string oldest = recent_.back();
    recent_.pop_back();
    runs_.erase(oldest);
  }
}

void Engine::forget(const std::string& run_id) {
  runs_.erase(run_id);
  recent_.remove(run_id);
}

Result<state::State*> Engine::load(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) {
    auto st = std::make_unique<state::State>();
    EVO_ASSIGN_OR_RETURN(auto snap, store_->latest_snapshot(run_id));
    bool rewrite_snapshot = false;
    if (snap) {
      auto restored = restore_snapshot(run_id, snap->first, snap->second);
      if (restored) {
        *st = std::move(restored).value();
      } else {
        // The event log is the record; a snapshot only shortens the replay. A corrupt one is
        // skipped (the whole log is replayed) and written again from the replayed state.
        logger_->warn(
            "run {}: the snapshot at event {} is corrupt ({}): replaying the event log "
            "from the start, and rewriting the snapshot",
            run_id, snap->first, restored.error().message);
        rewrite_snapshot = true;
      }
    }
    snapshot_seq_[run_id] = rewrite_snapshot ? 0 : st->event_seq;
    it = runs_.emplace(run_id, std::move(st)).first;
    touch(run_id);
    auto loaded = replay(run_id, *it->second);
    if (!loaded) return loaded;
    if (rewrite_snapshot) rewrite_corrupt_snapshot(*it->second);
    return loaded;
  }
  touch(run_id);
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
  forget(run_id);
  return replayed.error();
}

Status Engine::persist(state::State& s, const state::Transition& t) {
  if (t.events.empty()) return {};
  const std::uint64_t base = s.event_seq - t.events.size();
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const auto& e = t.events[i];
    EVO_TRY(
        store_->append_event(s.run_id, base + i + 1, state::event_type(e), state::event_text(e)));
  }
  auto& last = snapshot_seq_[s.run_id];
  const std::uint64_t every =
      std::max<std::uint64_t>(options_.snapshot_every, s.individuals.size() / 5);
  const bool snapshot = s.event_seq - last >= every;
  if (snapshot) {
    state::SnapshotWriter writer(s);
    EVO_TRY(store_->put_snapshot(s.run_id, s.event_seq, writer.header(),
                                 [&](std::string& part) { return writer.next_part(part); }));
    last = s.event_seq;
  }
  // The summary row is rewritten when the phase, the generation, the best or the targets
  // change, not on every report. In between its seq lags the log, and list_runs summarizes
  // such a run (one in progress) from its state: exact, and cached once loaded.
  SummaryKey shown{s.phase, s.generation, s.best, s.targets.size()};
  auto row = summarized_.find(s.run_id);
  if (row == summarized_.end() || !(row->second == shown)) {
    EVO_TRY(store_->put_summary(s.run_id, s.event_seq, wire::to_json(state::summary_of(s)).dump()));
    summarized_[s.run_id] = shown;
  }
  return {};
}

std::uint64_t Engine::enqueue(Outbox& outbox) {
  if (!outbox.notices_.empty()) {
    {
      std::lock_guard lock(notice_mu_);
      for (auto& n : outbox.notices_) notices_.push_back(std::move(n));
    }
    outbox.notices_.clear();
    notice_cv_.notify_one();
  }
  if (outbox.effects_.empty()) return 0;
  std::lock_guard lock(turn_mu_);
  return ++next_turn_;
}

void Engine::drain(Outbox& outbox, std::uint64_t turn) {
  if (turn == 0) return;
  std::unique_lock lock(turn_mu_);
  turn_cv_.wait(lock, [&] { return serving_turn_ + 1 == turn; });
  lock.unlock();
  for (const auto& effect : outbox.effects_) run_effect(effect, *logger_);
  lock.lock();
  serving_turn_ = turn;
  lock.unlock();
  turn_cv_.notify_all();
}

void Engine::notifier_loop() {
  std::unique_lock lock(notice_mu_);
  for (;;) {
    notice_cv_.wait(lock, [&] { return stopping_ || !notices_.empty(); });
    if (notices_.empty()) return;  // stopping, and everything queued was sent
    auto notice = std::move(notices_.front());
    notices_.pop_front();
    sending_ = true;
    lock.unlock();
    run_effect(notice, *logger_);
    lock.lock();
    sending_ = false;
    notice_cv_.notify_all();
  }
}

void Engine::post_notice(Outbox::Effect notice) {
  {
    std::lock_guard lock(notice_mu_);
    if (stopping_) return;
    notices_.push_back(std::move(notice));
  }
  notice_cv_.notify_one();
}

void Engine::quiesce_notices() {
  std::unique_lock lock(notice_mu_);
  notices_.clear();
  notice_cv_.wait(lock, [&] { return !sending_; });
}

void Engine::observe(const state::State& s, const std::vector<state::Event>& events,
                     Outbox& outbox) {
  for (const auto& observer : observers_) {
    try {
      observer(s, events, outbox);
    } catch (const std::exception& e) {
      // An observer (memory files, notifications) must never undo or block a committed call.
      logger_->error("run {}: observer failed: {}", s.run_id, e.what());
    }
  }
}

Result<state::Reply> Engine::create_run(state::Config config, const std::string& seed_commit,
                                        const std::optional<std::string>& requested_id) {
  Outbox outbox;
  std::uint64_t turn = 0;
  auto reply = [&]() -> Result<state::Reply> {
    std::lock_guard lock(mu_);
    EVO_ASSIGN_OR_RETURN(auto tx, store_->write());
    std::string run_id;
    if (requested_id) {
      run_id = *requested_id;
      EVO_ASSIGN_OR_RETURN(auto exists, store_->run_exists(run_id));
      if (exists) {
        EVO_ASSIGN_OR_RETURN(auto s, load(run_id));
        if (state::config_to_json(s->config) != state::config_to_json(config)) {
          return make_error(ErrorCode::kConflict,
                            "argument 'run_id': run '" + run_id +
                                "' already exists with a different configuration");
        }
        return state::Reply(state::init_reply(*s));
      }
    } else {
      for (int attempt = 0; attempt < 8; ++attempt) {
        run_id = new_run_id();
        EVO_ASSIGN_OR_RETURN(auto exists, store_->run_exists(run_id));
        if (!exists) break;
      }
    }
    auto st = std::make_unique<state::State>();
    EVO_ASSIGN_OR_RETURN(auto t, state::handle(*st, state::InitCmd{run_id, std::move(config),
                                                                   now_ms(), seed_commit}));
    EVO_TRY(store_->insert_run(run_id, st->created_at_ms));
    EVO_TRY(persist(*st, t));
    if (auto committed = tx.commit(); !committed.ok()) {
      summarized_.erase(run_id);
      return committed.error();
    }
    auto& stored = runs_[run_id];
    stored = std::move(st);
    touch(run_id);
    observe(*stored, t.events, outbox);
    turn = enqueue(outbox);
    logger_->info("run {} initialized", run_id);
    return std::move(t.reply);
  }();
  drain(outbox, turn);
  return reply;
}

Result<state::Reply> Engine::mutate(const std::optional<std::string>& run, const Decide& decide,
                                    const FollowUp& follow_up) {
  Outbox outbox;
  std::uint64_t turn = 0;
  auto reply = [&]() -> Result<state::Reply> {
    std::lock_guard lock(mu_);
    EVO_ASSIGN_OR_RETURN(auto tx, store_->write());
    EVO_ASSIGN_OR_RETURN(auto run_id, resolve_run(run));
    EVO_ASSIGN_OR_RETURN(auto s, load(run_id));
    EVO_ASSIGN_OR_RETURN(auto t, decide(*s));
    auto ok = persist(*s, t);
    if (ok.ok()) ok = tx.commit();
    if (!ok.ok()) {
      // The in-memory state is ahead of the store: drop it, the next call reloads.
      forget(run_id);
      summarized_.erase(run_id);
      logger_->error("run {}: could not persist: {}", run_id, ok.error().message);
      return ok.error();
    }
    if (!t.events.empty()) observe(*s, t.events, outbox);
    if (follow_up) follow_up(*s, outbox);
    turn = enqueue(outbox);
    return std::move(t.reply);
  }();
  drain(outbox, turn);
  return reply;
}

Result<std::string> Engine::inspect(const std::optional<std::string>& run,
                                    const std::function<Status(const state::State&)>& fn) {
  std::lock_guard lock(mu_);
  EVO_ASSIGN_OR_RETURN(auto tx, store_->read());  // read-only: rolled back when it leaves scope
  EVO_ASSIGN_OR_RETURN(auto run_id, resolve_run(run));
  EVO_ASSIGN_OR_RETURN(auto s, load(run_id));
  EVO_TRY(fn(*s));
  return run_id;
}

Result<state::RunList> Engine::list_runs() {
  std::lock_guard lock(mu_);
  EVO_ASSIGN_OR_RETURN(auto tx, store_->read());
  EVO_ASSIGN_OR_RETURN(auto rows, store_->run_summaries());
  state::RunList list;
  for (const auto& row : rows) {
    if (row.seq != 0 && row.seq == row.last_seq) {
      auto summary = wire::from_json<state::RunSummary>(json::parse(row.data, nullptr, false));
      if (summary.ok()) {
        list.runs.emplace_back(std::move(summary).value());
        continue;
      }
    }
    // No row (a store from before summaries), or the run moved on since its row: summarize
    // the state itself (loaded runs are only caught up).
    auto s = load(row.run_id);
    if (!s) {
      list.runs.emplace_back(state::UnreadableRun{row.run_id, s.error().message});
      continue;
    }
    list.runs.emplace_back(state::summary_of(**s));
  }
  if (!rows.empty()) list.latest_run = rows.back().run_id;
  list.count = rows.size();
  return list;
}

Result<std::string> Engine::journal(const std::string& run_id, std::optional<std::uint64_t> upto,
                                    std::uint64_t& last_seq) {
  // Events never change once written, so the log is read in chunks, each under the lock for
  // a moment only: a long journal never holds up the calls that go on meanwhile.
  constexpr std::uint64_t kChunk = 2048;
  std::uint64_t end = 0;
  {
    std::lock_guard lock(mu_);
    EVO_ASSIGN_OR_RETURN(auto tx, store_->read());
    EVO_ASSIGN_OR_RETURN(auto exists, store_->run_exists(run_id));
    if (!exists) return make_error(ErrorCode::kNotFound, "unknown run '" + run_id + "'");
    EVO_ASSIGN_OR_RETURN(auto last, store_->last_seq(run_id));
    end = upto ? std::min(*upto, last) : last;
  }
  std::string text;
  last_seq = 0;
  for (std::uint64_t from = 0; from < end; from += kChunk) {
    std::lock_guard lock(mu_);
    EVO_ASSIGN_OR_RETURN(auto tx, store_->read());
    EVO_TRY(store_->for_each_event_between(
        run_id, from, std::min(end, from + kChunk),
        [&](std::uint64_t seq, std::string_view type, std::string_view data) {
          auto parsed = json::parse(data, nullptr, false);
          json line{{"seq", seq},
                    {"type", type},
                    {"data", parsed.is_discarded() ? json(data) : std::move(parsed)}};
          text += line.dump();
          text += '\n';
          last_seq = seq;
          return Status();
        }));
  }
  if (upto && last_seq != *upto) {
    return make_error(ErrorCode::kNotFound,
                      "run '" + run_id + "' has no event " + std::to_string(*upto));
  }
  return text;
}

}  // namespace evo::engine
