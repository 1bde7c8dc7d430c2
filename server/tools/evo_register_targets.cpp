// evo_register_targets: the MapAgent's optimization targets (functions in files).
#include "server/tools/common.h"

namespace evo::server::tools {

ToolDef make_evo_register_targets(Engine& engine) {
  ToolDef def;
  def.name = "evo_register_targets";
  def.title = "Register optimization targets";
  def.description =
      "Register the functions to evolve. Each target has an id (it becomes a directory name: "
      "[A-Za-z0-9][A-Za-z0-9._-]*), a repo-relative file and a function name. Re-registering "
      "an identical target is a no-op; a target with derived_from inherits its parents' memory.";
  json str = {{"type", "string"}, {"maxLength", 4096}};
  def.input_schema = object_schema(
      {{"targets",
        {{"type", "array"},
         {"minItems", 1},
         {"maxItems", 256},
         {"items",
          {{"type", "object"},
           {"properties",
            {{"id", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64},
                     {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]*$"}}},
             {"file", {{"type", "string"}, {"minLength", 1}, {"maxLength", 4096}}},
             {"function", {{"type", "string"}, {"minLength", 1}, {"maxLength", 512}}},
             {"lines", {{"type", json::array({"string", "array", "integer"})}}},
             {"impact", str},
             {"description", str},
             {"hint", str},
             {"derived_from", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
           {"required", {"id", "file", "function"}},
           {"additionalProperties", false}}}}}},
      {"targets"});
  def.output_schema = output_schema({{"registered", {{"type", "integer"}}},
                                     {"target_ids", {{"type", "array"}}}},
                                    {"registered", "target_ids"});
  def.handler = [&engine](const json& args, ToolContext&) {
    state::RegisterTargetsCmd cmd;
    for (const auto& t : args.at("targets")) {
      state::TargetSpec spec;
      spec.id = t.at("id").get<std::string>();
      spec.file = t.at("file").get<std::string>();
      spec.function = t.at("function").get<std::string>();
      spec.description = t.value("description", std::string());
      spec.hint = t.value("hint", std::string());
      spec.impact = t.value("impact", std::string("medium"));
      if (auto it = t.find("lines"); it != t.end()) {
        spec.lines = it->is_string() ? it->get<std::string>() : it->dump();
      }
      spec.derived_from = t.value("derived_from", std::vector<std::string>{});
      cmd.targets.push_back(std::move(spec));
    }
    return to_outcome(engine.mutate(run_arg(args), [&](state::State& s) {
      return state::handle(s, cmd);
    }));
  };
  return def;
}

}  // namespace evo::server::tools
