// evo_register_targets: the MapAgent's optimization targets (functions in files).
#include "engine/tools/common.h"

namespace evo::engine::tools {
namespace {

struct Params {
  RunArg run;
  std::vector<state::TargetSpec> targets;
};

const Contract<state::TargetSpec>& target_contract() {
  static const Contract<state::TargetSpec> kTable = [] {
    using T = state::TargetSpec;
    Contract<T> t;
    const json text{{"maxLength", kTextMaxLength}};
    t.custom("id", id_schema(), true, [](const json& v, const std::string& path, T& out) {
      return contract_detail::read(v, path, out.id);
    });
    t.field("file", &T::file, spec({{"minLength", 1}, {"maxLength", kTextMaxLength}}).require());
    t.field("function", &T::function, spec({{"minLength", 1}, {"maxLength", 512}}).require());
    // Line ranges arrive as "10-20", [10, 20] or 10; they are kept as text, at most
    // kTextMaxLength characters of it (a string's maxLength; an array by its JSON text).
    t.custom("lines",
             {{"type", json::array({"string", "array", "integer"})}, {"maxLength", kTextMaxLength}},
             false, [](const json& v, const std::string& path, T& out) -> Status {
               out.lines = v.is_string() ? v.get<std::string>() : v.dump();
               if (out.lines.size() > kTextMaxLength) {
                 return argument_error(path, "must be at most " + std::to_string(kTextMaxLength) +
                                                 " characters as text");
               }
               return {};
             });
    t.field("impact", &T::impact, spec(text));
    t.field("description", &T::description, spec(text));
    t.field("hint", &T::hint, spec(text));
    t.field("derived_from", &T::derived_from, spec({{"items", {{"type", "string"}}}}));
    return t;
  }();
  return kTable;
}

const Contract<Params>& contract() {
  static const Contract<Params> kTable = [] {
    Contract<Params> t;
    t.custom("targets",
             {{"type", "array"},
              {"minItems", 1},
              {"maxItems", 256},
              {"items", target_contract().input_schema()}},
             true, [](const json& v, const std::string& path, Params& out) {
               return read_array(target_contract(), v, path, out.targets);
             });
    with_run(t, &Params::run);
    return t;
  }();
  return kTable;
}

}  // namespace

ToolDef make_evo_register_targets(Engine& engine) {
  ToolDef def;
  def.name = "evo_register_targets";
  def.title = "Register optimization targets";
  def.description =
      "Register the functions to evolve. Each target has an id (it becomes a directory name: "
      "[A-Za-z0-9][A-Za-z0-9._-]*), a repo-relative file and a function name. Re-registering "
      "an identical target is a no-op; a target with derived_from inherits its parents' memory.";
  def.input_schema = contract().input_schema();
  def.output_schema = output_schema_of<state::TargetsAccepted>();
  def.handler = [&engine](const json& args, ToolContext&) {
    auto p = contract().parse(args);
    if (!p) return to_outcome(p.error());
    state::RegisterTargetsCmd cmd{std::move(p->targets)};
    return to_outcome(expect<state::TargetsAccepted>(
        engine.mutate(p->run, [&](state::State& s) { return state::handle(s, cmd); })));
  };
  return def;
}

}  // namespace evo::engine::tools
