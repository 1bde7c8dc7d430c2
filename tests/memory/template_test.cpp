// The placeholder syntax of memory_templates/README.md, and the embedded templates themselves.
#include "assets/template.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "assets/agent_files.h"
#include "assets/assets.h"

using namespace evo;
using namespace evo::assets;

TEST_SUITE("memory.template") {
  TEST_CASE("names, lists, the literal escape") {
    TemplateVars vars{{"name", std::string("loss")},
                      {"items", std::vector<std::string>{"a", "b"}},
                      {"none", std::vector<std::string>{}}};
    auto r =
        render_template("# {{name}}\n{{#items}}- {{.}}\n{{/items}}{{#none}}x{{/none}}end", vars);
    REQUIRE(r.ok());
    CHECK(*r == "# loss\n- a\n- b\nend");
    auto lit = render_template("a {{{{name}} b", vars);
    REQUIRE(lit.ok());
    CHECK(*lit == "a {{name}} b");
    auto spaced = render_template("{{ name }}", vars);
    REQUIRE(spaced.ok());
    CHECK(*spaced == "loss");
    auto outer = render_template("{{#items}}{{name}}:{{.}} {{/items}}", vars);
    REQUIRE(outer.ok());
    CHECK(*outer == "loss:a loss:b ");
  }

  TEST_CASE("errors name the line and the problem") {
    TemplateVars vars{{"name", std::string("x")}, {"items", std::vector<std::string>{"a"}}};
    auto unknown = render_template("ok\n{{nmae}}", vars);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().message == "template line 2: unknown name 'nmae'");
    auto list_as_string = render_template("{{items}}", vars);
    REQUIRE_FALSE(list_as_string.ok());
    CHECK(list_as_string.error().message.find("is a list") != std::string::npos);
    CHECK_FALSE(render_template("{{#name}}x{{/name}}", vars).ok());
    CHECK_FALSE(render_template("{{#items}}x", vars).ok());
    CHECK_FALSE(render_template("x{{/items}}", vars).ok());
    CHECK_FALSE(render_template("{{.}}", vars).ok());
    CHECK_FALSE(render_template("{{name", vars).ok());
    // An unknown name inside a section is an error even when the list is empty.
    TemplateVars empty{{"items", std::vector<std::string>{}}};
    CHECK_FALSE(render_template("{{#items}}{{typo}}{{/items}}", empty).ok());
  }

  TEST_CASE("the embedded templates use exactly the documented variables") {
    const std::vector<std::pair<std::string, std::vector<std::string>>> documented = {
        {"memory_templates/global/long_term.md",
         {"directions", "objectives", "repo_path", "run_id"}},
        {"memory_templates/target/long_term.md",
         {"description", "file", "function", "provenance", "run_id", "target_id"}},
        {"memory_templates/target/failures.md",
         {"description", "file", "function", "provenance", "run_id", "target_id"}},
        {"memory_templates/synergy/records.md", {"run_id"}},
    };
    for (const auto& [path, vars] : documented) {
      CAPTURE(path);
      const auto text = assets::find(path);
      REQUIRE(text.has_value());
      auto names = template_names(*text);
      REQUIRE(names.ok());
      for (const auto& n : *names) {
        CHECK(std::find(vars.begin(), vars.end(), n) != vars.end());
      }
    }
  }

  TEST_CASE("every agent file and template is embedded") {
    for (const char* path :
         {"agents/AGENTS.md", "agents/orchestrator.md", "agents/worker.md", "agents/map_agent.md",
          "agents/policy_agent.md", "agents/reflect_agent.md", "memory_templates/README.md"}) {
      CAPTURE(path);
      const auto text = assets::find(path);
      REQUIRE(text.has_value());
      CHECK(text->size() > 100);
    }
    // Every embedded agent file parses (one that does not would be left out of the prompts and
    // the installed files), declares every placeholder it uses, and is served.
    std::size_t agents = 0;
    for (const auto& a : assets::all()) {
      const std::string path(a.path);
      if (path.rfind("agents/", 0) != 0) continue;
      CAPTURE(path);
      ++agents;
      auto parsed = assets::parse_agent_file(path.substr(7), std::string(a.text));
      REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().message));
      CHECK_FALSE(parsed->name.empty());
      CHECK_FALSE(parsed->description.empty());
      CHECK_FALSE(parsed->title.empty());
      for (const auto& arg : parsed->arguments) CHECK_FALSE(arg.description.empty());
      auto rendered = assets::render_agent(*parsed, {});
      REQUIRE_MESSAGE(rendered.ok(), (rendered.ok() ? "" : rendered.error().message));
      CHECK(rendered->find("{{") == std::string::npos);
    }
    CHECK(agents == 6);
    CHECK(assets::agent_files().size() == agents);
  }
}
