// The asio front end of Streamable HTTP; see http_listener.h. Everything about a connection
// that is not answering a request happens on the event-loop thread (no locks there); while a
// worker answers, it alone touches the socket (blocking writes bounded by the write timeout,
// through poll), and it hands the connection back to the loop when it is done.
#include "mcp/transport/http/http_listener.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

// GCC 12's -Wnull-dereference fires inside asio's scheduler once it is inlined here (a false
// positive its system-header status does not silence, as the warning comes from the optimizer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <asio/buffer.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#pragma GCC diagnostic pop

namespace evo::mcp::transport::http {
namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;

constexpr std::size_t kReadChunk = std::size_t{16} * 1024;
// After an error reply with the request unread, the rest is read and dropped for this long so
// that closing does not reset the connection before the client has read the reply.
constexpr auto kLinger = std::chrono::seconds(2);
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

std::string seconds_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// A fixed set of request workers over an unbounded queue: the queue holds at most one job per
// connection, and connections are bounded.
class WorkerPool {
 public:
  explicit WorkerPool(std::size_t n) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, n); ++i) {
      threads_.emplace_back([this] { loop(); });
    }
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool() { stop(); }

  void post(std::function<void()> job) {
    {
      const std::lock_guard lock(mu_);
      if (stopped_) return;
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }

  // Jobs running finish; jobs not started are dropped.
  void stop() {
    std::deque<std::function<void()>> dropped;
    {
      const std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      dropped.swap(jobs_);
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void loop() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopped_ || !jobs_.empty(); });
        if (stopped_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopped_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

class Connection;

struct Listener::Impl {
  Impl(std::shared_ptr<spdlog::logger> logger_in, ListenerOptions options_in, Handler handler_in,
       ErrorResponder refuse_in)
      : logger(std::move(logger_in)),
        options(options_in),
        handler(std::move(handler_in)),
        refuse(std::move(refuse_in)),
        acceptor(io),
        accept_timer(io),
        guard(asio::make_work_guard(io)) {}

  void start_accept();
  void on_accept(const asio::error_code& ec, tcp::socket socket);
  // Makes room for one more connection from `ip` (empty: from anyone) by closing the one that
  // has waited longest without a complete request; false when none may be closed.
  bool evict(const std::string& ip);
  void forget(const Connection& c);

  // The event-loop half (io) is declared first so that it is destroyed last.
  asio::io_context io;
  const std::shared_ptr<spdlog::logger> logger;
  const ListenerOptions options;
  const Handler handler;
  const ErrorResponder refuse;
  tcp::acceptor acceptor;
  asio::steady_timer accept_timer;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::atomic<bool> stopping{false};
  std::atomic<bool> bound{false};
  std::atomic<std::size_t> open{0};

  // Event-loop thread only.
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections;
  std::map<std::string, std::size_t> per_ip;
  std::uint64_t next_id = 1;

  std::unique_ptr<WorkerPool> workers;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State {
    kWaiting,  // between requests, nothing of the next one yet
    kReading,  // a request in progress
    kBusy,     // a worker is answering; the loop leaves the socket alone
    kClosing,  // an error reply written or being written; the rest is dropped
    kClosed,
  };

  Connection(Listener::Impl& impl, tcp::socket socket, std::string ip, std::uint64_t id)
      : impl_(impl),
        socket_(std::move(socket)),
        read_timer_(impl.io),
        deadline_(impl.io),
        parser_(impl.options.limits),
        ip_(std::move(ip)),
        id_(id) {}

  std::uint64_t id() const { return id_; }
  const std::string& ip() const { return ip_; }
  State state() const { return state_; }
  Clock::time_point waiting_since() const { return waiting_since_; }

  // Loop thread: wait for (or parse the buffered start of) the next request.
  void start_waiting() {
    state_ = State::kWaiting;
    waiting_since_ = Clock::now();
    if (!pending_.empty()) {
      std::string data = std::move(pending_);
      pending_.clear();
      consume(data);
      if (state_ == State::kWaiting || state_ == State::kReading) {
        arm_read_timer();
        read();
      }
      return;
    }
    arm_read_timer();
    read();
  }

  // Loop thread.
  void close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    asio::error_code ec;
    read_timer_.cancel();
    deadline_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    impl_.forget(*this);
  }

 private:
  void read() {
    socket_.async_read_some(asio::buffer(chunk_),
                            [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                              self->on_read(ec, n);
                            });
  }

  void on_read(const asio::error_code& ec, std::size_t n) {
    if (state_ != State::kWaiting && state_ != State::kReading) return;
    if (n > 0) {
      consume(std::string_view(chunk_.data(), n));
      if (state_ != State::kWaiting && state_ != State::kReading) return;
    }
    if (ec) {
      const auto phase = parser_.phase();
      if (phase == RequestParser::Phase::kHeaders || phase == RequestParser::Phase::kBody) {
        refuse(400, "Bad Request: the connection closed before the request was complete");
      } else {
        close();
      }
      return;
    }
    arm_read_timer();
    if (!continue_sent_ && parser_.expects_body() &&
        iequals(parser_.partial().get_header_value("Expect"), "100-continue")) {
      // The client waits for this before it sends the body.
      continue_sent_ = true;
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(socket_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                        [self = shared_from_this()](const asio::error_code& wec, std::size_t) {
                          if (self->state_ != State::kReading) return;
                          if (wec) {
                            self->close();
                            return;
                          }
                          self->read();
                        });
      return;
    }
    read();
  }

  void consume(std::string_view data) {
    if (state_ == State::kWaiting && parser_.phase() == RequestParser::Phase::kIdle) {
      // The first byte of a request starts its deadline.
      state_ = State::kReading;
      arm_deadline();
    }
    const std::size_t used = parser_.feed(data);
    if (parser_.failed()) {
      refuse(parser_.error_status(), parser_.error_message());
      return;
    }
    if (!parser_.done()) return;
    pending_.append(data.substr(used));  // the start of a pipelined request
    dispatch();
  }

  void arm_read_timer() {
    const bool fresh_wait = state_ == State::kWaiting;
    const auto timeout = fresh_wait && served_ > 0
                             ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                   impl_.options.keep_alive_timeout)
                             : impl_.options.read_timeout;
    const auto generation = ++read_generation_;
    read_timer_.expires_after(timeout);
    read_timer_.async_wait([self = shared_from_this(), generation](const asio::error_code& ec) {
      if (ec || generation != self->read_generation_) return;
      self->on_read_timeout();
    });
  }

  void arm_deadline() {
    const auto generation = ++deadline_generation_;
    deadline_.expires_after(impl_.options.request_timeout);
    deadline_.async_wait([self = shared_from_this(), generation](const asio::error_code& ec) {
      if (ec || generation != self->deadline_generation_) return;
      self->on_deadline();
    });
  }

  void cancel_timers() {
    ++read_generation_;
    ++deadline_generation_;
    read_timer_.cancel();
    deadline_.cancel();
  }

  void on_read_timeout() {
    if (state_ != State::kWaiting && state_ != State::kReading) return;
    const std::string timeout = seconds_text(impl_.options.read_timeout);
    switch (parser_.phase()) {
      case RequestParser::Phase::kHeaders:
        refuse(408,
               "Request Timeout: the request headers were not received completely (nothing "
               "arrived for the read timeout of " +
                   timeout + ")");
        return;
      case RequestParser::Phase::kBody: {
        const std::string received =
            parser_.content_length()
                ? std::to_string(parser_.body_received()) + " of " +
                      std::to_string(*parser_.content_length()) + " bytes"
                : std::to_string(parser_.body_received()) + " bytes of a chunked body";
        refuse(408, "Request Timeout: the request body was not received completely (" + received +
                        "; nothing arrived for the read timeout of " + timeout + ")");
        return;
      }
      default:
        // Idle, or a request line that stalls: nothing to answer.
        close();
        return;
    }
  }

  void on_deadline() {
    if (state_ != State::kReading) return;
    const auto phase = parser_.phase();
    if (phase != RequestParser::Phase::kHeaders && phase != RequestParser::Phase::kBody) {
      close();
      return;
    }
    refuse(408,
           "Request Timeout: the request was not received completely within the request "
           "deadline of " +
               seconds_text(impl_.options.request_timeout));
  }

  // An error reply the front end makes itself; then the connection is closed gracefully.
  void refuse(int status, const std::string& message) {
    cancel_timers();
    state_ = State::kClosing;
    impl_.logger->debug("http: {} from {}: {}", status, ip_, message);
    Response res;
    impl_.refuse(status, message, res);
    auto text = std::make_shared<std::string>(format_head(res, false, 0, false) + res.body);
    asio::async_write(socket_, asio::buffer(*text),
                      [self = shared_from_this(), text](const asio::error_code& ec, std::size_t) {
                        if (self->state_ != State::kClosing) return;
                        if (ec) {
                          self->close();
                          return;
                        }
                        self->linger();
                      });
  }

  // Half-closes and drops what the client still sends, for a bounded time: closing a socket
  // with unread input resets the connection, and the client could lose the reply.
  void linger() {
    asio::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    const auto generation = ++read_generation_;
    read_timer_.expires_after(kLinger);
    read_timer_.async_wait([self = shared_from_this(), generation](const asio::error_code& tec) {
      if (tec || generation != self->read_generation_) return;
      self->close();
    });
    drain();
  }

  void drain() {
    socket_.async_read_some(asio::buffer(chunk_),
                            [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                              if (self->state_ != State::kClosing) return;
                              if (ec) {
                                self->close();
                                return;
                              }
                              self->drain();
                            });
  }

  void dispatch() {
    cancel_timers();
    state_ = State::kBusy;
    Request request = parser_.take();
    request.remote_addr = ip_;
    continue_sent_ = false;
    ++served_;
    impl_.workers->post(
        [self = shared_from_this(), req = std::move(request)]() { self->serve(req); });
  }

  // ---- worker thread ----------------------------------------------------------------------
  class Sink final : public ResponseSink {
   public:
    Sink(Connection& c, bool chunked) : c_(c), chunked_(chunked) {}
    bool write(std::string_view data) override {
      if (failed_ || finished_) return false;
      if (data.empty()) return true;
      if (chunked_) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string frame;
        for (std::size_t n = data.size(); n > 0; n >>= 4) frame.insert(frame.begin(), kHex[n & 15]);
        frame += "\r\n";
        frame.append(data);
        frame += "\r\n";
        failed_ = !c_.write_all(frame);
      } else {
        failed_ = !c_.write_all(data);
      }
      return !failed_;
    }
    void done() override {
      if (finished_) return;
      finished_ = true;
      if (chunked_ && !failed_) failed_ = !c_.write_all("0\r\n\r\n");
    }
    bool peer_closed() override {
      pollfd p{c_.socket_.native_handle(), POLLRDHUP, 0};
      return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    }
    bool finished() const { return finished_; }
    bool failed() const { return failed_; }

   private:
    Connection& c_;
    const bool chunked_;
    bool finished_ = false;
    bool failed_ = false;
  };

  void serve(const Request& req) {
    Response res;
    try {
      impl_.handler(req, res);
    } catch (const std::exception& e) {
      impl_.logger->error("http: handler threw: {}", e.what());
      res = Response{};
      impl_.refuse(500, std::string("Internal Server Error: ") + e.what(), res);
    }
    const bool http11 = req.version == "HTTP/1.1";
    bool keep = req.keep_alive() && !res.close && !impl_.stopping;
    if (res.provider && !http11) keep = false;  // the body ends when the connection does
    const auto keep_seconds = static_cast<int>(impl_.options.keep_alive_timeout.count());
    bool ok = write_all(format_head(res, keep, keep_seconds, res.provider && http11));
    if (ok && !res.provider) ok = write_all(res.body);
    if (ok && res.provider) {
      Sink sink(*this, http11);
      while (!sink.finished() && !sink.failed()) {
        if (!res.provider(sink)) break;
      }
      ok = sink.finished() && !sink.failed();
    }
    if (res.releaser) res.releaser(ok);
    res = Response{};  // what the provider held goes now, not when the loop gets to it
    asio::post(impl_.io, [self = shared_from_this(), again = ok && keep] {
      if (self->state_ != State::kBusy) return;
      if (again && !self->impl_.stopping) {
        self->start_waiting();
      } else {
        self->close();
      }
    });
  }

  // Writes all of `data`, waiting at most the write timeout for the socket each time it is full.
  bool write_all(std::string_view data) {
    const int fd = socket_.native_handle();
    const auto timeout_ms = static_cast<int>(impl_.options.write_timeout.count());
    while (!data.empty()) {
      const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd p{fd, POLLOUT, 0};
        const int ready = ::poll(&p, 1, timeout_ms);
        if (ready > 0 && (p.revents & (POLLERR | POLLHUP)) == 0) continue;
        if (ready < 0 && errno == EINTR) continue;
      }
      return false;
    }
    return true;
  }

  Listener::Impl& impl_;
  tcp::socket socket_;
  asio::steady_timer read_timer_;
  asio::steady_timer deadline_;
  RequestParser parser_;
  const std::string ip_;
  const std::uint64_t id_;
  std::array<char, kReadChunk> chunk_{};
  std::string pending_;
  State state_ = State::kWaiting;
  Clock::time_point waiting_since_ = Clock::now();
  std::uint64_t read_generation_ = 0;
  std::uint64_t deadline_generation_ = 0;
  std::uint64_t served_ = 0;
  bool continue_sent_ = false;
};

void Listener::Impl::start_accept() {
  acceptor.async_accept(
      [this](const asio::error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Listener::Impl::on_accept(const asio::error_code& ec, tcp::socket socket) {
  if (stopping) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of descriptors, for instance: retry shortly instead of spinning.
    logger->warn("http: accept failed: {}", ec.message());
    accept_timer.expires_after(kAcceptRetry);
    accept_timer.async_wait([this](const asio::error_code& tec) {
      if (!tec && !stopping) start_accept();
    });
    return;
  }
  asio::error_code opt_ec;
  const auto remote = socket.remote_endpoint(opt_ec);
  std::string ip = opt_ec ? std::string("?") : remote.address().to_string();
  // Replies go out as a header write then a body write: with Nagle's algorithm on, the body
  // waits for the client's delayed ACK of the header (~40 ms a call on Linux).
  socket.set_option(tcp::no_delay(true), opt_ec);
  socket.non_blocking(true, opt_ec);
  const bool ip_full = per_ip[ip] >= options.max_connections_per_ip && !evict(ip);
  const bool all_full = !ip_full && connections.size() >= options.max_connections && !evict("");
  if (ip_full || all_full) {
    logger->debug("http: refused a connection from {}: {} connections open", ip,
                  ip_full ? per_ip[ip] : connections.size());
    socket.close(opt_ec);
  } else {
    auto c = std::make_shared<Connection>(*this, std::move(socket), ip, next_id++);
    connections.emplace(c->id(), c);
    per_ip[ip] += 1;
    open = connections.size();
    c->start_waiting();
  }
  start_accept();
}

bool Listener::Impl::evict(const std::string& ip) {
  std::shared_ptr<Connection> oldest;
  for (const auto& [id, c] : connections) {
    if (!ip.empty() && c->ip() != ip) continue;
    const auto state = c->state();
    if (state != Connection::State::kWaiting && state != Connection::State::kReading &&
        state != Connection::State::kClosing) {
      continue;
    }
    if (!oldest || c->waiting_since() < oldest->waiting_since()) oldest = c;
  }
  if (!oldest) return false;
  logger->debug("http: closing the longest-waiting connection from {} to make room", oldest->ip());
  oldest->close();
  return true;
}

void Listener::Impl::forget(const Connection& c) {
  const auto it = connections.find(c.id());
  if (it == connections.end()) return;
  if (auto ip = per_ip.find(c.ip()); ip != per_ip.end() && --ip->second == 0) per_ip.erase(ip);
  // The caller may be this connection: it stays alive until its handler returns.
  auto keep = std::move(it->second);
  connections.erase(it);
  open = connections.size();
  asio::post(io, [keep = std::move(keep)] {});
}

Listener::Listener(std::shared_ptr<spdlog::logger> logger, ListenerOptions options, Handler handler,
                   ErrorResponder refuse)
    : impl_(std::make_unique<Impl>(std::move(logger), options, std::move(handler),
                                   std::move(refuse))) {}

Listener::~Listener() {
  stop();
}

Result<int> Listener::bind(const std::string& host, int port) {
  Impl& impl = *impl_;
  asio::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "bad address '" + host + "'");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  const std::string where = host + ":" + std::to_string(port);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    impl.acceptor.close(ignored);
    return make_error(ErrorCode::kInvalidArgument, "cannot bind " + where + ": " + ec.message());
  }
  impl.bound = true;
  return static_cast<int>(impl.acceptor.local_endpoint().port());
}

void Listener::run() {
  Impl& impl = *impl_;
  if (!impl.bound || impl.stopping) return;
  impl.workers = std::make_unique<WorkerPool>(impl.options.workers);
  impl.start_accept();
  try {
    impl.io.run();
  } catch (const std::exception& e) {
    // Last resort: our handlers do not throw, so only the reactor itself can get here.
    impl.logger->error("http: event loop failed: {}", e.what());
  }
  // Requests being answered finish (HttpServer::stop ended their sessions first).
  impl.workers->stop();
}

void Listener::stop() {
  Impl& impl = *impl_;
  if (impl.stopping.exchange(true)) return;
  asio::post(impl.io, [&impl] {
    asio::error_code ec;
    impl.acceptor.close(ec);
    impl.accept_timer.cancel();
    std::vector<std::shared_ptr<Connection>> idle;
    for (const auto& [id, c] : impl.connections) {
      if (c->state() != Connection::State::kBusy) idle.push_back(c);
    }
    for (auto& c : idle) c->close();
    // Busy connections close when their worker hands them back.
    impl.guard.reset();
  });
}

std::size_t Listener::connection_count() const {
  return impl_->open.load();
}

}  // namespace evo::mcp::transport::http
