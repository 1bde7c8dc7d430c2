// JSON-RPC 2.0 envelope parsing and serialization. This file is the parsing edge: nlohmann's
// exceptions are caught here and nowhere else in the protocol layer.
#include "mcp/jsonrpc.h"

#include <limits>
#include <utility>

namespace evo::mcp::jsonrpc {
namespace {

using nlohmann::json;

ParseFailure failure(int code, std::string message, std::optional<RequestId> id = std::nullopt) {
  return ParseFailure{Error{code, std::move(message), std::nullopt}, std::move(id), true};
}

// Bracket depth outside strings. Cheap, and it keeps a hostile "[[[[..." from reaching code that
// recurses once per level.
bool nesting_within(std::string_view raw, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : raw) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

// The top-level "id" of a message too deeply nested to parse, so its refusal can still name
// it. Scans the outermost object's members without building anything: only a string or
// integer value (the shapes an id can have) is parsed, and only if "method" is a member too
// (a response is never answered with its own id). The last "id" member wins, as in the parser.
std::optional<RequestId> top_level_request_id(std::string_view raw) {
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < raw.size() &&
           (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r')) {
      ++i;
    }
  };
  // [i] is '"': returns the string token with its quotes and moves past it.
  const auto string_token = [&]() -> std::optional<std::string_view> {
    const std::size_t start = i++;
    for (bool escaped = false; i < raw.size(); ++i) {
      if (escaped) {
        escaped = false;
      } else if (raw[i] == '\\') {
        escaped = true;
      } else if (raw[i] == '"') {
        ++i;
        return raw.substr(start, i - start);
      }
    }
    return std::nullopt;
  };
  const auto decode = [](std::string_view token) -> std::optional<json> {
    json value = json::parse(token.begin(), token.end(), nullptr, false);
    if (value.is_discarded()) return std::nullopt;
    return value;
  };
  skip_space();
  if (i >= raw.size() || raw[i] != '{') return std::nullopt;
  ++i;
  std::optional<RequestId> id;
  bool has_method = false;
  while (true) {
    skip_space();
    if (i >= raw.size() || raw[i] != '"') return std::nullopt;
    const auto key_token = string_token();
    if (!key_token) return std::nullopt;
    const auto key = decode(*key_token);
    if (!key || !key->is_string()) return std::nullopt;
    skip_space();
    if (i >= raw.size() || raw[i] != ':') return std::nullopt;
    ++i;
    skip_space();
    if (i >= raw.size()) return std::nullopt;
    const bool is_id = key->get_ref<const std::string&>() == "id";
    if (*key == "method") has_method = true;
    // Skip the value: a string, a scalar, or a nested value (strings inside it honoured).
    const std::size_t value_start = i;
    if (raw[i] == '"') {
      if (!string_token()) return std::nullopt;
    } else if (raw[i] == '{' || raw[i] == '[') {
      int depth = 0;
      for (bool in_string = false, escaped = false; i < raw.size(); ++i) {
        const char c = raw[i];
        if (in_string) {
          if (escaped) {
            escaped = false;
          } else if (c == '\\') {
            escaped = true;
          } else if (c == '"') {
            in_string = false;
          }
        } else if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
          ++i;
          break;
        }
      }
      if (depth != 0) return std::nullopt;
    } else {
      while (i < raw.size() && raw[i] != ',' && raw[i] != '}' && raw[i] != ' ' && raw[i] != '\t' &&
             raw[i] != '\n' && raw[i] != '\r') {
        ++i;
      }
    }
    if (is_id) {
      // A nested id is no id, and decoding it could recurse as deep as it goes.
      const bool nested = raw[value_start] == '{' || raw[value_start] == '[';
      const auto value = nested ? std::nullopt : decode(raw.substr(value_start, i - value_start));
      id = value ? id_from_json(*value) : std::nullopt;
    }
    skip_space();
    if (i >= raw.size()) return std::nullopt;
    if (raw[i] == '}') break;
    if (raw[i] != ',') return std::nullopt;
    ++i;
  }
  return has_method ? id : std::nullopt;
}

const char* type_name(const json& j) {
  return j.type_name();
}

ParseResult parse_response(const json& j, bool has_id, const json* id_field) {
  // Malformed responses are dropped, not answered: see ParseFailure::reply.
  auto drop = [](std::string message) {
    ParseFailure f{Error{kInvalidRequest, std::move(message), std::nullopt}, std::nullopt, false};
    return ParseResult{std::move(f)};
  };
  const bool has_result = j.contains("result");
  const bool has_error = j.contains("error");
  if (has_result == has_error) {
    return drop("response must carry exactly one of 'result' and 'error'");
  }
  if (!has_id) return drop("response without 'id'");
  Response r;
  if (!id_field->is_null()) {
    r.id = id_from_json(*id_field);
    if (!r.id) return drop("response with an invalid 'id'");
  } else if (has_result) {
    return drop("a result response needs a non-null 'id'");
  }
  if (has_result) {
    r.outcome = j.at("result");
    return Message{std::move(r)};
  }
  const json& e = j.at("error");
  if (!e.is_object()) return drop("'error' must be an object");
  const auto code = e.find("code");
  const auto message = e.find("message");
  if (code == e.end() || !code->is_number_integer() || message == e.end() ||
      !message->is_string()) {
    return drop("'error' needs an integer 'code' and a string 'message'");
  }
  const auto code_value = code->get<std::int64_t>();
  if (code_value < std::numeric_limits<int>::min() ||
      code_value > std::numeric_limits<int>::max()) {
    return drop("'error.code' is out of range");
  }
  Error err{static_cast<int>(code_value), message->get<std::string>(), std::nullopt};
  if (const auto data = e.find("data"); data != e.end()) err.data = *data;
  r.outcome = std::move(err);
  return Message{std::move(r)};
}

}  // namespace

json id_to_json(const RequestId& id) {
  return std::visit([](const auto& v) { return json(v); }, id);
}

std::string id_to_string(const RequestId& id) {
  if (const auto* i = std::get_if<std::int64_t>(&id)) return std::to_string(*i);
  return dump_compact(json(std::get<std::string>(id)));
}

std::optional<RequestId> id_from_json(const json& j) {
  if (j.is_string()) return RequestId{j.get<std::string>()};
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return RequestId{static_cast<std::int64_t>(u)};
  }
  if (j.is_number_integer()) return RequestId{j.get<std::int64_t>()};
  return std::nullopt;
}

ParseResult message_from_json(json j) {
  if (j.is_array()) {
    return failure(kInvalidRequest,
                   "Invalid Request: batch arrays are not supported (MCP 2025-06-18 and later)");
  }
  if (!j.is_object()) {
    return failure(kInvalidRequest,
                   std::string("Invalid Request: expected a JSON object, got ") + type_name(j));
  }

  // Read the id first so that envelope errors can still be answered with the caller's id.
  const auto id_it = j.find("id");
  const bool has_id = id_it != j.end();
  std::optional<RequestId> id;
  if (has_id) id = id_from_json(*id_it);

  const auto method_it = j.find("method");
  const bool is_response = method_it == j.end() && (j.contains("result") || j.contains("error"));

  const auto version = j.find("jsonrpc");
  if (version == j.end() || !version->is_string() ||
      version->get_ref<const std::string&>() != "2.0") {
    if (is_response) {
      return ParseFailure{Error{kInvalidRequest, "response without jsonrpc \"2.0\"", std::nullopt},
                          std::nullopt, false};
    }
    return failure(kInvalidRequest, "Invalid Request: 'jsonrpc' must be the string \"2.0\"", id);
  }

  if (is_response) return parse_response(j, has_id, has_id ? &*id_it : nullptr);

  if (method_it == j.end()) {
    return failure(kInvalidRequest, "Invalid Request: missing 'method'", id);
  }
  if (!method_it->is_string()) {
    return failure(kInvalidRequest, "Invalid Request: 'method' must be a string", id);
  }
  if (has_id && !id) {
    if (id_it->is_null()) {
      return failure(kInvalidRequest, "Invalid Request: 'id' must not be null");
    }
    return failure(
        kInvalidRequest,
        std::string("Invalid Request: 'id' must be a string or an integer, got ") +
            (id_it->is_number_integer() ? "an integer out of range" : type_name(*id_it)));
  }

  std::optional<json> params;
  if (const auto p = j.find("params"); p != j.end() && !p->is_null()) {
    // Lenient on `"params": null` (some clients send it); strict on scalars.
    if (!p->is_object() && !p->is_array()) {
      return failure(kInvalidRequest, "Invalid Request: 'params' must be an object or an array",
                     id);
    }
    params = std::move(*p);  // j is ours: the params are moved, not copied
  }
  auto method = method_it->get<std::string>();
  if (id) return Message{Request{std::move(*id), std::move(method), std::move(params)}};
  return Message{Notification{std::move(method), std::move(params)}};
}

ParseResult parse_message(std::string_view raw, std::size_t max_bytes) {
  if (raw.size() > max_bytes) return ParseFailure{oversize_error(max_bytes), std::nullopt, true};
  if (!nesting_within(raw, kMaxNestingDepth)) {
    return failure(
        kInvalidRequest,
        "Invalid Request: JSON nested deeper than " + std::to_string(kMaxNestingDepth) + " levels",
        top_level_request_id(raw));
  }
  json j;
  try {
    j = json::parse(raw.begin(), raw.end());
  } catch (const json::exception& e) {
    return failure(kParseError, std::string("Parse error: ") + e.what());
  }
  return message_from_json(std::move(j));
}

json to_json(Request r) {
  json j{{"jsonrpc", "2.0"}, {"id", id_to_json(r.id)}, {"method", std::move(r.method)}};
  if (r.params) j["params"] = std::move(*r.params);
  return j;
}

json to_json(Notification n) {
  json j{{"jsonrpc", "2.0"}, {"method", std::move(n.method)}};
  if (n.params) j["params"] = std::move(*n.params);
  return j;
}

json to_json(const Error& e) {
  json j{{"code", e.code}, {"message", e.message}};
  if (e.data) j["data"] = *e.data;
  return j;
}

json to_json(Response r) {
  json j{{"jsonrpc", "2.0"}, {"id", r.id ? id_to_json(*r.id) : json(nullptr)}};
  if (auto* result = std::get_if<json>(&r.outcome)) {
    j["result"] = std::move(*result);
  } else {
    j["error"] = to_json(std::get<Error>(r.outcome));
  }
  return j;
}

json to_json(const Message& m) {
  return std::visit([](const auto& v) { return to_json(v); }, m);
}

Response make_result(RequestId id, json result) {
  return Response{std::move(id), std::move(result)};
}

Response make_error(std::optional<RequestId> id, int code, std::string message) {
  return Response{std::move(id), Error{code, std::move(message), std::nullopt}};
}

Response make_error(std::optional<RequestId> id, Error error) {
  return Response{std::move(id), std::move(error)};
}

Error oversize_error(std::size_t limit) {
  return Error{kInvalidRequest,
               "Invalid Request: message exceeds the " + std::to_string(limit) + "-byte limit",
               std::nullopt};
}

std::string dump_compact(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace evo::mcp::jsonrpc
