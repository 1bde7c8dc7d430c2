// The catalog entries of the run resources: evo://runs, the RFC 6570 templates with their
// reads and completions, and the per-run listing. See resources.h.
#include <spdlog/spdlog.h>

#include "content/resources.h"
#include "core/validate.h"
#include "memory/facts.h"
#include "state/replies.h"
#include "wire/replies.h"

namespace evo::content {
namespace {

using mcp::StringMap;
using nlohmann::json;

constexpr const char* kJson = "application/json";
constexpr const char* kMarkdown = "text/markdown";

json text_contents(const std::string& uri, const char* mime, std::string text) {
  return json::array({{{"uri", uri}, {"mimeType", mime}, {"text", std::move(text)}}});
}

json json_contents(const std::string& uri, const json& value) {
  return text_contents(uri, kJson, value.dump(2));
}

Error not_found(const std::string& what) {
  return make_error(ErrorCode::kNotFound, what);
}

Result<std::string> var(const StringMap& vars, const char* name) {
  const auto it = vars.find(name);
  if (it == vars.end()) return not_found(std::string("no '") + name + "' in the URI");
  auto decoded = uri_decode(it->second);
  if (!decoded || decoded->empty()) return not_found(std::string("bad '") + name + "' in the URI");
  return *decoded;
}

std::string run_base(const std::string& run) {
  return "evo://runs/" + uri_encode(run);
}

}  // namespace

void Resources::add_to(mcp::Catalog& catalog) {
  catalog.add_resource(
      {"evo://runs", "runs", "Runs", "Every run (summary) with the URIs of its resources.", kJson,
       [this](const std::string& uri) -> Result<json> {
         EVO_ASSIGN_OR_RETURN(auto listed, engine_.list_runs());
         json runs = wire::to_json(listed);
         for (auto& r : runs["runs"]) {
           if (!r.contains("run_id")) continue;
           const auto base = run_base(r["run_id"].get<std::string>());
           r["resources"] = {{"status", base + "/status"},
                             {"results", base + "/results.tsv"},
                             {"memory", base + "/memory"},
                             {"journal", base + "/journal.ndjson"},
                             {"journal_manifest", base + "/journal/manifest.json"}};
         }
         return json_contents(uri, runs);
       }});

  // Each template: its URI, a title, a description, a MIME type, and the read.
  using Read = std::function<Result<json>(const std::string&, const StringMap&)>;
  const auto add = [&](const std::string& uri_template, const std::string& name,
                       const std::string& description, const char* mime, Read read) {
    mcp::ResourceTemplateDef def;
    def.uri_template = uri_template;
    def.name = name;
    def.description = description;
    def.mime_type = mime;
    def.read = std::move(read);
    def.complete = [this, uri_template](const std::string& argument, const std::string& partial,
                                        const StringMap& context) {
      return complete(argument, partial, context, uri_template);
    };
    catalog.add_template(std::move(def));
  };
  // A read of the run's state through the engine.
  const auto state_read =
      [this](std::function<Result<json>(const std::string&, const StringMap&, const state::State&)>
                 body) {
        return [this, body](const std::string& uri, const StringMap& vars) -> Result<json> {
          EVO_ASSIGN_OR_RETURN(auto run, var(vars, "run"));
          return engine_.read(run, [&](const state::State& s) { return body(uri, vars, s); });
        };
      };

  add("evo://runs/{run}/status", "run-status",
      "A run's status: phase, generation, budget, best, Pareto front, targets.", kJson,
      state_read(
          [](const std::string& uri, const StringMap&, const state::State& s) -> Result<json> {
            return json_contents(uri, wire::to_json(state::status_of(s)));
          }));
  add("evo://runs/{run}/lineage/{branch}", "lineage",
      "Ancestry of a variant back to the seed. The branch is percent-encoded ('/' is %2F).", kJson,
      state_read(
          [](const std::string& uri, const StringMap& vars, const state::State& s) -> Result<json> {
            EVO_ASSIGN_OR_RETURN(auto branch, var(vars, "branch"));
            EVO_ASSIGN_OR_RETURN(auto lineage, state::lineage_of(s, branch));
            return json_contents(uri, wire::to_json(lineage));
          }));
  add("evo://runs/{run}/results.tsv", "results",
      "One row per evaluation: generation, branch, commit, target, operation, status, one "
      "column per objective, note (as memory/results.tsv).",
      "text/tab-separated-values",
      state_read(
          [](const std::string& uri, const StringMap&, const state::State& s) -> Result<json> {
            std::string text = memory::results_header(s);
            for (const auto* ind : memory::evaluations_in_order(s))
              text += memory::results_row(s, *ind);
            return text_contents(uri, "text/tab-separated-values", std::move(text));
          }));
  add("evo://runs/{run}/targets/{target}", "target",
      "One target: status, temperature, best, and the URIs of its memory files.", kJson,
      state_read([](const std::string& uri, const StringMap& vars,
                    const state::State& s) -> Result<json> {
        EVO_ASSIGN_OR_RETURN(auto id, var(vars, "target"));
        const state::Target* target = s.target(id);
        if (target == nullptr) return not_found("no target '" + id + "' in " + s.run_id);
        json t = wire::to_json(state::target_status(s, *target));
        t["target_id"] = id;
        const auto base = run_base(s.run_id) + "/memory/targets/" + uri_encode(id);
        t["memory"] = {{"long_term", base + "/long_term.md"}, {"failures", base + "/failures.md"}};
        return json_contents(uri, t);
      }));
  add("evo://runs/{run}/memory", "memory-index",
      "The run's memory files (in <repo>/memory/), each with its URI.", kJson,
      [this](const std::string& uri, const StringMap& vars) -> Result<json> {
        EVO_ASSIGN_OR_RETURN(auto run, var(vars, "run"));
        std::vector<std::string> synced;
        auto out = engine_.read(run, [&](const state::State& s) -> Result<json> {
          synced = writer_.sync(s);
          json files = json::array();
          const auto root = memory::MemoryWriter::memory_root(s);
          if (root) {
            for (const auto& rel : memory_file_list(*root)) {
              files.push_back(
                  {{"path", "memory/" + rel},
                   {"uri", rel == memory::kResultsFile ? run_base(s.run_id) + "/results.tsv"
                                                       : run_base(s.run_id) + "/memory/" + rel}});
            }
          }
          return json_contents(uri, {{"run_id", s.run_id},
                                     {"memory_dir", root ? json(root->string()) : json(nullptr)},
                                     {"files", files}});
        });
        memory_changed(run, synced);  // told once the engine lock is released
        return out;
      });
  const auto memory_read = [this](const std::function<Result<std::string>(const StringMap&)>& rel) {
    return [this, rel](const std::string& uri, const StringMap& vars) -> Result<json> {
      EVO_ASSIGN_OR_RETURN(auto run, var(vars, "run"));
      EVO_ASSIGN_OR_RETURN(auto path, rel(vars));
      return read_memory(uri, run, path);
    };
  };
  add("evo://runs/{run}/memory/global/long_term.md", "memory-global",
      "Cross-target lessons and the user's directions.", kMarkdown,
      memory_read([](const StringMap&) -> Result<std::string> {
        return std::string("global/long_term.md");
      }));
  add("evo://runs/{run}/memory/synergy/records.md", "memory-synergy",
      "Combined-target experiments with their per-objective gain.", kMarkdown,
      memory_read([](const StringMap&) -> Result<std::string> {
        return std::string("synergy/records.md");
      }));
  add("evo://runs/{run}/memory/targets/{target}/{file}", "memory-target",
      "A target's long_term.md or failures.md.", kMarkdown,
      memory_read([](const StringMap& vars) -> Result<std::string> {
        auto id = var(vars, "target");
        auto file = var(vars, "file");
        if (!id || !file || !is_valid_target_id(*id) ||
            (*file != "long_term.md" && *file != "failures.md")) {
          return not_found("no such memory file");
        }
        return "targets/" + *id + "/" + *file;
      }));
  add("evo://runs/{run}/memory/targets/{target}/short_term/{file}", "memory-generation",
      "One generation's table for a target (gen_<N>.md) with the ReflectAgent's notes.", kMarkdown,
      memory_read([](const StringMap& vars) -> Result<std::string> {
        auto id = var(vars, "target");
        auto file = var(vars, "file");
        if (!id || !file || !is_valid_target_id(*id) || !safe_memory_name(*file)) {
          return not_found("no such memory file");
        }
        return "targets/" + *id + "/short_term/" + *file;
      }));
  add("evo://runs/{run}/journal.ndjson", "journal",
      "Every event of the run in order, one JSON object per line: {seq, type, data}.",
      "application/x-ndjson",
      [this](const std::string& uri, const StringMap& vars) -> Result<json> {
        EVO_ASSIGN_OR_RETURN(auto run, var(vars, "run"));
        std::uint64_t last = 0;
        EVO_ASSIGN_OR_RETURN(auto text, journal(run, std::nullopt, last));
        return text_contents(uri, "application/x-ndjson", std::move(text));
      });
  add("evo://runs/{run}/journal/{seq}.ndjson", "journal-prefix",
      "The journal up to event seq: immutable, so its sha256 can be checked at any time.",
      "application/x-ndjson",
      [this](const std::string& uri, const StringMap& vars) -> Result<json> {
        EVO_ASSIGN_OR_RETURN(auto run, var(vars, "run"));
        auto seq = var(vars, "seq");
        if (!seq || seq->size() > 19 || seq->find_first_not_of("0123456789") != std::string::npos) {
          return not_found("bad seq in " + uri);
        }
        std::uint64_t last = 0;
        EVO_ASSIGN_OR_RETURN(auto text, journal(run, std::stoull(*seq), last));
        return text_contents(uri, "application/x-ndjson", std::move(text));
      });
  add("evo://runs/{run}/journal/manifest.json", "journal-manifest",
      "The journal's event count, last seq, byte size and sha256, and the URI of that exact "
      "prefix.",
      kJson, [this](const std::string& uri, const StringMap& vars) -> Result<json> {
        EVO_ASSIGN_OR_RETURN(auto run, var(vars, "run"));
        std::uint64_t last = 0;
        EVO_ASSIGN_OR_RETURN(auto text, journal(run, std::nullopt, last));
        std::size_t lines = 0;
        for (char c : text) lines += c == '\n' ? 1 : 0;
        return json_contents(
            uri, {{"run_id", run},
                  {"format", "ndjson"},
                  {"line", R"({"seq": <n>, "type": <event type>, "data": <event>})"},
                  {"events", lines},
                  {"last_seq", last},
                  {"bytes", text.size()},
                  {"sha256", sha256_hex(text)},
                  {"journal_uri", run_base(run) + "/journal/" + std::to_string(last) + ".ndjson"}});
      });

  catalog.add_resource_lister([this] { return list(); });
}

}  // namespace evo::content
