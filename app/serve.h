// `evo-engine serve` over stdio, Streamable HTTP, or both at once over one engine: the HTTP
// command-line options (each with its documented default) and the loop that runs the transports
// until stdin closes or a signal arrives.
#pragma once

#include <spdlog/logger.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "mcp/mcp_session.h"
#include "mcp/session_setup.h"
#include "mcp/transport/http/http_transport.h"

namespace evo::app {

using mcp::ServerInfo;
using mcp::SessionSetup;
using mcp::ToolRegistry;
using mcp::transport::http::HttpOptions;

struct HttpCli {
  std::optional<std::string> listen;  // set when --http was given ("" means the default address)
  HttpOptions options;
};

// Adds --http [ADDR:PORT], --allow-remote, --allowed-host, --allowed-origin, --auth-token
// (or $EVO_AUTH_TOKEN) and the limits to `serve`.
void add_http_options(CLI::App& serve, HttpCli& cli);

// Serves until stdin closes (with --stdio) or SIGINT/SIGTERM; with both transports, the end of
// stdin ends the HTTP server too. Returns the process exit code.
int serve(const ServerInfo& info, const std::shared_ptr<const ToolRegistry>& tools,
          const std::shared_ptr<spdlog::logger>& logger, const SessionSetup& setup, bool stdio,
          HttpCli& http);

}  // namespace evo::app
