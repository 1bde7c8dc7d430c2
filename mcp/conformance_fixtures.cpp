// Fixture contents as the conformance scenarios specify them (texts, names and shapes are the
// suite's, not ours).
#include "mcp/conformance_fixtures.h"

#include <chrono>
#include <string>
#include <thread>

#include "mcp/jsonrpc.h"

namespace evo::mcp::fixtures {
namespace {

using nlohmann::json;

// A 1x1 red PNG and a 1 ms, 8-sample 8 kHz mono WAV.
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
constexpr const char* kWav =
    "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

json text(const std::string& t) {
  return json{{"type", "text"}, {"text", t}};
}
json image() {
  return json{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}};
}
json embedded(const std::string& uri, const std::string& mime, const std::string& t) {
  return json{{"type", "resource"}, {"resource", {{"uri", uri}, {"mimeType", mime}, {"text", t}}}};
}

json no_args() {
  return json{{"type", "object"}, {"properties", json::object()}};
}
json string_arg(const char* name, const char* description) {
  return json{{"type", "object"},
              {"properties", {{name, {{"type", "string"}, {"description", description}}}}},
              {"required", {name}}};
}

void pause() {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

ToolDef blocks_tool(std::string name, std::string description, json content) {
  return ToolDef{std::move(name),
                 "",
                 std::move(description),
                 no_args(),
                 json(),
                 [content](const json&, ToolContext&) { return ToolOutcome::blocks(content); }};
}

// Asks the client through elicitation/create and reports its answer as text.
ToolOutcome elicit(ToolContext& ctx, const std::string& message, const json& schema,
                   const std::string& prefix) {
  // request_client refuses when the client did not declare elicitation (2026-07-28: -32021).
  const auto reply = ctx.request_client("elicitation/create",
                                        json{{"message", message}, {"requestedSchema", schema}});
  if (!reply.result) return ToolOutcome::fail("elicitation failed: " + reply.error);
  const std::string action = reply.result->value("action", std::string("?"));
  const json content = reply.result->value("content", json::object());
  return ToolOutcome::blocks(json::array(
      {text(prefix + "action=" + action + ", content=" + jsonrpc::dump_compact(content))}));
}

}  // namespace

std::vector<ToolDef> conformance_tools() {
  std::vector<ToolDef> tools;
  tools.push_back(blocks_tool("test_simple_text", "Returns simple text content.",
                              json::array({text("This is a simple text response for testing.")})));
  tools.push_back(blocks_tool("test_image_content", "Returns an image.", json::array({image()})));
  tools.push_back(
      blocks_tool("test_audio_content", "Returns audio.",
                  json::array({{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}}})));
  tools.push_back(blocks_tool("test_embedded_resource", "Returns an embedded resource.",
                              json::array({embedded("test://embedded-resource", "text/plain",
                                                    "This is an embedded resource content.")})));
  tools.push_back(
      blocks_tool("test_multiple_content_types", "Returns text, an image and a resource.",
                  json::array({text("Multiple content types test:"), image(),
                               embedded("test://mixed-content-resource", "application/json",
                                        R"({"test":"data","value":123})")})));
  tools.push_back(ToolDef{"test_tool_with_logging", "", "Logs three lines while it runs.",
                          no_args(), json(), [](const json&, ToolContext& ctx) {
                            ctx.log(LogLevel::kInfo, "Tool execution started");
                            pause();
                            ctx.log(LogLevel::kInfo, "Tool processing data");
                            pause();
                            ctx.log(LogLevel::kInfo, "Tool execution completed");
                            return ToolOutcome::blocks(
                                json::array({text("Tool with logging executed successfully")}));
                          }});
  tools.push_back(ToolDef{
      "test_error_handling", "", "Always fails.", no_args(), json(), [](const json&, ToolContext&) {
        return ToolOutcome::fail("This tool intentionally returns an error for testing");
      }});
  tools.push_back(ToolDef{"test_tool_with_progress", "", "Reports progress 0, 50, 100 of 100.",
                          no_args(), json(), [](const json&, ToolContext& ctx) {
                            ctx.report_progress(0, 100.0, "");
                            pause();
                            ctx.report_progress(50, 100.0, "");
                            pause();
                            ctx.report_progress(100, 100.0, "");
                            return ToolOutcome::blocks(
                                json::array({text("Tool with progress executed successfully")}));
                          }});
  tools.push_back(ToolDef{
      "test_sampling", "", "Asks the client's LLM through sampling/createMessage.",
      string_arg("prompt", "The prompt to send to the LLM"), json(),
      [](const json& args, ToolContext& ctx) {
        // request_client refuses when the client did not declare sampling (2026-07-28: -32021).
        const json params{
            {"messages",
             json::array({{{"role", "user"}, {"content", text(args.value("prompt", ""))}}})},
            {"maxTokens", 100}};
        const auto reply = ctx.request_client("sampling/createMessage", params);
        if (!reply.result) return ToolOutcome::fail("sampling failed: " + reply.error);
        std::string answer;
        if (const auto c = reply.result->find("content");
            c != reply.result->end() && c->is_object())
          answer = c->value("text", std::string());
        return ToolOutcome::blocks(json::array({text("LLM response: " + answer)}));
      }});
  tools.back().interactive = true;  // asks the client, or breaks its stream, mid-call
  tools.push_back(
      ToolDef{"test_elicitation", "", "Asks the user through elicitation/create.",
              string_arg("message", "The message to show the user"), json(),
              [](const json& args, ToolContext& ctx) {
                const json schema{
                    {"type", "object"},
                    {"properties",
                     {{"username", {{"type", "string"}, {"description", "User's response"}}},
                      {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
                    {"required", {"username", "email"}}};
                return elicit(ctx, args.value("message", ""), schema, "User response: ");
              }});
  tools.back().interactive = true;  // asks the client, or breaks its stream, mid-call
  tools.push_back(ToolDef{
      "test_elicitation_sep1034_defaults", "", "Elicitation with defaults (SEP-1034).", no_args(),
      json(), [](const json&, ToolContext& ctx) {
        const json schema{
            {"type", "object"},
            {"properties",
             {{"name", {{"type", "string"}, {"description", "User name"}, {"default", "John Doe"}}},
              {"age", {{"type", "integer"}, {"description", "User age"}, {"default", 30}}},
              {"score", {{"type", "number"}, {"description", "User score"}, {"default", 95.5}}},
              {"status",
               {{"type", "string"},
                {"description", "User status"},
                {"enum", {"active", "inactive", "pending"}},
                {"default", "active"}}},
              {"verified",
               {{"type", "boolean"}, {"description", "Verification status"}, {"default", true}}}}},
            {"required", json::array()}};
        return elicit(ctx, "Please review and update the form fields with defaults", schema,
                      "Elicitation completed: ");
      }});
  tools.back().interactive = true;  // asks the client, or breaks its stream, mid-call
  tools.push_back(ToolDef{
      "test_elicitation_sep1330_enums", "", "Elicitation with every enum form (SEP-1330).",
      no_args(), json(), [](const json&, ToolContext& ctx) {
        const auto titled = [](const char* prefix, const char* t1, const char* t2, const char* t3) {
          return json::array({{{"const", std::string(prefix) + "1"}, {"title", t1}},
                              {{"const", std::string(prefix) + "2"}, {"title", t2}},
                              {{"const", std::string(prefix) + "3"}, {"title", t3}}});
        };
        const json schema{
            {"type", "object"},
            {"properties",
             {{"untitledSingle", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}},
              {"titledSingle",
               {{"type", "string"},
                {"oneOf", titled("value", "First Option", "Second Option", "Third Option")}}},
              {"legacyEnum",
               {{"type", "string"},
                {"enum", {"opt1", "opt2", "opt3"}},
                {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
              {"untitledMulti",
               {{"type", "array"},
                {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
              {"titledMulti",
               {{"type", "array"},
                {"items",
                 {{"anyOf", titled("value", "First Choice", "Second Choice", "Third Choice")}}}}}}},
            {"required", json::array()}};
        return elicit(ctx, "Please choose from the enum fields", schema, "Elicitation completed: ");
      }});
  tools.back().interactive = true;  // asks the client, or breaks its stream, mid-call
  tools.push_back(ToolDef{
      "test_reconnection", "",
      "Closes its SSE connection before replying; the reply comes on the resumed stream "
      "(SEP-1699).",
      no_args(), json(), [](const json&, ToolContext& ctx) {
        ctx.break_stream();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return ToolOutcome::blocks(json::array({text("Reconnection test completed successfully")}));
      }});
  tools.back().interactive = true;  // asks the client, or breaks its stream, mid-call
  tools.push_back(ToolDef{
      "json_schema_2020_12_tool", "", "Tool with JSON Schema 2020-12 features",
      json{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
           {"type", "object"},
           {"$defs",
            {{"address",
              {{"type", "object"},
               {"properties",
                {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}}}}},
           {"properties",
            {{"name", {{"type", "string"}}}, {"address", {{"$ref", "#/$defs/address"}}}}},
           {"additionalProperties", false}},
      json(), [](const json& args, ToolContext&) {
        return ToolOutcome::blocks(json::array({text("Received: " + jsonrpc::dump_compact(args))}));
      }});
  return tools;
}

void add_conformance_fixtures(Catalog& catalog) {
  const auto static_text = [](std::string uri, std::string name, std::string mime,
                              std::string body) {
    ResourceDef r{uri, std::move(name), "", "A conformance fixture resource.", mime, {}};
    r.read = [uri, mime, body](const std::string&) -> Result<json> {
      return json::array({{{"uri", uri}, {"mimeType", mime}, {"text", body}}});
    };
    return r;
  };
  catalog.add_resource(static_text("test://static-text", "static-text", "text/plain",
                                   "This is the content of the static text resource."));
  catalog.add_resource(
      ResourceDef{"test://static-binary", "static-binary", "", "A conformance fixture image.",
                  "image/png", [](const std::string& uri) -> Result<json> {
                    return json::array({{{"uri", uri}, {"mimeType", "image/png"}, {"blob", kPng}}});
                  }});
  catalog.add_resource(static_text("test://watched-resource", "watched-resource", "text/plain",
                                   "Watched resource content."));
  catalog.add_template(ResourceTemplateDef{
      "test://template/{id}/data", "template-data", "", "Data for an id.", "application/json",
      [](const std::string& uri, const StringMap& vars) -> Result<json> {
        const std::string id = vars.at("id");
        const json body{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
        return json::array({{{"uri", uri},
                             {"mimeType", "application/json"},
                             {"text", jsonrpc::dump_compact(body)}}});
      },
      [](const std::string&, const std::string& partial, const StringMap&) {
        std::vector<std::string> out;
        for (const char* id : {"1", "12", "123"}) {
          if (std::string(id).rfind(partial, 0) == 0) out.emplace_back(id);
        }
        return out;
      }});

  const auto one_message = [](json content) {
    return json{{"messages", json::array({{{"role", "user"}, {"content", std::move(content)}}})}};
  };
  catalog.add_prompt(PromptDef{"test_simple_prompt",
                               "",
                               "A prompt without arguments.",
                               {},
                               [one_message](const StringMap&) -> Result<json> {
                                 return one_message(text("This is a simple prompt for testing."));
                               },
                               {}});
  catalog.add_prompt(
      PromptDef{"test_prompt_with_arguments",
                "",
                "A prompt with two required arguments.",
                {{"arg1", "First test argument", true}, {"arg2", "Second test argument", true}},
                [one_message](const StringMap& args) -> Result<json> {
                  return one_message(text("Prompt with arguments: arg1='" + args.at("arg1") +
                                          "', arg2='" + args.at("arg2") + "'"));
                },
                [](const std::string&, const std::string& partial, const StringMap&) {
                  std::vector<std::string> out;
                  for (const char* v : {"paris", "park", "party", "test", "testing"}) {
                    if (std::string(v).rfind(partial, 0) == 0) out.emplace_back(v);
                  }
                  return out;
                }});
  catalog.add_prompt(PromptDef{
      "test_prompt_with_embedded_resource",
      "",
      "A prompt embedding a resource.",
      {{"resourceUri", "URI of the resource to embed", true}},
      [](const StringMap& args) -> Result<json> {
        return json{
            {"messages",
             json::array({{{"role", "user"},
                           {"content", embedded(args.at("resourceUri"), "text/plain",
                                                "Embedded resource content for testing.")}},
                          {{"role", "user"},
                           {"content", text("Please process the embedded resource above.")}}})}};
      },
      {}});
  catalog.add_prompt(PromptDef{
      "test_prompt_with_image",
      "",
      "A prompt with an image.",
      {},
      [](const StringMap&) -> Result<json> {
        return json{
            {"messages", json::array({{{"role", "user"}, {"content", image()}},
                                      {{"role", "user"},
                                       {"content", text("Please analyze the image above.")}}})}};
      },
      {}});
}

}  // namespace evo::mcp::fixtures
