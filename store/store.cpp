// SQLite implementation of the event store. See store.h.
#include "store/store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/strings.h"

namespace evo::store {
namespace {

// 2: snapshots may have parts (snapshot_parts); version-1 stores open unchanged.
// 3: run_summaries; a run without a row (an older store) is summarized from its state.
constexpr int kSchemaVersion = 3;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs(
  ord INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY(run_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots(
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY(run_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshot_parts(
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  part INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY(run_id, seq, part));
CREATE TABLE IF NOT EXISTS run_summaries(
  run_id TEXT NOT NULL PRIMARY KEY,
  seq INTEGER NOT NULL,
  data TEXT NOT NULL) WITHOUT ROWID;
)sql";

// Resets a cached statement when it leaves scope, so it never holds a read lock.
struct StmtGuard {
  sqlite3_stmt* stmt;
  ~StmtGuard() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

void bind_text(sqlite3_stmt* st, int idx, const std::string& s) {
  sqlite3_bind_text(st, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* st, int col) {
  const auto* p = sqlite3_column_text(st, col);
  const int n = sqlite3_column_bytes(st, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}

// A column's text, valid until the statement steps or resets.
std::string_view column_view(sqlite3_stmt* st, int col) {
  const auto* p = sqlite3_column_text(st, col);
  const int n = sqlite3_column_bytes(st, col);
  return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string_view();
}

Status check_data_files(const std::string& data_dir, const std::string& path) {
  namespace fs = std::filesystem;
  // SQLite's own message for these is "unable to open database file" or "attempt to write a
  // readonly database": say what is read-only instead.
  if (::access(data_dir.c_str(), W_OK) != 0 && (errno == EACCES || errno == EROFS)) {
    return make_error(ErrorCode::kStorage,
                      "data directory '" + data_dir + "' is read-only (" + errno_text(errno) +
                          "): the store needs to write there (its database, WAL and lock "
                          "files); fix its permissions or pass another --data-dir");
  }
  std::error_code ec;
  const auto status = fs::symlink_status(path, ec);
  if (ec || !fs::exists(status)) return {};  // a new store
  if (::access(path.c_str(), W_OK) != 0 && (errno == EACCES || errno == EROFS)) {
    return make_error(ErrorCode::kStorage, "database '" + path + "' is read-only (" +
                                               errno_text(errno) +
                                               "): fix its permissions or pass another --data-dir");
  }
  // SQLite takes an empty file for a new database. The store never leaves one (its first
  // write is the schema): an empty file is a truncated or replaced store, and treating it as
  // new would hide every run it held. A WAL beside it may still hold the data: open that.
  const auto size = fs::file_size(path, ec);
  if (!ec && size == 0) {
    const auto wal = fs::file_size(path + "-wal", ec);
    if (ec || wal == 0) {
      return make_error(ErrorCode::kStorage,
                        "database '" + path +
                            "' is an empty file (0 bytes), not a store evo-engine wrote: it is "
                            "not treated as a new one, so no run is lost silently; restore it "
                            "from a backup, or move it away to start an empty store");
    }
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& data_dir, SyncMode sync) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return make_error(ErrorCode::kStorage,
                      "cannot create data directory '" + data_dir + "': " + ec.message());
  }
  const std::string path = (std::filesystem::path(data_dir) / "evo.sqlite3").string();
  EVO_TRY(check_data_files(data_dir, path));
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return make_error(ErrorCode::kStorage, "cannot open '" + path + "': " + msg);
  }
  std::unique_ptr<Store> store(new Store(db, path));
  sqlite3_busy_timeout(db, 30000);
  if (auto wal = store->exec("PRAGMA journal_mode=WAL"); !wal.ok()) {
    if (sqlite3_errcode(db) == SQLITE_READONLY) {
      return make_error(ErrorCode::kStorage, "database '" + path + "' is read-only (" +
                                                 wal.error().message +
                                                 "): fix its permissions or pass another "
                                                 "--data-dir");
    }
    return wal.error();
  }
  EVO_TRY(store->exec(sync == SyncMode::kFull ? "PRAGMA synchronous=FULL"
                                              : "PRAGMA synchronous=NORMAL"));
  EVO_TRY(store->exec("PRAGMA foreign_keys=ON"));
  {
    EVO_ASSIGN_OR_RETURN(auto tx, store->write());
    EVO_TRY(store->exec(kSchema));
    EVO_TRY(store->exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str()));
    EVO_TRY(tx.commit());
  }
  return store;
}

Store::Store(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Store::~Store() {
  if (in_tx_) rollback();
  for (auto& [sql, st] : statements_) sqlite3_finalize(st);
  sqlite3_close(db_);
}

Error Store::sql_error(const std::string& what) const {
  return make_error(ErrorCode::kStorage, what + ": " + sqlite3_errmsg(db_));
}

Status Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_error(ErrorCode::kStorage, std::string("sqlite: ") + msg);
  }
  return {};
}

Result<sqlite3_stmt*> Store::prepare(const char* sql) {
  for (auto& [text, st] : statements_) {
    if (text == sql) return st;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
    return sql_error("prepare failed");
  }
  statements_.emplace_back(sql, st);
  return st;
}

Status Store::exec_cached(const char* sql) {
  EVO_ASSIGN_OR_RETURN(auto* st, prepare(sql));
  StmtGuard g{st};
  if (sqlite3_step(st) != SQLITE_DONE) {
    return make_error(ErrorCode::kStorage, std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  return {};
}

Transaction::~Transaction() {
  if (store_ != nullptr) store_->rollback();
}

Status Transaction::commit() {
  Store* store = std::exchange(store_, nullptr);
  if (store == nullptr) return make_error(ErrorCode::kInternal, "transaction already closed");
  return store->commit();
}

Result<Transaction> Store::write() {
  EVO_TRY(begin("BEGIN IMMEDIATE"));
  return Transaction(this);
}

Result<Transaction> Store::read() {
  EVO_TRY(begin("BEGIN"));
  return Transaction(this);
}

// Every call opens and commits a transaction: prepared once, these cost a step, not a parse.
Status Store::begin(const char* sql) {
  if (in_tx_) return make_error(ErrorCode::kInternal, "a transaction is already open");
  EVO_TRY(exec_cached(sql));
  in_tx_ = true;
  writing_ = std::string_view(sql) != "BEGIN";
  return {};
}

Status Store::commit() {
  auto st = exec_cached("COMMIT");
  if (!st.ok()) {
    rollback();
    return st;
  }
  in_tx_ = false;
  writing_ = false;
  return {};
}

void Store::rollback() {
  if (!in_tx_) return;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  in_tx_ = false;
  writing_ = false;
}

Status Store::insert_run(const std::string& run_id, std::int64_t created_at_ms) {
  EVO_ASSIGN_OR_RETURN(auto* st, prepare("INSERT INTO runs(run_id, created_at_ms) VALUES(?1, ?2)"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  sqlite3_bind_int64(st, 2, created_at_ms);
  if (sqlite3_step(st) != SQLITE_DONE) return sql_error("cannot record run " + run_id);
  return {};
}

Result<std::vector<RunRow>> Store::list_runs() {
  EVO_ASSIGN_OR_RETURN(auto* st, prepare("SELECT run_id, created_at_ms FROM runs ORDER BY ord"));
  StmtGuard g{st};
  std::vector<RunRow> rows;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    rows.push_back({column_text(st, 0), sqlite3_column_int64(st, 1)});
  }
  if (rc != SQLITE_DONE) return sql_error("cannot list runs");
  return rows;
}

Result<std::optional<std::string>> Store::latest_run() {
  EVO_ASSIGN_OR_RETURN(auto* st, prepare("SELECT run_id FROM runs ORDER BY ord DESC LIMIT 1"));
  StmtGuard g{st};
  const int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) return std::optional<std::string>(column_text(st, 0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return sql_error("cannot read the latest run");
}

Result<bool> Store::run_exists(const std::string& run_id) {
  EVO_ASSIGN_OR_RETURN(auto* st, prepare("SELECT 1 FROM runs WHERE run_id = ?1"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  const int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sql_error("cannot look up run " + run_id);
}

Result<std::vector<SummaryRow>> Store::run_summaries() {
  EVO_ASSIGN_OR_RETURN(
      auto* st,
      prepare("SELECT r.run_id, COALESCE(s.seq, 0), COALESCE(s.data, ''), "
              "(SELECT COALESCE(MAX(e.seq), 0) FROM events e WHERE e.run_id = r.run_id) "
              "FROM runs r LEFT JOIN run_summaries s ON s.run_id = r.run_id ORDER BY r.ord"));
  StmtGuard g{st};
  std::vector<SummaryRow> rows;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    rows.push_back({column_text(st, 0), static_cast<std::uint64_t>(sqlite3_column_int64(st, 1)),
                    static_cast<std::uint64_t>(sqlite3_column_int64(st, 3)), column_text(st, 2)});
  }
  if (rc != SQLITE_DONE) return sql_error("cannot list run summaries");
  return rows;
}

Status Store::put_summary(const std::string& run_id, std::uint64_t seq, const std::string& data) {
  EVO_ASSIGN_OR_RETURN(
      auto* st,
      prepare("INSERT OR REPLACE INTO run_summaries(run_id, seq, data) VALUES(?1, ?2, ?3)"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(seq));
  bind_text(st, 3, data);
  if (sqlite3_step(st) != SQLITE_DONE) return sql_error("cannot store the summary of " + run_id);
  return {};
}

Status Store::append_event(const std::string& run_id, std::uint64_t seq, const std::string& type,
                           const std::string& data) {
  EVO_ASSIGN_OR_RETURN(
      auto* st, prepare("INSERT INTO events(run_id, seq, type, data) VALUES(?1, ?2, ?3, ?4)"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(seq));
  bind_text(st, 3, type);
  bind_text(st, 4, data);
  if (sqlite3_step(st) != SQLITE_DONE) {
    return sql_error("cannot append event " + std::to_string(seq) + " of run " + run_id);
  }
  return {};
}

Result<std::uint64_t> Store::last_seq(const std::string& run_id) {
  EVO_ASSIGN_OR_RETURN(auto* st,
                       prepare("SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?1"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  if (sqlite3_step(st) != SQLITE_ROW) return sql_error("cannot read the log of run " + run_id);
  return static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
}

Status Store::for_each_event_after(
    const std::string& run_id, std::uint64_t seq,
    const std::function<Status(std::uint64_t, std::string_view, std::string_view)>& event) {
  return for_each_event_between(run_id, seq, static_cast<std::uint64_t>(INT64_MAX), event);
}

Status Store::for_each_event_between(
    const std::string& run_id, std::uint64_t after, std::uint64_t upto,
    const std::function<Status(std::uint64_t, std::string_view, std::string_view)>& event) {
  EVO_ASSIGN_OR_RETURN(auto* st,
                       prepare("SELECT seq, type, data FROM events WHERE run_id = ?1 AND seq > ?2 "
                               "AND seq <= ?3 ORDER BY seq"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(after));
  sqlite3_bind_int64(st, 3, static_cast<sqlite3_int64>(std::min<std::uint64_t>(upto, INT64_MAX)));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    EVO_TRY(event(static_cast<std::uint64_t>(sqlite3_column_int64(st, 0)), column_view(st, 1),
                  column_view(st, 2)));
  }
  if (rc != SQLITE_DONE) return sql_error("cannot read the log of run " + run_id);
  return {};
}

Status Store::put_snapshot(const std::string& run_id, std::uint64_t seq, const std::string& data) {
  return put_snapshot(run_id, seq, data, [](std::string&) { return false; });
}

Status Store::put_snapshot(const std::string& run_id, std::uint64_t seq, const std::string& header,
                           const std::function<bool(std::string&)>& next_part) {
  // Older snapshots are superseded (the event log stays complete), and parts of one being
  // rewritten at the same seq must not outlive it.
  EVO_ASSIGN_OR_RETURN(auto* del_parts,
                       prepare("DELETE FROM snapshot_parts WHERE run_id = ?1 AND seq <= ?2"));
  {
    StmtGuard g{del_parts};
    bind_text(del_parts, 1, run_id);
    sqlite3_bind_int64(del_parts, 2, static_cast<sqlite3_int64>(seq));
    if (sqlite3_step(del_parts) != SQLITE_DONE) return sql_error("cannot prune snapshots");
  }
  EVO_ASSIGN_OR_RETURN(
      auto* ins, prepare("INSERT OR REPLACE INTO snapshots(run_id, seq, data) VALUES(?1, ?2, ?3)"));
  {
    StmtGuard g{ins};
    bind_text(ins, 1, run_id);
    sqlite3_bind_int64(ins, 2, static_cast<sqlite3_int64>(seq));
    bind_text(ins, 3, header);
    if (sqlite3_step(ins) != SQLITE_DONE) return sql_error("cannot store a snapshot");
  }
  EVO_ASSIGN_OR_RETURN(
      auto* ins_part,
      prepare("INSERT INTO snapshot_parts(run_id, seq, part, data) VALUES(?1, ?2, ?3, ?4)"));
  std::string part;
  for (sqlite3_int64 n = 0; next_part(part); ++n) {
    StmtGuard g{ins_part};
    bind_text(ins_part, 1, run_id);
    sqlite3_bind_int64(ins_part, 2, static_cast<sqlite3_int64>(seq));
    sqlite3_bind_int64(ins_part, 3, n);
    // `part` outlives the step, so SQLite need not copy it.
    sqlite3_bind_text(ins_part, 4, part.data(), static_cast<int>(part.size()), SQLITE_STATIC);
    if (sqlite3_step(ins_part) != SQLITE_DONE) return sql_error("cannot store a snapshot part");
  }
  EVO_ASSIGN_OR_RETURN(auto* del, prepare("DELETE FROM snapshots WHERE run_id = ?1 AND seq < ?2"));
  StmtGuard g{del};
  bind_text(del, 1, run_id);
  sqlite3_bind_int64(del, 2, static_cast<sqlite3_int64>(seq));
  if (sqlite3_step(del) != SQLITE_DONE) return sql_error("cannot prune snapshots");
  return {};
}

Result<std::optional<std::pair<std::uint64_t, std::string>>> Store::latest_snapshot(
    const std::string& run_id) {
  EVO_ASSIGN_OR_RETURN(
      auto* st,
      prepare("SELECT seq, data FROM snapshots WHERE run_id = ?1 ORDER BY seq DESC LIMIT 1"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  const int rc = sqlite3_step(st);
  using Out = std::optional<std::pair<std::uint64_t, std::string>>;
  if (rc == SQLITE_ROW) {
    return Out(std::make_pair(static_cast<std::uint64_t>(sqlite3_column_int64(st, 0)),
                              column_text(st, 1)));
  }
  if (rc == SQLITE_DONE) return Out();
  return sql_error("cannot read snapshots of run " + run_id);
}

Status Store::snapshot_parts(const std::string& run_id, std::uint64_t seq,
                             const std::function<Status(std::string_view)>& part) {
  EVO_ASSIGN_OR_RETURN(
      auto* st,
      prepare("SELECT data FROM snapshot_parts WHERE run_id = ?1 AND seq = ?2 ORDER BY part"));
  StmtGuard g{st};
  bind_text(st, 1, run_id);
  sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(seq));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) EVO_TRY(part(column_view(st, 0)));
  if (rc != SQLITE_DONE) return sql_error("cannot read the snapshot of run " + run_id);
  return {};
}

}  // namespace evo::store
