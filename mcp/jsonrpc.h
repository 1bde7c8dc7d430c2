// JSON-RPC 2.0 message model as MCP uses it: types that cannot hold an invalid message, a parser
// that never throws, and the one place where wire error codes are defined.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace evo::mcp::jsonrpc {

// JSON-RPC 2.0 reserved error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

// A line longer than this is refused before it is parsed, so one client cannot make the server
// buffer or parse unbounded data.
inline constexpr std::size_t kDefaultMaxMessageBytes = std::size_t{8} << 20;
// Deeper nesting is refused before parsing: dump(), copies and schema validation all recurse.
inline constexpr int kMaxNestingDepth = 128;

// MCP request ids are strings or integers, never null. A *missing* id (a notification) is
// modelled by the message type, never by this variant.
using RequestId = std::variant<std::int64_t, std::string>;

nlohmann::json id_to_json(const RequestId& id);
// For logs and error messages: integers bare, strings quoted.
std::string id_to_string(const RequestId& id);
// Accepts an integer in int64 range or a string; anything else (null included) is nullopt.
std::optional<RequestId> id_from_json(const nlohmann::json& j);

struct Error {
  int code = kInternalError;
  std::string message;
  std::optional<nlohmann::json> data;
};

struct Request {
  RequestId id;
  std::string method;
  std::optional<nlohmann::json> params;  // object or array when present
};

struct Notification {
  std::string method;
  std::optional<nlohmann::json> params;
};

struct Response {
  // nullopt is the wire's `"id": null`, used only to answer a request whose id could not be read.
  std::optional<RequestId> id;
  std::variant<nlohmann::json, Error> outcome;  // result or error: never both, never neither

  bool is_error() const { return outcome.index() == 1; }
};

using Message = std::variant<Request, Notification, Response>;

// Why a line is not a valid message, and how to answer it. `id` is set when the offending
// message carried a readable id; otherwise the reply goes out with `"id": null`.
struct ParseFailure {
  Error error;
  std::optional<RequestId> id;
  // False for malformed *responses*: answering a response could start a loop, so they are only
  // logged.
  bool reply = true;
};

using ParseResult = std::variant<Message, ParseFailure>;

// Parses one raw message. Never throws. Oversized input (> max_bytes), invalid JSON, deep
// nesting, batches (arrays; not supported since MCP 2025-06-18) and malformed envelopes all come
// back as a ParseFailure with the proper code.
ParseResult parse_message(std::string_view raw, std::size_t max_bytes = kDefaultMaxMessageBytes);
// The envelope checks alone, for input that is already JSON (taken by value: a caller done with
// it can move it in, and its params are moved on rather than copied).
ParseResult message_from_json(nlohmann::json j);

// By value, so a message built for sending moves its params or result into the JSON.
nlohmann::json to_json(Request r);
nlohmann::json to_json(Notification n);
nlohmann::json to_json(Response r);
nlohmann::json to_json(const Message& m);
nlohmann::json to_json(const Error& e);

Response make_result(RequestId id, nlohmann::json result);
Response make_error(std::optional<RequestId> id, int code, std::string message);
Response make_error(std::optional<RequestId> id, Error error);
Error oversize_error(std::size_t limit);

// Compact, single-line serialization that cannot throw on invalid UTF-8 (bad bytes become
// U+FFFD). Every message that goes on the wire, and every text block mirroring JSON, uses it.
std::string dump_compact(const nlohmann::json& j);

}  // namespace evo::mcp::jsonrpc
