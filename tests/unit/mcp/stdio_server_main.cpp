// A stand-in server binary for the transcript tests until the real evo-engine wires its tools:
// the stdio transport, a session and two fake tools, wired exactly as main should do it.
#include <spdlog/sinks/stdout_sinks.h>

#include <memory>

#include "mcp/client_log_sink.h"
#include "mcp/mcp_session.h"
#include "mcp/tool_registry.h"
#include "mcp/transport/stdio_transport.h"

int main() {
  using evo::mcp::ToolContext;
  using evo::mcp::ToolOutcome;
  using nlohmann::json;

  // Logs go to stderr and, as notifications/message, to the client; never to stdout.
  auto forward = std::make_shared<evo::mcp::ClientLogSink>();
  auto logger = std::make_shared<spdlog::logger>(
      "evo", spdlog::sinks_init_list{std::make_shared<spdlog::sinks::stderr_sink_mt>(), forward});
  logger->set_level(spdlog::level::info);

  std::vector<evo::mcp::ToolDef> tools;
  tools.push_back({"echo", "Echo", "Returns its arguments.",
                   json::parse(R"({"type":"object","properties":{"text":{"type":"string"}},
                                   "additionalProperties":false})"),
                   json::parse(R"({"type":"object","properties":{"echo":{"type":"object"}},
                                   "required":["echo"]})"),
                   [](const json& args, ToolContext&) {
                     return ToolOutcome::ok(json{{"echo", args}});
                   }});
  tools.push_back({"fail", "", "Always fails.", json{{"type", "object"}}, json(),
                   [](const json&, ToolContext&) { return ToolOutcome::fail("always fails"); }});
  auto registry = evo::mcp::ToolRegistry::create(std::move(tools));
  if (!registry) {
    logger->critical("bad tool definitions: {}", registry.error().message);
    return 2;
  }

  evo::mcp::ServerInfo info{"evo-engine", "0.0.0-transcripts", "Evo Engine (transcripts)",
                            "Stand-in server for transcript tests."};
  evo::mcp::transport::StdioTransport transport(logger);
  evo::mcp::McpSession session(info, registry.value(), transport, logger);
  forward->attach(&session);
  const int code = transport.run(session);
  forward->detach(&session);
  return code;
}
