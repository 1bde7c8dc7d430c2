// Line framing over asio descriptors. Reads are asynchronous so a signal can end the loop;
// writes are synchronous under a mutex so a reply is on the wire when send() returns.
#include "mcp/transport/stdio_transport.h"

#include <fcntl.h>

#include <array>
#include <csignal>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

// GCC 12's -Wnull-dereference fires inside asio's scheduler once it is inlined here (a false
// positive its system-header status does not silence, as the warning comes from the optimizer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <asio/buffer.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/write.hpp>
#pragma GCC diagnostic pop

namespace evo::mcp::transport {
namespace {

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Duplicates a descriptor and remembers its file status flags: asio switches the (shared) open
// file description to non-blocking, and the parent's terminal or pipe should get it back as it
// was.
struct Dup {
  int fd = -1;
  int original = -1;
  int flags = -1;

  explicit Dup(int source) : fd(::fcntl(source, F_DUPFD_CLOEXEC, 0)), original(source) {
    if (fd >= 0) flags = ::fcntl(fd, F_GETFL);
  }
  void restore() const {
    if (flags >= 0 && original >= 0) ::fcntl(original, F_SETFL, flags);
  }
};

}  // namespace

struct StdioTransport::Impl {
  Impl(std::shared_ptr<spdlog::logger> logger_in, StdioOptions options_in, int in_fd, int out_fd)
      : logger(std::move(logger_in)),
        options(options_in),
        in_dup(in_fd),
        out_dup(out_fd),
        input(io),
        output(io),
        signals(io) {
    asio::error_code ec;
    if (in_dup.fd < 0) {
      logger->error("stdio: cannot duplicate input descriptor {}", in_fd);
    } else if (input.assign(in_dup.fd, ec); ec) {
      logger->error("stdio: cannot use input descriptor: {}", ec.message());
      ::close(in_dup.fd);
    }
    if (out_dup.fd < 0) {
      logger->error("stdio: cannot duplicate output descriptor {}", out_fd);
      write_failed = true;
    } else if (output.assign(out_dup.fd, ec); ec) {
      logger->error("stdio: cannot use output descriptor: {}", ec.message());
      ::close(out_dup.fd);
      write_failed = true;
    }
  }

  ~Impl() {
    asio::error_code ec;
    input.close(ec);
    output.close(ec);
    in_dup.restore();
    out_dup.restore();
  }

  void start_read() {
    input.async_read_some(asio::buffer(chunk),
                          [this](const asio::error_code& ec, std::size_t n) { on_read(ec, n); });
  }

  void on_read(const asio::error_code& ec, std::size_t n) {
    if (n > 0) consume(std::string_view(chunk.data(), n));
    if (ec == asio::error::eof) {
      // A last line without its newline still counts.
      if (!discarding && !pending.empty()) deliver();
      stop(0);
      return;
    }
    if (ec == asio::error::operation_aborted) {
      stop(exit_code);
      return;
    }
    if (ec && ec != asio::error::interrupted && ec != asio::error::try_again &&
        ec != asio::error::would_block) {
      logger->error("stdio: read failed: {}", ec.message());
      stop(1);
      return;
    }
    if (broken()) {
      stop(1);
      return;
    }
    start_read();
  }

  // Splits input into lines without ever holding more than max_line_bytes of one line.
  void consume(std::string_view data) {
    while (!data.empty()) {
      const auto newline = data.find('\n');
      const std::string_view piece = data.substr(0, newline);
      if (discarding) {
        if (newline == std::string_view::npos) return;
        discarding = false;
      } else if (pending.size() + piece.size() > options.max_line_bytes) {
        pending.clear();
        pending.shrink_to_fit();
        logger->warn("stdio: refused a line longer than {} bytes", options.max_line_bytes);
        send_message(
            jsonrpc::make_error(std::nullopt, jsonrpc::oversize_error(options.max_line_bytes)));
        if (newline == std::string_view::npos) {
          discarding = true;
          return;
        }
      } else {
        pending.append(piece);
        if (newline == std::string_view::npos) return;
        deliver();
      }
      data.remove_prefix(newline + 1);
    }
  }

  void deliver() {
    std::string line = std::move(pending);
    pending.clear();
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (blank(line)) return;
    // Parsed here, once: the session gets the typed message (or the failure to answer).
    auto parsed = jsonrpc::parse_message(line, session->max_message_bytes());
    if (auto* failure = std::get_if<jsonrpc::ParseFailure>(&parsed)) {
      session->refuse(*failure);
      return;
    }
    session->receive(std::get<jsonrpc::Message>(std::move(parsed)));
  }

  void stop(int code) {
    exit_code = code;
    asio::error_code ec;
    signals.cancel(ec);
    input.close(ec);
  }

  bool broken() {
    const std::lock_guard lock(write_mu);
    return write_failed;
  }

  void send_message(const jsonrpc::Message& message) {
    std::string line = jsonrpc::dump_compact(jsonrpc::to_json(message));
    line.push_back('\n');
    asio::error_code ec;
    bool first_failure = false;
    {
      const std::lock_guard lock(write_mu);
      if (write_failed) return;
      // asio::write retries EINTR and partial writes, and polls on EAGAIN.
      asio::write(output, asio::buffer(line), ec);
      if (ec) {
        write_failed = true;
        first_failure = true;
      }
    }
    // Logged outside the lock: a log sink may forward to a session that sends through us.
    if (first_failure) {
      logger->error("stdio: write failed ({}); dropping further output", ec.message());
      asio::post(io, [this] {
        asio::error_code ignored;
        input.cancel(ignored);
      });
    }
  }

  std::shared_ptr<spdlog::logger> logger;
  const StdioOptions options;
  Dup in_dup;
  Dup out_dup;
  asio::io_context io;
  asio::posix::stream_descriptor input;
  asio::posix::stream_descriptor output;
  asio::signal_set signals;
  std::array<char, kReadChunk> chunk{};
  std::string pending;
  bool discarding = false;
  McpSession* session = nullptr;
  int exit_code = 0;

  std::mutex write_mu;
  bool write_failed = false;
};

StdioTransport::StdioTransport(std::shared_ptr<spdlog::logger> logger, StdioOptions options,
                               int in_fd, int out_fd)
    : impl_(std::make_unique<Impl>(std::move(logger), options, in_fd, out_fd)) {}

StdioTransport::~StdioTransport() = default;

int StdioTransport::run(McpSession& session) {
  Impl& impl = *impl_;
  impl.session = &session;
  if (impl.options.ignore_sigpipe) std::signal(SIGPIPE, SIG_IGN);
  if (!impl.input.is_open()) {
    session.close();
    return 1;
  }
  if (impl.options.handle_signals) {
    asio::error_code ec;
    impl.signals.add(SIGINT, ec);
    impl.signals.add(SIGTERM, ec);
    impl.signals.async_wait([&impl](const asio::error_code& wait_ec, int signal_number) {
      if (wait_ec) return;
      impl.logger->info("stdio: signal {}, finishing queued work", signal_number);
      impl.stop(0);
    });
  }
  impl.start_read();
  // Handlers run on this thread only; the asio loop ends when reading stops.
  try {
    impl.io.run();
  } catch (const std::exception& e) {
    // Last resort: our handlers do not throw, so only the reactor itself can get here.
    impl.logger->error("stdio: event loop failed: {}", e.what());
    impl.exit_code = 1;
  }
  // EOF: let queued requests finish; their replies go out through send() synchronously.
  session.close();
  impl.session = nullptr;
  const bool failed = impl.broken();
  impl.logger->debug("stdio: done (exit code {})", failed ? 1 : impl.exit_code);
  return failed ? 1 : impl.exit_code;
}

void StdioTransport::send(jsonrpc::Message message) {
  impl_->send_message(message);
}

int serve_stdio(ServerInfo info, std::shared_ptr<const ToolRegistry> tools,
                const std::shared_ptr<spdlog::logger>& logger, SessionOptions session_options,
                StdioOptions stdio_options, const std::function<void(McpSession&)>& setup,
                const std::function<void(McpSession&)>& teardown) {
  StdioTransport transport(logger, stdio_options);
  session_options.inline_tool_calls = InlineToolCalls::kWhenIdle;
  McpSession session(std::move(info), std::move(tools), transport, logger, session_options);
  if (setup) setup(session);
  const int code = transport.run(session);
  if (teardown) teardown(session);
  return code;
}

}  // namespace evo::mcp::transport
