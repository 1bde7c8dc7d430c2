// The run resources: reads through the engine (status, lineage, results, targets), the memory
// files on disk (caught up first), and the journal from the store. See resources.h.
#include "content/resources.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

#include "core/validate.h"
#include "memory/facts.h"
#include "memory/files.h"
#include "state/replies.h"
#include "wire/replies.h"

namespace evo::content {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kRuns = "evo://runs";
constexpr const char* kJson = "application/json";
constexpr const char* kMarkdown = "text/markdown";
constexpr const char* kTsv = "text/tab-separated-values";
constexpr const char* kNdjson = "application/x-ndjson";

std::string run_uri(const std::string& run) {
  return std::string(kRuns) + "/" + uri_encode(run);
}

json text_contents(const std::string& uri, const char* mime, std::string text) {
  return json::array({{{"uri", uri}, {"mimeType", mime}, {"text", std::move(text)}}});
}

json entry(const std::string& uri, const std::string& name, const std::string& description,
           const char* mime) {
  return {{"uri", uri}, {"name", name}, {"description", description}, {"mimeType", mime}};
}

Error not_found(const std::string& what) {
  return make_error(ErrorCode::kNotFound, what);
}

}  // namespace

std::vector<std::string> memory_file_list(const fs::path& root) {
  std::vector<std::string> out;
  for (const char* rel : {"global/long_term.md", "synergy/records.md", "results.tsv"}) {
    if (memory::files::exists(root / rel)) out.emplace_back(rel);
  }
  std::error_code ec;
  for (fs::directory_iterator t(root / "targets", ec), end; !ec && t != end; t.increment(ec)) {
    const std::string id = t->path().filename().string();
    if (!is_valid_target_id(id)) continue;
    for (const char* name : {"long_term.md", "failures.md"}) {
      if (memory::files::exists(t->path() / name)) out.push_back("targets/" + id + "/" + name);
    }
    std::error_code ec2;
    for (fs::directory_iterator g(t->path() / "short_term", ec2), gend; !ec2 && g != gend;
         g.increment(ec2)) {
      const std::string name = g->path().filename().string();
      std::error_code ec3;
      if (g->is_regular_file(ec3) && name.size() > 3 &&
          name.compare(name.size() - 3, 3, ".md") == 0 && name.front() != '.') {
        out.push_back("targets/" + id + "/short_term/" + name);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool safe_memory_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

namespace {

std::string upper(std::string s) {
  for (auto& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// Completion of a URI variable: `values` (raw) that start with the partial value once decoded,
// percent-encoded as the URI needs them. A partial ending in a cut escape ("gen-0%2") matches
// on its decodable head, then on the encoded text itself.
std::vector<std::string> encoded_prefixed(const std::vector<std::string>& values,
                                          const std::string& partial) {
  std::string head = partial;
  std::string tail;  // the cut escape, e.g. "%2"
  if (const auto pct = partial.rfind('%'); pct != std::string::npos && partial.size() - pct < 3) {
    head = partial.substr(0, pct);
    tail = partial.substr(pct);
  }
  const auto decoded = uri_decode(head);
  std::vector<std::string> out;
  if (!decoded) return out;
  for (const auto& v : values) {
    if (v.rfind(*decoded, 0) != 0) continue;
    auto encoded = uri_encode(v);
    if (!tail.empty() && upper(encoded).rfind(upper(uri_encode(*decoded) + tail), 0) != 0) {
      continue;
    }
    out.push_back(std::move(encoded));
  }
  return out;
}

}  // namespace

std::string uri_encode(const std::string& text) {
  static constexpr const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> uri_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = 1; k <= 2; ++k) {
      const char h = text[i + k];
      v <<= 4;
      if (h >= '0' && h <= '9')
        v |= h - '0';
      else if (h >= 'a' && h <= 'f')
        v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        v |= h - 'A' + 10;
      else
        return std::nullopt;
    }
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

std::string sha256_hex(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  static constexpr const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Resources::Resources(engine::Engine& engine, mcp::Catalog& catalog, memory::MemoryWriter& writer,
                     std::shared_ptr<spdlog::logger> logger)
    : engine_(engine), catalog_(catalog), writer_(writer), logger_(std::move(logger)) {}

Resources::~Resources() = default;

Result<std::string> Resources::journal(const std::string& run_id, std::optional<std::uint64_t> upto,
                                       std::uint64_t& last_seq) {
  return engine_.journal(run_id, upto, last_seq);
}

Result<json> Resources::read_memory(const std::string& uri, const std::string& run,
                                    const std::string& rel) {
  std::vector<std::string> synced;
  auto out = engine_.read(run, [&](const state::State& s) -> Result<json> {
    synced = writer_.sync(s);  // a memory file read never shows a write lost in a crash
    const auto root = memory::MemoryWriter::memory_root(s);
    if (!root) return not_found("run " + s.run_id + " keeps no memory files");
    auto text = memory::files::read(*root / rel);
    if (!text) return not_found("no memory file " + rel);
    return text_contents(uri,
                         rel.size() > 4 && rel.substr(rel.size() - 4) == ".tsv" ? kTsv : kMarkdown,
                         std::move(*text));
  });
  memory_changed(run, synced);  // told once the engine lock is released
  return out;
}

std::vector<json> Resources::list() const {
  std::vector<json> out;
  auto runs = engine_.list_runs();
  if (!runs) return out;
  for (auto it = runs->runs.rbegin(); it != runs->runs.rend(); ++it) {
    const auto* summary = std::get_if<state::RunSummary>(&*it);
    if (summary == nullptr) continue;  // an unreadable run has no resources to offer
    const auto& run = summary->run_id;
    const auto base = run_uri(run);
    out.push_back(entry(base + "/status", run + " status",
                        "Run status: phase, budget, best, targets.", kJson));
    out.push_back(
        entry(base + "/results.tsv", run + " results.tsv", "One row per evaluation.", kTsv));
    out.push_back(entry(base + "/memory", run + " memory index",
                        "The run's memory files, with their URIs.", kJson));
    out.push_back(entry(base + "/journal.ndjson", run + " journal",
                        "Every event of the run, one JSON object per line.", kNdjson));
    out.push_back(entry(base + "/journal/manifest.json", run + " journal manifest",
                        "Event count, last seq and sha256 of the journal.", kJson));
  }
  // The latest run in detail: its targets, best lineage and memory files.
  if (runs->latest_run) {
    const auto run = *runs->latest_run;
    const auto base = run_uri(run);
    auto detail = engine_.read(run, [&](const state::State& s) -> Result<json> {
      json items = json::array();
      for (const auto& t : s.targets) {
        items.push_back(entry(base + "/targets/" + uri_encode(t.id), run + " target " + t.id,
                              "Target " + t.id + ": " + t.function + " in " + t.file, kJson));
      }
      const std::string best = state::branch_of(s, s.best);
      if (!best.empty()) {
        items.push_back(entry(base + "/lineage/" + uri_encode(best), run + " lineage " + best,
                              "Ancestry of the best variant.", kJson));
      }
      if (const auto root = memory::MemoryWriter::memory_root(s)) {
        for (const auto& rel : memory_file_list(*root)) {
          if (rel == memory::kResultsFile) continue;  // served as <run>/results.tsv
          items.push_back(entry(base + "/memory/" + rel, run + " memory/" + rel,
                                "Memory file " + rel + " in " + s.config.repo_path, kMarkdown));
        }
      }
      return items;
    });
    if (detail) {
      for (auto& e : *detail) out.push_back(std::move(e));
    }
  }
  return out;
}

std::vector<std::string> Resources::complete(const std::string& argument,
                                             const std::string& partial,
                                             const mcp::StringMap& context,
                                             const std::string& uri_template) const {
  if (argument == "run") {
    std::vector<std::string> ids;
    auto runs = engine_.list_runs();
    if (runs) {
      for (auto it = runs->runs.rbegin(); it != runs->runs.rend(); ++it) {
        std::visit([&](const auto& r) { ids.push_back(r.run_id); }, *it);
      }
    }
    return encoded_prefixed(ids, partial);
  }
  std::optional<std::string> run;
  if (auto it = context.find("run"); it != context.end()) run = uri_decode(it->second);
  std::optional<std::string> target;
  if (auto it = context.find("target"); it != context.end()) target = uri_decode(it->second);
  const auto values = engine_.read(run, [&](const state::State& s) -> Result<json> {
    json out = json::array();
    if (argument == "branch") {
      for (const auto& ind : s.individuals) out.push_back(ind.branch);
    } else if (argument == "target") {
      for (const auto& t : s.targets) out.push_back(t.id);
    } else if (argument == "seq") {
      out.push_back(std::to_string(s.event_seq));
    } else if (argument == "file" && uri_template.find("short_term") != std::string::npos) {
      const auto root = memory::MemoryWriter::memory_root(s);
      if (root && target && is_valid_target_id(*target)) {
        const std::string prefix = "targets/" + *target + "/short_term/";
        for (const auto& rel : memory_file_list(*root)) {
          if (rel.rfind(prefix, 0) == 0) out.push_back(rel.substr(prefix.size()));
        }
      }
    } else if (argument == "file") {
      out = json::array({"failures.md", "long_term.md"});
    }
    return out;
  });
  std::vector<std::string> out;
  if (!values) return out;
  for (const auto& v : *values) out.push_back(v.get<std::string>());
  // Every value is percent-encoded for the URI (only a branch's '/' changes in practice).
  return encoded_prefixed(out, partial);
}

void Resources::committed(const state::State& s, const std::vector<state::Event>& events,
                          const std::vector<std::string>& memory_paths,
                          engine::Outbox& outbox) noexcept {
  try {
    auto uris = updated_uris(s, events);
    auto memory = memory_uris(s.run_id, memory_paths);
    uris.insert(uris.end(), memory.begin(), memory.end());
    if (uris.empty()) return;
    outbox.notify([this, uris = std::move(uris)] { send(uris); });
  } catch (const std::exception& e) {
    logger_->warn("run {}: resource notifications failed: {}", s.run_id, e.what());
  }
}

std::vector<std::string> Resources::updated_uris(const state::State& s,
                                                 const std::vector<state::Event>& events) const {
  std::vector<std::string> out;
  // Only what somebody subscribed to is worked out: a select touches every branch of the
  // population, and building 20k lineage URIs nobody watches cost more than the commit.
  const auto subscribed = catalog_.subscribed_uris();
  if (subscribed.empty()) return out;
  const auto base = run_uri(s.run_id);
  const std::string lineage_prefix = base + "/lineage/";
  std::set<std::string> uris{kRuns, base + "/status", base + "/journal.ndjson",
                             base + "/journal/manifest.json"};
  for (const auto& t : s.targets) uris.insert(base + "/targets/" + uri_encode(t.id));
  // The branches whose lineage subscriptions concern this run (decoded: %2F and %2f alike).
  std::set<std::string> watched;
  for (const auto& uri : subscribed) {
    if (uri.rfind(lineage_prefix, 0) != 0) continue;
    if (auto branch = uri_decode(uri.substr(lineage_prefix.size()))) watched.insert(*branch);
  }
  std::set<std::string> touched;
  const auto touch = [&](const std::string& branch) {
    if (watched.count(branch) != 0) touched.insert(branch);
  };
  for (const auto& event : events) {
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, state::SeedReported>) {
            uris.insert(base + "/results.tsv");
            touch("seed-baseline");
          } else if constexpr (std::is_same_v<E, state::CodeReported> ||
                               std::is_same_v<E, state::FitnessReported>) {
            uris.insert(base + "/results.tsv");
            touch(e.branch);
          } else if constexpr (std::is_same_v<E, state::PolicyDecided>) {
            touch(e.branch);
          } else if constexpr (std::is_same_v<E, state::Selected>) {
            if (watched.empty()) return;
            for (const auto& [id, rank] : e.ranks) touch(s.individuals[id].branch);
            for (auto id : e.eliminated) touch(s.individuals[id].branch);
            for (auto id : e.abandoned) touch(s.individuals[id].branch);
          } else if constexpr (std::is_same_v<E, state::GenerationPlanned>) {
            for (const auto& item : e.items) touch(item.branch);
          }
        },
        event);
  }
  for (const auto& uri : subscribed) {
    if (uris.count(uri) != 0) {
      out.push_back(uri);
    } else if (uri.rfind(lineage_prefix, 0) == 0) {
      const auto branch = uri_decode(uri.substr(lineage_prefix.size()));
      if (branch && touched.count(*branch) != 0) out.push_back(uri);
    }
  }
  return out;
}

std::vector<std::string> Resources::memory_uris(const std::string& run_id,
                                                const std::vector<std::string>& paths) {
  if (paths.empty()) return {};
  const auto base = run_uri(run_id);
  std::vector<std::string> out{base + "/memory"};
  for (const auto& rel : paths) {
    out.push_back(rel == memory::kResultsFile ? base + "/results.tsv" : base + "/memory/" + rel);
  }
  return out;
}

void Resources::send(const std::vector<std::string>& uris) noexcept {
  try {
    for (const auto& uri : uris) catalog_.resource_updated(uri);
  } catch (const std::exception& e) {
    logger_->warn("resource notifications failed: {}", e.what());
  }
}

void Resources::memory_changed(const std::string& run_id,
                               const std::vector<std::string>& paths) noexcept {
  try {
    send(memory_uris(run_id, paths));
  } catch (const std::exception& e) {
    logger_->warn("run {}: resource notifications failed: {}", run_id, e.what());
  }
}

}  // namespace evo::content
