// Deterministic robustness: thousands of seeded mutations of real messages go through a live
// session, which must never crash and must answer exactly the requests, with valid JSON-RPC.
#include <doctest/doctest.h>

#include "core/rng.h"
#include "tests/unit/mcp/test_support.h"

namespace evo::mcp::testing {
namespace {

const char* const kCorpus[] = {
    R"({"jsonrpc":"2.0","id":1,"method":"ping"})",
    R"({"jsonrpc":"2.0","id":"s-1","method":"tools/list","params":{"cursor":"c:2"}})",
    R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":)"
    R"({"repo_path":"/r","mutation_rate":0.5,"objectives":[{"name":"a","direction":"min"}]}}})",
    R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"fail"}})",
    R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"throw","arguments":{}}})",
    R"({"jsonrpc":"2.0","id":5,"method":"tools/call",)"
    R"("params":{"name":"slow","_meta":{"progressToken":5}}})",
    R"({"jsonrpc":"2.0","id":6,"method":"logging/setLevel","params":{"level":"debug"}})",
    R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}})",
    R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
    R"({"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
    R"({"jsonrpc":"2.0","id":"d","method":"server/discover",)"
    R"("params":{"_meta":{"protocolVersion":"2026-07-28"}}})",
    R"({"jsonrpc":"2.0","id":8,"result":{}})",
    R"([{"jsonrpc":"2.0","id":9,"method":"ping"}])",
};

// Regression inputs: shapes that have broken JSON-RPC servers before.
const char* const kNasty[] = {
    "",
    "\n",
    "null",
    "{}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"s\":\"\\ud800\"}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffing\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"ping\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":-0,\"method\":\"ping\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999999,\"method\":\"ping\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":\"\\u0000\",\"method\":\"ping\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/"
    "call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"repo_path\":\"/"
    "r\",\"objectives\":[[[[[[[[[[[[]]]]]]]]]]]]}}}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":{}}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/"
    "call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"repo_path\":\"/r\",\"\":1}}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"ping\"}",
    "\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
};

std::string mutate(Rng& rng, const std::string& seed, const std::string& other) {
  std::string s = seed;
  const auto rounds = 1 + rng.below(4);
  for (std::uint64_t r = 0; r < rounds; ++r) {
    const auto pos = s.empty() ? 0 : static_cast<std::size_t>(rng.below(s.size()));
    switch (rng.below(7)) {
      case 0:  // flip a byte
        if (!s.empty()) s[pos] = static_cast<char>(rng.below(256));
        break;
      case 1:  // insert a structural or random byte
      {
        static constexpr char kPick[] = "{}[]\",:\\0123456789.-eE tfn\x80\xff";
        s.insert(pos, 1, kPick[rng.below(sizeof(kPick) - 1)]);
        break;
      }
      case 2:  // delete a range
        s.erase(pos, static_cast<std::size_t>(rng.below(8)));
        break;
      case 3:  // duplicate a range
        s.insert(pos, s.substr(pos, static_cast<std::size_t>(rng.below(16))));
        break;
      case 4:  // truncate
        s.resize(pos);
        break;
      case 5:  // splice with another message
        s = s.substr(0, pos) + other.substr(other.empty() ? 0 : rng.below(other.size()));
        break;
      default:  // swap two bytes
        if (s.size() > 1) std::swap(s[pos], s[static_cast<std::size_t>(rng.below(s.size()))]);
        break;
    }
  }
  return s;
}

// How many responses `raw` must produce on a drained session: one per request or answerable
// envelope error, none for notifications and client responses.
std::size_t expected_replies(const std::string& raw) {
  const auto parsed = jsonrpc::parse_message(raw);
  if (const auto* f = std::get_if<jsonrpc::ParseFailure>(&parsed)) return f->reply ? 1 : 0;
  return std::holds_alternative<jsonrpc::Request>(std::get<jsonrpc::Message>(parsed)) ? 1 : 0;
}

std::size_t count_responses(const std::vector<json>& sent, std::size_t from) {
  std::size_t n = 0;
  for (std::size_t i = from; i < sent.size(); ++i) {
    if (!sent[i].contains("method")) ++n;
  }
  return n;
}

void feed(Client& c, const std::string& raw) {
  const auto before = c.out().messages().size();
  c.send_raw(raw);
  c.session().drain();
  const auto sent = c.out().messages();
  for (std::size_t i = before; i < sent.size(); ++i) {
    CHECK_MESSAGE(valid_outgoing(sent[i]),
                  "input: " << json(raw).dump(-1, ' ', true, json::error_handler_t::replace));
  }
  CHECK_MESSAGE(count_responses(sent, before) == expected_replies(raw),
                "input: " << json(raw).dump(-1, ' ', true, json::error_handler_t::replace));
}

TEST_SUITE("fuzz") {
  TEST_CASE("regression inputs") {
    auto probe = std::make_shared<ToolProbe>();
    probe->gate.release();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    for (const char* raw : kNasty) feed(c, raw);
    static constexpr char kWithNul[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\0tail";
    feed(c, std::string(kWithNul, sizeof(kWithNul) - 1));
  }

  TEST_CASE("3000 seeded mutations: no crash, every reply valid, one per request") {
    auto probe = std::make_shared<ToolProbe>();
    probe->gate.release();
    Client c(make_registry(fake_tools(probe)));
    c.handshake();
    Rng rng(20251125);
    constexpr std::size_t kCorpusSize = sizeof(kCorpus) / sizeof(kCorpus[0]);
    for (int i = 0; i < 3000; ++i) {
      const std::string seed = kCorpus[rng.below(kCorpusSize)];
      const std::string other = kCorpus[rng.below(kCorpusSize)];
      feed(c, mutate(rng, seed, other));
      // Keep the capture small: only the current input's messages matter.
      if (i % 100 == 99) c.out().clear();
    }
    // Still healthy afterwards.
    CHECK(c.call("after", "ping").contains("result"));
  }

  TEST_CASE("random bytes") {
    Client c(make_registry(fake_tools(std::make_shared<ToolProbe>())));
    Rng rng(7);
    for (int i = 0; i < 1000; ++i) {
      std::string s(static_cast<std::size_t>(rng.below(64)), '\0');
      for (auto& ch : s) ch = static_cast<char>(rng.below(256));
      feed(c, s);
    }
  }
}

}  // namespace
}  // namespace evo::mcp::testing
