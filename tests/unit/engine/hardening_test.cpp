// Issue 16 hardening of the engine and the store: a synergy gain that would overflow is
// refused; a run with an undecodable event opens read-only (reads work, writes name the
// event); a corrupt snapshot falls back to the log and is rewritten; an empty database file
// and a read-only data dir are refused with errors that say so.
#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/engine.h"
#include "state/replies.h"
#include "store/store.h"
#include "tests/unit/engine/support.h"

using namespace evo;
using nlohmann::json;
namespace fs = std::filesystem;

using server_testing::config;
using server_testing::open;
using server_testing::quiet;
using server_testing::TempDir;

namespace {

Result<json> step(engine::Engine& e, const state::Command& c) {
  return as_json(e.mutate(std::nullopt, [&](state::State& s) { return state::handle(s, c); }));
}

Result<json> status(engine::Engine& e) {
  return e.read(std::nullopt, [](const state::State& s) -> Result<json> {
    return wire::to_json(state::status_of(s));
  });
}

std::string start(engine::Engine& e) {
  auto init = as_json(e.create_run(config(), ""));
  REQUIRE(init.ok());
  state::RegisterTargetsCmd reg;
  reg.targets = {{"a", "a.py", "fa"}, {"b", "b.py", "fb"}};
  REQUIRE(step(e, reg).ok());
  REQUIRE(step(e, state::ReportSeedCmd{{10.0}}).ok());
  return init->at("run_id").get<std::string>();
}

}  // namespace

TEST_SUITE("server.hardening") {
  TEST_CASE("a synergy gain that overflows is refused and the run stays loadable") {
    TempDir dir;
    auto e = open(dir);
    start(*e);
    state::RecordSynergyCmd c{
        "gen-0/synergy/a+b-0", {"a", "b"}, {1.7e308}, true, {{"a", {-1.7e308}}, {"b", {-1.0e308}}}};
    auto r = step(*e, c);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("argument 'fitness_values[0]'") == 0);
    CHECK(r.error().message.find("overflows") != std::string::npos);
    e.reset();
    auto again = open(dir);
    REQUIRE(status(*again).ok());
    CHECK(step(*again,
               state::RecordSynergyCmd{
                   "gen-0/synergy/a+b-1", {"a", "b"}, {5.0}, true, {{"a", {6.0}}, {"b", {7.0}}}})
              .ok());
  }

  TEST_CASE("a run with an undecodable event opens read-only, naming the event") {
    TempDir dir;
    std::string run;
    std::uint64_t seq = 0;
    {
      auto e = open(dir);
      run = start(*e);
      auto st = status(*e);
      REQUIRE(st.ok());
      auto store = store::Store::open(dir.path.string(), store::SyncMode::kNormal);
      REQUIRE(store.ok());
      auto tx = (*store)->write();
      REQUIRE(tx.ok());
      auto last = (*store)->last_seq(run);
      REQUIRE(last.ok());
      seq = *last + 1;
      // What an old server stored for an overflowing gain: null where a number belongs.
      REQUIRE((*store)
                  ->append_event(run, seq, "synergy_recorded",
                                 R"({"record":{"branch":"x","synergy_gain":{"loss":null}}})")
                  .ok());
      REQUIRE(tx->commit().ok());
    }
    auto e = open(dir);
    auto st = status(*e);
    REQUIRE(st.ok());  // the acknowledged data stays readable
    auto w = step(*e, state::StopCmd{"x"});
    REQUIRE_FALSE(w.ok());
    CHECK(w.error().message.find("is read-only") != std::string::npos);
    CHECK(w.error().message.find("event " + std::to_string(seq) + " ('synergy_recorded')") !=
          std::string::npos);
    CHECK(w.error().message.find("start a new run with evo_init") != std::string::npos);
    auto runs = as_json(e->list_runs());
    REQUIRE(runs.ok());
    CHECK(runs->at("count") == 1);
  }

  TEST_CASE("a corrupt snapshot falls back to the log and is rewritten") {
    TempDir dir;
    std::string run;
    json before;
    {
      auto e = open(dir, 2);
      run = start(*e);
      REQUIRE(step(*e, state::BeginGenerationCmd{0}).ok());
      auto st = status(*e);
      REQUIRE(st.ok());
      before = *st;
    }
    std::uint64_t snap_seq = 0;
    {
      auto store = store::Store::open(dir.path.string(), store::SyncMode::kNormal);
      REQUIRE(store.ok());
      auto tx = (*store)->write();
      REQUIRE(tx.ok());
      auto snap = (*store)->latest_snapshot(run);
      REQUIRE(snap.ok());
      REQUIRE(snap->has_value());
      snap_seq = (*snap)->first;
      REQUIRE((*store)->put_snapshot(run, snap_seq, "{not a snapshot").ok());
      REQUIRE(tx->commit().ok());
    }
    auto e = open(dir, 2);
    auto st = status(*e);
    REQUIRE(st.ok());
    CHECK(*st == before);
    // The next write rewrites it: a fresh engine restores from a good snapshot again.
    REQUIRE(step(*e, state::StopCmd{"done"}).ok());
    auto store = store::Store::open(dir.path.string(), store::SyncMode::kNormal);
    REQUIRE(store.ok());
    auto tx = (*store)->read();
    REQUIRE(tx.ok());
    auto snap = (*store)->latest_snapshot(run);
    REQUIRE(snap.ok());
    REQUIRE(snap->has_value());
    CHECK((*snap)->second.rfind("{not", 0) != 0);
  }

  TEST_CASE("an empty database file is refused, not taken for a new store") {
    TempDir dir;
    { std::ofstream(dir.path / "evo.sqlite3"); }
    engine::EngineOptions o;
    o.data_dir = dir.path.string();
    auto e = engine::Engine::open(o, quiet());
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().message.find("is an empty file (0 bytes)") != std::string::npos);
    CHECK(fs::file_size(dir.path / "evo.sqlite3") == 0);
  }

  TEST_CASE("a read-only data dir says read-only") {
    TempDir dir;
    const fs::path data = dir.path / "data";
    fs::create_directories(data);
    fs::permissions(dir.path, fs::perms::all);  // the child (maybe nobody) can reach it
    fs::permissions(data, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
    // Root ignores permissions: the check runs in a child without root's privileges.
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
      auto s = store::Store::open(data.string(), store::SyncMode::kNormal);
      if (s.ok()) _exit(1);
      _exit(s.error().message.find("is read-only") != std::string::npos ? 0 : 2);
    }
    int wstatus = 0;
    REQUIRE(waitpid(pid, &wstatus, 0) == pid);
    fs::permissions(data, fs::perms::owner_all);
    REQUIRE(WIFEXITED(wstatus));
    CHECK(WEXITSTATUS(wstatus) == 0);
  }
}
