// One field table per wire type. A Shape<T> binds each JSON member to a member of T, and from that
// one table come the three things that used to be written by hand and drift apart: the JSON a
// tool sends (write), the parsing of it back into T with path-named errors (read: the CLI, the
// demo and the tests consume typed values), and the exact JSON Schema the tool advertises as its
// outputSchema (every property typed, the always-present ones required, nothing else allowed).
//
// How a member type is written, read and described is its Codec<T>: scalars, enums (by their
// name arrays, so the schema's `enum` and the writer share one spelling), vectors, string-keyed
// maps, std::optional (null when empty), and every type that has a Shape.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"

namespace evo::wire {

using nlohmann::json;

// "<path>: <problem>", with details.field = path.
Error wire_error(const std::string& path, const std::string& problem);

// A type with a field table declares it with EVO_WIRE_SHAPE(T) (wire/replies.h) and defines
// ShapeOf<T>::get() once.
template <typename T>
class Shape;
template <typename T>
struct ShapeOf;
template <typename T>
struct HasShape : std::false_type {};

template <typename T, typename Enable = void>
struct Codec;

template <>
struct Codec<std::string> {
  static json write(const std::string& v) { return v; }
  static Status read(const json& j, const std::string& path, std::string& out);
  static json schema() { return {{"type", "string"}}; }
};
template <>
struct Codec<bool> {
  static json write(bool v) { return v; }
  static Status read(const json& j, const std::string& path, bool& out);
  static json schema() { return {{"type", "boolean"}}; }
};
template <>
struct Codec<int> {
  static json write(int v) { return v; }
  static Status read(const json& j, const std::string& path, int& out);
  static json schema() { return {{"type", "integer"}}; }
};
template <>
struct Codec<std::int64_t> {
  static json write(std::int64_t v) { return v; }
  static Status read(const json& j, const std::string& path, std::int64_t& out);
  static json schema() { return {{"type", "integer"}}; }
};
template <>
struct Codec<std::uint64_t> {
  static json write(std::uint64_t v) { return v; }
  static Status read(const json& j, const std::string& path, std::uint64_t& out);
  static json schema() { return {{"type", "integer"}, {"minimum", 0}}; }
};
template <>
struct Codec<double> {
  static json write(double v) { return v; }
  static Status read(const json& j, const std::string& path, double& out);
  static json schema() { return {{"type", "number"}}; }
};

// An enum spelled by a name array in enum order (kOperationNames, kRunPhaseNames, ...).
template <typename E, std::size_t N, const std::array<std::string_view, N>& Names>
struct EnumCodec {
  static json write(E v) { return std::string(Names[static_cast<std::size_t>(v)]); }
  static Status read(const json& j, const std::string& path, E& out) {
    if (j.is_string()) {
      const auto& text = j.get_ref<const std::string&>();
      for (std::size_t i = 0; i < N; ++i) {
        if (Names[i] == text) {
          out = static_cast<E>(i);
          return {};
        }
      }
    }
    std::string list;
    for (auto name : Names) list += (list.empty() ? "" : ", ") + std::string(name);
    return wire_error(path, "must be one of " + list);
  }
  static json schema() {
    json names = json::array();
    for (auto name : Names) names.push_back(std::string(name));
    return {{"type", "string"}, {"enum", std::move(names)}};
  }
};

template <typename U>
struct Codec<std::vector<U>> {
  static json write(const std::vector<U>& v) {
    json out = json::array();
    for (const auto& x : v) out.push_back(Codec<U>::write(x));
    return out;
  }
  static Status read(const json& j, const std::string& path, std::vector<U>& out) {
    if (!j.is_array()) return wire_error(path, "must be an array");
    out.clear();
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      U item{};
      EVO_TRY(Codec<U>::read(j[i], path + "[" + std::to_string(i) + "]", item));
      out.push_back(std::move(item));
    }
    return {};
  }
  static json schema() { return {{"type", "array"}, {"items", Codec<U>::schema()}}; }
};

template <typename U>
struct Codec<std::map<std::string, U>> {
  static json write(const std::map<std::string, U>& m) {
    json out = json::object();
    for (const auto& [k, v] : m) out[k] = Codec<U>::write(v);
    return out;
  }
  static Status read(const json& j, const std::string& path, std::map<std::string, U>& out) {
    if (!j.is_object()) return wire_error(path, "must be an object");
    out.clear();
    for (const auto& [k, v] : j.items()) {
      U item{};
      EVO_TRY(Codec<U>::read(v, path + "." + k, item));
      out.emplace(k, std::move(item));
    }
    return {};
  }
  static json schema() {
    return {{"type", "object"}, {"additionalProperties", Codec<U>::schema()}};
  }
};

// Nullable: null when empty.
template <typename U>
struct Codec<std::optional<U>> {
  static json write(const std::optional<U>& v) { return v ? Codec<U>::write(*v) : json(nullptr); }
  static Status read(const json& j, const std::string& path, std::optional<U>& out) {
    if (j.is_null()) {
      out.reset();
      return {};
    }
    U value{};
    EVO_TRY(Codec<U>::read(j, path, value));
    out = std::move(value);
    return {};
  }
  static json schema() { return {{"anyOf", {Codec<U>::schema(), {{"type", "null"}}}}}; }
};

// One of several shapes: written as the one it holds, read as the first that accepts it.
template <typename... U>
struct Codec<std::variant<U...>> {
  static json write(const std::variant<U...>& v) {
    return std::visit([](const auto& x) { return Codec<std::decay_t<decltype(x)>>::write(x); }, v);
  }
  static Status read(const json& j, const std::string& path, std::variant<U...>& out) {
    std::optional<Error> first;
    const bool found = (try_read<U>(j, path, out, first) || ...);
    if (found) return {};
    return *first;
  }
  static json schema() { return {{"anyOf", {Codec<U>::schema()...}}}; }

 private:
  template <typename A>
  static bool try_read(const json& j, const std::string& path, std::variant<U...>& out,
                       std::optional<Error>& first) {
    A value{};
    auto st = Codec<A>::read(j, path, value);
    if (!st.ok()) {
      if (!first) first = st.error();
      return false;
    }
    out = std::move(value);
    return true;
  }
};

template <typename T>
struct Codec<T, std::enable_if_t<HasShape<T>::value>> {
  static json write(const T& v) { return ShapeOf<T>::get().write(v); }
  static Status read(const json& j, const std::string& path, T& out) {
    return ShapeOf<T>::get().read(j, path, out);
  }
  static json schema() { return ShapeOf<T>::get().schema(); }
};

template <typename T>
class Shape {
 public:
  // Always sent; a std::optional member is sent as null when empty.
  template <typename U, typename C>
  Shape& field(std::string name, U C::*member, std::string description = {}) {
    static_assert(std::is_base_of_v<C, T>, "member of another struct");
    return add(
        std::move(name), Codec<U>::schema(), std::move(description), true,
        [member](const T& v, json& out, const std::string& key) {
          out[key] = Codec<U>::write(v.*member);
        },
        [member](const json& j, const std::string& path, T& out) -> Status {
          return Codec<U>::read(j, path, out.*member);
        });
  }

  // Sent only when set: absent, not null, when the member is empty.
  template <typename U, typename C>
  Shape& omittable(std::string name, std::optional<U> C::*member, std::string description = {}) {
    static_assert(std::is_base_of_v<C, T>, "member of another struct");
    return add(
        std::move(name), Codec<U>::schema(), std::move(description), false,
        [member](const T& v, json& out, const std::string& key) {
          if (const auto& m = v.*member) out[key] = Codec<U>::write(*m);
        },
        [member](const json& j, const std::string& path, T& out) -> Status {
          U value{};
          EVO_TRY(Codec<U>::read(j, path, value));
          out.*member = std::move(value);
          return {};
        });
  }

  // Always sent with this value ("action": "dispatch_workers"); read back, it must match.
  Shape& constant(std::string name, json value, std::string description = {}) {
    json schema{{"const", value}};
    return add(
        std::move(name), std::move(schema), std::move(description), true,
        [value](const T&, json& out, const std::string& key) { out[key] = value; },
        [value](const json& j, const std::string& path, T&) -> Status {
          if (j != value) return wire_error(path, "must be " + value.dump());
          return {};
        });
  }

  json write(const T& v) const {
    json out = json::object();
    for (const auto& f : fields_) f.write(v, out, f.name);
    return out;
  }

  // Reads an object of this shape: every required member present, no unknown member.
  Status read(const json& j, const std::string& path, T& out) const {
    if (!j.is_object()) return wire_error(path.empty() ? "reply" : path, "must be an object");
    const std::string prefix = path.empty() ? "" : path + ".";
    for (const auto& f : fields_) {
      const auto it = j.find(f.name);
      if (it == j.end()) {
        if (f.required) return wire_error(prefix + f.name, "is missing");
        continue;
      }
      EVO_TRY(f.read(*it, prefix + f.name, out));
    }
    for (const auto& [key, value] : j.items()) {
      (void)value;
      if (!has(key)) return wire_error(prefix + key, "is not a member of this reply");
    }
    return {};
  }
  Result<T> read(const json& j) const {
    T out{};
    EVO_TRY(read(j, "", out));
    return out;
  }

  // {type: object, properties, required, additionalProperties: false}.
  json schema() const {
    json properties = json::object();
    json required = json::array();
    for (const auto& f : fields_) {
      properties[f.name] = f.schema;
      if (f.required) required.push_back(f.name);
    }
    return {{"type", "object"},
            {"properties", std::move(properties)},
            {"required", std::move(required)},
            {"additionalProperties", false}};
  }

  bool has(const std::string& name) const {
    for (const auto& f : fields_) {
      if (f.name == name) return true;
    }
    return false;
  }

 private:
  using Writer = std::function<void(const T&, json&, const std::string&)>;
  using Reader = std::function<Status(const json&, const std::string&, T&)>;
  struct Field {
    std::string name;
    json schema;
    bool required = false;
    Writer write;
    Reader read;
  };
  Shape& add(std::string name, json schema, std::string description, bool required, Writer w,
             Reader r) {
    if (!description.empty()) schema["description"] = std::move(description);
    fields_.push_back({std::move(name), std::move(schema), required, std::move(w), std::move(r)});
    return *this;
  }
  std::vector<Field> fields_;
};

// Declares that T has a field table; define `const Shape<T>& ShapeOf<T>::get()` once.
#define EVO_WIRE_SHAPE(T)                 \
  template <>                             \
  struct HasShape<T> : std::true_type {}; \
  template <>                             \
  struct ShapeOf<T> {                     \
    static const Shape<T>& get();         \
  }

template <typename T>
json to_json(const T& v) {
  return Codec<T>::write(v);
}
template <typename T>
Result<T> from_json(const json& j) {
  T out{};
  EVO_TRY(Codec<T>::read(j, "reply", out));
  return out;
}
template <typename T>
json schema_of() {
  return Codec<T>::schema();
}

}  // namespace evo::wire
