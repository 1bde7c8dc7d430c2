// core: validation rules for everything that reaches a path or a git call, and the RNG.
#include <doctest/doctest.h>

#include <cerrno>
#include <set>

#include "core/domain.h"
#include "core/result.h"
#include "core/rng.h"
#include "core/strings.h"
#include "core/validate.h"

using namespace evo;

TEST_SUITE("core.validate") {
  TEST_CASE("target ids are safe directory names") {
    for (const char* ok : {"a", "loss-fn", "A.b_c-9", "0x"}) CHECK(is_valid_target_id(ok));
    for (const char* bad : {"", "-a", ".a", "_a", "a/b", "a b", "..", "a\n", "é"}) {
      CHECK_FALSE(is_valid_target_id(bad));
    }
    CHECK_FALSE(is_valid_target_id(std::string(65, 'a')));
  }

  TEST_CASE("branch names follow git's rules plus ours") {
    for (const char* ok : {"gen-0/loss-fn/mutate-0", "seed-baseline", "gen-3/synergy/a+b-0"}) {
      CHECK_MESSAGE(branch_name_problem(ok).empty(), ok);
    }
    struct Row {
      const char* name;
      const char* rule;
    };
    for (const Row& r :
         {Row{"", "empty"}, Row{"-x", "'-'"}, Row{"a..b", "'..'"}, Row{"a//b", "'//'"},
          Row{"a/", "'/'"}, Row{"a.", "'.'"}, Row{"a@{1}", "'@{'"}, Row{"a b", "' '"},
          Row{"a~1", "'~'"}, Row{"a^", "'^'"}, Row{"a:b", "':'"}, Row{"a\x01", "control"},
          Row{"a/.hidden", "'.'"}, Row{"x.lock", ".lock"}, Row{"a\\b", "'\\'"}}) {
      const auto problem = branch_name_problem(r.name);
      CHECK_MESSAGE(problem.find(r.rule) != std::string::npos, r.name, " -> ", problem);
    }
  }

  TEST_CASE("relative paths stay inside the repository") {
    for (const char* ok : {"model.py", "src/a/b.cpp", "a.b/c"})
      CHECK(relative_path_problem(ok).empty());
    CHECK(relative_path_problem("/etc/passwd").find("absolute") != std::string::npos);
    CHECK(relative_path_problem("../x").find("..") != std::string::npos);
    CHECK(relative_path_problem("a/../../x").find("..") != std::string::npos);
    CHECK(relative_path_problem("a//b").find("empty") != std::string::npos);
    CHECK(relative_path_problem("./a").find("'.'") != std::string::npos);
    CHECK(relative_path_problem(".git/config").find(".git") != std::string::npos);
    CHECK(relative_path_problem("a\\b").find("'/'") != std::string::npos);
    CHECK_FALSE(relative_path_problem(std::string("a\0b", 3)).empty());
  }

  TEST_CASE("hex object ids") {
    CHECK(is_hex_object_id("abcdef0"));
    CHECK(is_hex_object_id(std::string(40, 'a')));
    CHECK_FALSE(is_hex_object_id("abc"));
    CHECK_FALSE(is_hex_object_id("abcdefg"));
  }

  TEST_CASE("wire spellings round-trip") {
    for (auto op :
         {Operation::kMutate, Operation::kCrossover, Operation::kStructural, Operation::kSynergy}) {
      CHECK(parse_operation(to_string(op)) == op);
    }
    CHECK(parse_direction("max") == Direction::kMax);
    CHECK_FALSE(parse_direction("maximize").has_value());
  }
}

TEST_SUITE("core.rng") {
  TEST_CASE("the same seed gives the same stream; the state round-trips") {
    Rng a(123), b(123), c(124);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
      const auto x = a.next_u64();
      CHECK(x == b.next_u64());
      differs = differs || x != c.next_u64();
    }
    CHECK(differs);
    Rng d = Rng::from_state(a.state());
    CHECK(d.next_u64() == a.next_u64());
  }

  TEST_CASE("below() is in range and roughly uniform; next_double() in [0, 1)") {
    Rng r(7);
    std::array<int, 6> counts{};
    for (int i = 0; i < 60000; ++i) {
      const auto v = r.below(6);
      REQUIRE(v < 6);
      counts[v]++;
    }
    for (int c : counts) CHECK(c == doctest::Approx(10000).epsilon(0.05));
    for (int i = 0; i < 1000; ++i) {
      const double x = r.next_double();
      CHECK(x >= 0.0);
      CHECK(x < 1.0);
    }
    CHECK(r.below(1) == 0);
  }
}

TEST_SUITE("core.result") {
  TEST_CASE("Result carries a value or an error") {
    Result<int> ok = 3;
    CHECK(ok.ok());
    CHECK(*ok == 3);
    Result<int> bad = make_error(ErrorCode::kConflict, "no");
    CHECK_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::kConflict);
    CHECK(std::string(error_code_name(ErrorCode::kIllegalTransition)) == "illegal_transition");
  }
}

TEST_SUITE("core.strings") {
  TEST_CASE("join puts the separator between each two parts only") {
    CHECK(evo::join({}, ", ").empty());
    CHECK(evo::join({"a"}, ", ") == "a");
    CHECK(evo::join({"a", "b", "c"}, ", ") == "a, b, c");
    CHECK(evo::join({"", "b"}, "; ") == "; b");  // an empty part still gets its separator
    CHECK(evo::join({"x", "y"}, "") == "xy");
  }
}

TEST_SUITE("core.errno_text") {
  TEST_CASE("names the error, and an unknown number still gets a text") {
    CHECK(evo::errno_text(ENOENT) == "No such file or directory");
    CHECK(evo::errno_text(EACCES) == "Permission denied");
    CHECK_FALSE(evo::errno_text(99999).empty());
  }
}

TEST_SUITE("core.synergy_key") {
  TEST_CASE("str and parse are inverse, in order") {
    const evo::SynergyKey key{{"loss", "model", "opt"}};
    CHECK(key.str() == "loss+model+opt");
    CHECK(evo::SynergyKey::parse("loss+model+opt") == key);
    CHECK(evo::SynergyKey::parse("b+a").target_ids == std::vector<std::string>{"b", "a"});
    CHECK(evo::SynergyKey::parse("solo").target_ids == std::vector<std::string>{"solo"});
    // What it spells is what it holds: empty parts stay visible to the validators.
    CHECK(evo::SynergyKey::parse("a++b").target_ids == std::vector<std::string>{"a", "", "b"});
    CHECK(evo::SynergyKey::parse("").target_ids == std::vector<std::string>{""});
  }
}
