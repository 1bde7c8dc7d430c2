// libFuzzer entry point for the JSON-RPC/MCP parser and dispatcher: one input is one raw
// message fed to a fresh, initialized session. Built as a real fuzzer with clang
// (`cmake --preset fuzz`), and as a corpus replayer under plain ctest everywhere.
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "mcp/jsonrpc.h"
#include "mcp/mcp_session.h"
#include "mcp/tool_registry.h"

namespace {

using nlohmann::json;

// Every message the session sends must be valid JSON-RPC that survives a round trip.
class CheckingOutbound final : public evo::mcp::Outbound {
 public:
  void send(evo::mcp::jsonrpc::Message message) override {
    const auto line =
        evo::mcp::jsonrpc::dump_compact(evo::mcp::jsonrpc::to_json(std::move(message)));
    const auto back = json::parse(line, nullptr, false);
    if (back.is_discarded() || !back.is_object() || back.value("jsonrpc", "") != "2.0") {
      std::abort();
    }
    if (back.contains("id") && back.contains("result") == back.contains("error")) std::abort();
  }
};

std::shared_ptr<const evo::mcp::ToolRegistry> registry() {
  static auto reg = [] {
    evo::mcp::ToolDef echo;
    echo.name = "echo";
    echo.description = "Echoes its text argument.";
    echo.input_schema = {{"type", "object"},
                         {"properties",
                          {{"text", {{"type", "string"}, {"maxLength", 64}}},
                           {"n", {{"type", "integer"}, {"minimum", 0}, {"maximum", 9}}}}},
                         {"required", {"text"}},
                         {"additionalProperties", false}};
    echo.output_schema = {{"type", "object"}};
    echo.handler = [](const json& args, evo::mcp::ToolContext&) {
      return evo::mcp::ToolOutcome::ok({{"text", args.value("text", "")}});
    };
    auto r = evo::mcp::ToolRegistry::create({echo});
    if (!r.ok()) std::abort();
    return r.value();
  }();
  return reg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static auto logger =
      std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
  CheckingOutbound out;
  evo::mcp::McpSession session({"evo-engine", "fuzz", "", ""}, registry(), out, logger);
  session.receive(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{)"
                  R"("protocolVersion":"2025-11-25","capabilities":{},)"
                  R"("clientInfo":{"name":"fuzz","version":"1"}}})");
  session.receive(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  session.receive(std::string_view(reinterpret_cast<const char*>(data), size));
  session.close();
  return 0;
}
