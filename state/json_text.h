// Direct JSON text writers for the large, regular records (snapshot lines, the Selected event):
// they append what nlohmann would write, without building a json tree first. The text they
// write parses back to the same values (tests compare it with nlohmann's).
#pragma once

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "policy/rules.h"
#include "state/json_codec.h"

namespace evo::state::json_text {

// Writers of JSON text. Strings that need no escaping (the common case: branches,
// ids, paths, hashes) are copied as they are; anything else goes through nlohmann, which
// escapes and checks UTF-8 exactly as a dump of the whole state would.
inline void put_value(std::string& out, const std::string& v) {
  const bool plain = std::all_of(v.begin(), v.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x80 && c != '"' && c != '\\';
  });
  if (!plain) {
    out += nlohmann::json(v).dump();
    return;
  }
  out += '"';
  out += v;
  out += '"';
}
template <typename T>
std::enable_if_t<std::is_integral_v<T> || std::is_floating_point_v<T>> put_value(std::string& out,
                                                                                 T v) {
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else {
    char buf[32];
    // Shortest text that reads back to the same value (doubles included).
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
    if constexpr (std::is_floating_point_v<T>) {
      // As nlohmann writes them: 20.0 stays a float, and -0.0 keeps its sign.
      if (std::find_if(buf, res.ptr, [](char c) { return c == '.' || c == 'e'; }) == res.ptr) {
        out += ".0";
      }
    }
  }
}
template <typename T>
std::enable_if_t<std::is_enum_v<T>> put_value(std::string& out, T v) {
  out += nlohmann::json(v).dump();  // the protocol spelling of the enum
}
inline void put_value(std::string& out, const std::optional<std::uint64_t>& v) {
  if (v) {
    put_value(out, *v);
  } else {
    out += "null";
  }
}
inline void put_value(std::string& out, const std::vector<policy::Finding>& v) {
  out += nlohmann::json(v).dump();
}
template <typename A, typename B>
void put_value(std::string& out, const std::pair<A, B>& v) {
  out += '[';
  put_value(out, v.first);
  out += ',';
  put_value(out, v.second);
  out += ']';
}
template <typename T>
void put_value(std::string& out, const std::vector<T>& v) {
  out += '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ',';
    put_value(out, v[i]);
  }
  out += ']';
}

// Writes one JSON object's members in order: field() for a value, key() before a value the
// caller writes itself, close() at the end.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) {}
  void key(const char* name) {
    out_ += first_ ? '{' : ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  template <typename T>
  void field(const char* name, const T& value) {
    key(name);
    put_value(out_, value);
  }
  void close() { out_ += first_ ? "{}" : "}"; }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace evo::state::json_text
