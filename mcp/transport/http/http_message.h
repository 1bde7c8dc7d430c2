// HTTP/1.1 messages of the Streamable HTTP front end (internal to evo::transport): the request
// a handler gets, the response it fills in, and the incremental request parser that enforces
// every size limit while the bytes arrive (request line, header count, header bytes, body bytes
// for Content-Length and chunked bodies alike), so nothing over a limit is ever buffered. No
// I/O and no clock here: the listener (http_listener.h) feeds bytes and keeps the deadlines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evo::mcp::transport::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive ASCII comparison (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

struct Request {
  std::string method;
  std::string target;   // as sent: path plus query
  std::string path;     // the target up to '?'
  std::string version;  // "HTTP/1.1" or "HTTP/1.0"
  Headers headers;      // in arrival order, names as sent
  std::string body;     // de-chunked
  std::string remote_addr;

  bool has_header(std::string_view name) const;
  // The first value of `name`, or "" when absent.
  std::string get_header_value(std::string_view name) const;
  // HTTP/1.1 without "Connection: close", or HTTP/1.0 with "Connection: keep-alive".
  bool keep_alive() const;
};

// Where a streamed response body goes (chunked transfer coding on HTTP/1.1).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Writes one piece of the body; false once the client can no longer be written to.
  virtual bool write(std::string_view data) = 0;
  // Ends the body; the provider is not called again.
  virtual void done() = 0;
  // True when the client closed or reset its side: a stream nobody reads can be let go without
  // waiting for a write to fail.
  virtual bool peer_closed() = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::string content_type;
  // Set for a streamed body: called repeatedly (on the request's worker thread) until it calls
  // sink.done() or returns false (the client went away).
  std::function<bool(ResponseSink&)> provider;
  // Called once the response is finished with (written, or given up on), success or not.
  std::function<void(bool)> releaser;
  // Sends "Connection: close" and closes the connection after this response.
  bool close = false;

  void set_header(std::string name, std::string value);
  void set_content(std::string content, std::string type);
  void set_chunked_content_provider(std::string type, std::function<bool(ResponseSink&)> provider,
                                    std::function<void(bool)> releaser);
};

const char* reason_phrase(int status);
// The status line and headers of `res`, ending with the blank line: "Content-Length" for a plain
// body; for a streamed one "Transfer-Encoding: chunked" when `chunked` (HTTP/1.1), else none
// (HTTP/1.0: the body ends when the connection closes).
std::string format_head(const Response& res, bool keep_alive, int keep_alive_seconds, bool chunked);

struct ParseLimits {
  std::size_t max_request_line = 8192;   // 414 above
  std::size_t max_header_count = 100;    // 431 above (trailers of a chunked body count too)
  std::size_t max_header_bytes = 65536;  // all header lines together; 431 above
  std::size_t max_body_bytes = std::size_t{4} << 20;  // 413 above, whatever the encoding
};

class RequestParser {
 public:
  explicit RequestParser(ParseLimits limits);

  enum class Phase {
    kIdle,         // nothing of a request yet
    kRequestLine,  // inside the request line
    kHeaders,
    kBody,
    kDone,
    kFailed,
  };

  // Consumes bytes of one request; returns how many it used. It stops at the end of the
  // request (what follows belongs to the next one) and at the first error.
  std::size_t feed(std::string_view data);
  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::kDone; }
  bool failed() const { return phase_ == Phase::kFailed; }
  // The status and message of a failure (400, 413, 414, 431, 501, 505).
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }
  // The request line and headers are complete and announce a body.
  bool expects_body() const;
  // The body bytes received so far, and the announced length (nullopt for chunked).
  std::size_t body_received() const { return request_.body.size(); }
  std::optional<std::uint64_t> content_length() const { return content_length_; }
  bool chunked() const { return chunked_; }
  // The request as far as it is parsed (its headers, once the phase is kBody).
  const Request& partial() const { return request_; }
  // The parsed request (after done()); the parser is then ready for the next one.
  Request take();

 private:
  bool fail(int status, std::string message);
  // One complete line (without CRLF) in the current phase.
  bool on_request_line(std::string_view line);
  bool on_header_line(std::string_view line, bool trailer);
  bool on_headers_done();
  bool on_chunk_size_line(std::string_view line);
  // Collects a line from `data` into line_; returns the number of bytes used, sets `complete`.
  std::size_t take_line(std::string_view data, std::size_t max, bool& complete);
  // Header bytes (request line excluded) still allowed.
  std::size_t header_budget() const;

  enum class BodyState { kNone, kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailers };

  const ParseLimits limits_;
  Phase phase_ = Phase::kIdle;
  BodyState body_state_ = BodyState::kNone;
  Request request_;
  std::string line_;
  bool line_overflow_ = false;
  std::size_t header_bytes_ = 0;
  std::size_t header_count_ = 0;
  std::optional<std::uint64_t> content_length_;
  bool chunked_ = false;
  std::uint64_t chunk_left_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace evo::mcp::transport::http
