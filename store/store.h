// Durable storage of runs: an append-only event log plus periodic snapshots, in SQLite (WAL).
// Every state-changing call appends its events inside one write transaction, which is
// committed before the reply goes out. BEGIN IMMEDIATE serializes writers across processes,
// so two servers on one data dir never fork a run: each catches up on the other's events
// before deciding.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace evo::store {

enum class SyncMode { kNormal, kFull };

struct RunRow {
  std::string run_id;
  std::int64_t created_at_ms = 0;
};

// A run's summary as of event `seq` (JSON text), kept at commit time so that listing runs
// never replays them.
struct SummaryRow {
  std::string run_id;
  std::uint64_t seq = 0;       // the summary's event seq; 0 when the run has none stored
  std::uint64_t last_seq = 0;  // the run's last event seq now
  std::string data;
};

class Store;

// An open transaction: rolled back when it leaves scope uncommitted, so no error path has
// to remember to. Move-only; at most one is open on a Store at a time.
class [[nodiscard]] Transaction {
 public:
  Transaction(Transaction&& other) noexcept : store_(std::exchange(other.store_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Commits (a failed commit rolls back). The transaction is closed afterwards either way.
  Status commit();

 private:
  friend class Store;
  explicit Transaction(Store* store) : store_(store) {}
  Store* store_;
};

class Store {
 public:
  // Opens (creating if needed) <data_dir>/evo.sqlite3. A read-only data dir or database, and
  // an empty (0-byte) database file, are refused with an error that says so.
  static Result<std::unique_ptr<Store>> open(const std::string& data_dir, SyncMode sync);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Write transaction (BEGIN IMMEDIATE: takes the database write lock at once).
  Result<Transaction> write();
  // Read transaction: a consistent view of what other processes committed.
  Result<Transaction> read();
  // True inside a write transaction (until it commits or rolls back).
  bool in_write() const { return writing_; }

  Status insert_run(const std::string& run_id, std::int64_t created_at_ms);
  Result<std::vector<RunRow>> list_runs();
  Result<std::optional<std::string>> latest_run();
  Result<bool> run_exists(const std::string& run_id);

  // Every run's stored summary (in creation order) with its last event seq, in one query.
  Result<std::vector<SummaryRow>> run_summaries();
  Status put_summary(const std::string& run_id, std::uint64_t seq, const std::string& data);

  // Appends events with consecutive seqs starting at first_seq. Fails (kStorage) if a seq is
  // already taken, which would mean another writer got ahead: the caller must catch up.
  Status append_event(const std::string& run_id, std::uint64_t seq, const std::string& type,
                      const std::string& data);
  Result<std::uint64_t> last_seq(const std::string& run_id);
  // The run's events after `seq`, in order, one at a time (seq, 1-based; type; JSON text),
  // never all held at once; stops at the callback's first error. The views are valid only
  // during the call.
  Status for_each_event_after(
      const std::string& run_id, std::uint64_t seq,
      const std::function<Status(std::uint64_t, std::string_view, std::string_view)>& event);

  // The same for the events with after < seq <= upto.
  Status for_each_event_between(
      const std::string& run_id, std::uint64_t after, std::uint64_t upto,
      const std::function<Status(std::uint64_t, std::string_view, std::string_view)>& event);

  Status put_snapshot(const std::string& run_id, std::uint64_t seq, const std::string& data);
  // A snapshot in parts: the header row, then one row per part that `next_part` yields (it
  // replaces its argument and returns false when done), so no caller holds the whole text.
  // Older snapshots of the run, and their parts, are removed.
  Status put_snapshot(const std::string& run_id, std::uint64_t seq, const std::string& header,
                      const std::function<bool(std::string&)>& next_part);
  // Latest snapshot (seq, header text), if any.
  Result<std::optional<std::pair<std::uint64_t, std::string>>> latest_snapshot(
      const std::string& run_id);
  // Calls `part` with each part of the snapshot taken at `seq`, in order; stops at its first
  // error. The view is valid only during the call.
  Status snapshot_parts(const std::string& run_id, std::uint64_t seq,
                        const std::function<Status(std::string_view)>& part);

  const std::string& path() const { return path_; }

 private:
  friend class Transaction;
  Store(sqlite3* db, std::string path);
  Status begin(const char* sql);
  Status commit();
  void rollback();
  Status exec(const char* sql);
  Status exec_cached(const char* sql);             // a statement without results, prepared once
  Result<sqlite3_stmt*> prepare(const char* sql);  // cached per SQL text
  Error sql_error(const std::string& what) const;

  sqlite3* db_;
  std::string path_;
  std::vector<std::pair<const char*, sqlite3_stmt*>> statements_;
  bool in_tx_ = false;
  bool writing_ = false;
};

}  // namespace evo::store
