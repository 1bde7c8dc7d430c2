// The HTTP/1.1 request parser and response framing; see http_message.h. Strict where leniency
// lets one request be read two ways (both Content-Length and Transfer-Encoding, conflicting
// Content-Lengths, obsolete line folding, whitespace before a header's colon: 400).
#include "mcp/transport/http/http_message.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace evo::mcp::transport::http {
namespace {

constexpr std::size_t kMaxChunkSizeLine = 1024;

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool Request::has_header(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

std::string Request::get_header_value(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

bool Request::keep_alive() const {
  // "Connection" is a comma-separated list of tokens.
  bool close = false;
  bool keep = false;
  for (const auto& [key, value] : headers) {
    if (!iequals(key, "Connection")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto token = trim(rest.substr(0, comma));
      if (iequals(token, "close")) close = true;
      if (iequals(token, "keep-alive")) keep = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (close) return false;
  return version == "HTTP/1.1" || keep;
}

void Response::set_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

void Response::set_content(std::string content, std::string type) {
  body = std::move(content);
  content_type = std::move(type);
}

void Response::set_chunked_content_provider(std::string type,
                                            std::function<bool(ResponseSink&)> provider_in,
                                            std::function<void(bool)> releaser_in) {
  content_type = std::move(type);
  provider = std::move(provider_in);
  releaser = std::move(releaser_in);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string format_head(const Response& res, bool keep_alive, int keep_alive_seconds,
                        bool chunked) {
  std::string head =
      "HTTP/1.1 " + std::to_string(res.status) + " " + reason_phrase(res.status) + "\r\n";
  if (!res.content_type.empty()) head += "Content-Type: " + res.content_type + "\r\n";
  if (!res.provider) {
    head += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
  } else if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  }
  if (keep_alive) {
    head += "Keep-Alive: timeout=" + std::to_string(keep_alive_seconds) + "\r\n";
  } else {
    head += "Connection: close\r\n";
  }
  for (const auto& [name, value] : res.headers) head += name + ": " + value + "\r\n";
  head += "\r\n";
  return head;
}

RequestParser::RequestParser(ParseLimits limits) : limits_(limits) {}

bool RequestParser::fail(int status, std::string message) {
  phase_ = Phase::kFailed;
  error_status_ = status;
  error_message_ = std::move(message);
  line_.clear();
  request_.body.clear();
  request_.body.shrink_to_fit();
  return false;
}

std::size_t RequestParser::take_line(std::string_view data, std::size_t max, bool& complete) {
  complete = false;
  const auto newline = data.find('\n');
  const auto piece = data.substr(0, newline);
  // +1: a CR may end the piece before its LF arrives.
  if (line_.size() + piece.size() > max + 1) {
    line_overflow_ = true;
    return data.size();
  }
  line_.append(piece);
  if (newline == std::string_view::npos) return data.size();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (line_.size() > max) {
    line_overflow_ = true;
    return newline + 1;
  }
  complete = true;
  return newline + 1;
}

std::size_t RequestParser::header_budget() const {
  return header_bytes_ >= limits_.max_header_bytes ? 0 : limits_.max_header_bytes - header_bytes_;
}

bool RequestParser::expects_body() const {
  return phase_ == Phase::kBody;
}

std::size_t RequestParser::feed(std::string_view data) {
  std::size_t used = 0;
  while (used < data.size() && phase_ != Phase::kDone && phase_ != Phase::kFailed) {
    const std::string_view rest = data.substr(used);
    bool complete = false;
    switch (phase_) {
      case Phase::kIdle:
        // Blank lines before a request line are ignored (RFC 9112, 2.2).
        if (rest.front() == '\r' || rest.front() == '\n') {
          ++used;
        } else {
          phase_ = Phase::kRequestLine;
        }
        break;
      case Phase::kRequestLine:
        used += take_line(rest, limits_.max_request_line, complete);
        if (line_overflow_) {
          fail(414, "URI Too Long: the request line is longer than " +
                        std::to_string(limits_.max_request_line) + " bytes");
        } else if (complete && on_request_line(line_)) {
          line_.clear();
          phase_ = Phase::kHeaders;
        }
        break;
      case Phase::kHeaders: {
        used += take_line(rest, header_budget(), complete);
        if (line_overflow_) {
          fail(431, "Request Header Fields Too Large: the header fields are over " +
                        std::to_string(limits_.max_header_bytes) + " bytes");
          break;
        }
        if (!complete) break;
        header_bytes_ += line_.size() + 2;
        const std::string line = std::move(line_);
        line_.clear();
        if (line.empty()) {
          on_headers_done();
        } else {
          on_header_line(line, false);
        }
        break;
      }
      case Phase::kBody:
        switch (body_state_) {
          case BodyState::kLength: {
            const auto want = static_cast<std::size_t>(*content_length_) - request_.body.size();
            const auto n = std::min(want, rest.size());
            request_.body.append(rest.substr(0, n));
            used += n;
            if (request_.body.size() == *content_length_) phase_ = Phase::kDone;
            break;
          }
          case BodyState::kChunkSize:
            used += take_line(rest, kMaxChunkSizeLine, complete);
            if (line_overflow_) {
              fail(400, "Bad Request: a chunk-size line is longer than " +
                            std::to_string(kMaxChunkSizeLine) + " bytes");
            } else if (complete) {
              const std::string line = std::move(line_);
              line_.clear();
              on_chunk_size_line(line);
            }
            break;
          case BodyState::kChunkData: {
            const auto n = static_cast<std::size_t>(
                std::min<std::uint64_t>(chunk_left_, static_cast<std::uint64_t>(rest.size())));
            request_.body.append(rest.substr(0, n));
            used += n;
            chunk_left_ -= n;
            if (chunk_left_ == 0) body_state_ = BodyState::kChunkDataEnd;
            break;
          }
          case BodyState::kChunkDataEnd:
            used += take_line(rest, 0, complete);
            if (line_overflow_) {
              fail(400, "Bad Request: chunk data is not followed by CRLF");
            } else if (complete) {
              line_.clear();
              body_state_ = BodyState::kChunkSize;
            }
            break;
          case BodyState::kTrailers: {
            used += take_line(rest, header_budget(), complete);
            if (line_overflow_) {
              fail(431, "Request Header Fields Too Large: the header fields are over " +
                            std::to_string(limits_.max_header_bytes) + " bytes");
              break;
            }
            if (!complete) break;
            header_bytes_ += line_.size() + 2;
            const std::string line = std::move(line_);
            line_.clear();
            if (line.empty()) {
              phase_ = Phase::kDone;
            } else {
              on_header_line(line, true);
            }
            break;
          }
          case BodyState::kNone:
            phase_ = Phase::kDone;
            break;
        }
        break;
      case Phase::kDone:
      case Phase::kFailed:
        break;
    }
  }
  return used;
}

bool RequestParser::on_request_line(std::string_view line) {
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(400, "Bad Request: malformed HTTP request line");
  }
  const auto method = line.substr(0, sp1);
  const auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = line.substr(sp2 + 1);
  if (!is_token(method) || target.empty() || version.substr(0, 5) != "HTTP/") {
    return fail(400, "Bad Request: malformed HTTP request line");
  }
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    return fail(505, "HTTP Version Not Supported: only HTTP/1.1 and HTTP/1.0 are served");
  }
  std::string_view path = target.substr(0, target.find('?'));
  if (const auto scheme = path.find("://"); scheme != std::string_view::npos && path[0] != '/') {
    // Absolute form: the path starts after the authority.
    const auto slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  request_.method = std::string(method);
  request_.target = std::string(target);
  request_.path = std::string(path);
  request_.version = std::string(version);
  return true;
}

bool RequestParser::on_header_line(std::string_view line, bool trailer) {
  if (line.front() == ' ' || line.front() == '\t') {
    return fail(400, "Bad Request: obsolete header line folding is not accepted");
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    return fail(400, "Bad Request: malformed header line");
  }
  const auto value = trim(line.substr(colon + 1));
  if (value.find_first_of(std::string_view("\0\r", 2)) != std::string_view::npos) {
    return fail(400, "Bad Request: a header value holds a NUL or CR byte");
  }
  if (++header_count_ > limits_.max_header_count) {
    return fail(431, "Request Header Fields Too Large: more than " +
                         std::to_string(limits_.max_header_count) + " header fields");
  }
  // Trailer fields are counted against the limits and dropped: nothing here reads them.
  if (!trailer) request_.headers.emplace_back(std::string(line.substr(0, colon)), value);
  return true;
}

bool RequestParser::on_headers_done() {
  const std::string too_large =
      "Payload Too Large: the body limit is " + std::to_string(limits_.max_body_bytes) + " bytes";
  bool has_length = false;
  bool has_encoding = false;
  for (const auto& [name, value] : request_.headers) {
    if (iequals(name, "Transfer-Encoding")) {
      if (has_encoding || !iequals(value, "chunked")) {
        return fail(501, "Not Implemented: Transfer-Encoding '" + value +
                             "' (only a single 'chunked' is accepted)");
      }
      has_encoding = true;
    } else if (iequals(name, "Content-Length")) {
      std::uint64_t length = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (ec == std::errc::result_out_of_range) return fail(413, too_large);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
        return fail(400, "Bad Request: Content-Length '" + value + "' is not a number");
      }
      if (has_length && *content_length_ != length) {
        return fail(400, "Bad Request: conflicting Content-Length headers");
      }
      has_length = true;
      content_length_ = length;
    }
  }
  if (has_length && has_encoding) {
    return fail(400, "Bad Request: both Content-Length and Transfer-Encoding are set");
  }
  if (has_encoding && request_.version == "HTTP/1.0") {
    return fail(400, "Bad Request: Transfer-Encoding in an HTTP/1.0 request");
  }
  if (has_encoding) {
    chunked_ = true;
    phase_ = Phase::kBody;
    body_state_ = BodyState::kChunkSize;
    return true;
  }
  if (has_length && *content_length_ > limits_.max_body_bytes) return fail(413, too_large);
  if (!has_length || *content_length_ == 0) {
    phase_ = Phase::kDone;
    return true;
  }
  request_.body.reserve(static_cast<std::size_t>(*content_length_));
  phase_ = Phase::kBody;
  body_state_ = BodyState::kLength;
  return true;
}

bool RequestParser::on_chunk_size_line(std::string_view line) {
  const auto size_part = trim(line.substr(0, line.find(';')));  // chunk extensions ignored
  std::uint64_t size = 0;
  const auto [end, ec] =
      std::from_chars(size_part.data(), size_part.data() + size_part.size(), size, 16);
  const std::string too_large =
      "Payload Too Large: the body limit is " + std::to_string(limits_.max_body_bytes) + " bytes";
  if (ec == std::errc::result_out_of_range) return fail(413, too_large);
  if (size_part.empty() || ec != std::errc() || end != size_part.data() + size_part.size()) {
    return fail(400, "Bad Request: malformed chunk size");
  }
  if (size == 0) {
    body_state_ = BodyState::kTrailers;
    return true;
  }
  // Refused before a byte of the chunk is read: the limit holds for chunked bodies too.
  if (size > limits_.max_body_bytes - request_.body.size()) return fail(413, too_large);
  chunk_left_ = size;
  body_state_ = BodyState::kChunkData;
  return true;
}

Request RequestParser::take() {
  Request out = std::move(request_);
  request_ = Request{};
  phase_ = Phase::kIdle;
  body_state_ = BodyState::kNone;
  line_.clear();
  line_overflow_ = false;
  header_bytes_ = 0;
  header_count_ = 0;
  content_length_.reset();
  chunked_ = false;
  chunk_left_ = 0;
  return out;
}

}  // namespace evo::mcp::transport::http
