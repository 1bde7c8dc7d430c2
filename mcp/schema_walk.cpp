// Schema walking shared by validation messages and the regex guard. The guard exists because
// libstdc++'s std::regex recurses once per character: a long string checked against a pattern
// would overflow the stack, so such strings are refused before valijson runs.
#include "mcp/schema_walk.h"

// std::regex trips GCC 12's -Wmaybe-uninitialized inside std::function under -fsanitize; the
// warning is about library code, not ours.
#pragma GCC diagnostic push
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <regex>
#pragma GCC diagnostic pop

#include "core/strings.h"
#include "mcp/jsonrpc.h"
#include "mcp/schema_validator.h"

namespace evo::mcp::schema_walk {
namespace {

constexpr int kMaxRefHops = 32;
// Visits of the regex guard before it gives up on following the schema and falls back to
// refusing every long string.
constexpr int kGuardBudget = 100000;

}  // namespace

using nlohmann::json;

std::string format_path(const Path& path) {
  std::string out;
  for (const auto& seg : path) {
    if (const auto* key = std::get_if<std::string>(&seg)) {
      if (!out.empty()) out += '.';
      out += *key;
    } else {
      out += '[' + std::to_string(std::get<std::size_t>(seg)) + ']';
    }
  }
  return out;
}

std::string subject(std::string_view noun, const Path& path) {
  if (path.empty()) return std::string(noun) + "s";
  return std::string(noun) + " '" + format_path(path) + "'";
}

std::string show_value(const json& v) {
  return v.is_string() ? v.get<std::string>() : jsonrpc::dump_compact(v);
}

// Follows local "$ref": "#/..." pointers. Schemas are ours, but a typo must not throw.
const json* resolve(const json& root, const json* node) {
  for (int hops = 0; node != nullptr && node->is_object() && hops < kMaxRefHops; ++hops) {
    if (!node->contains("$ref")) return node;
    const json& ref = node->at("$ref");
    if (!ref.is_string()) return node;
    const std::string target = ref.get<std::string>();
    if (target.empty() || target[0] != '#') return nullptr;
    try {
      const json::json_pointer pointer(target.substr(1));
      if (!root.contains(pointer)) return nullptr;
      node = &root.at(pointer);
    } catch (const json::exception&) {
      return nullptr;
    }
  }
  return node;
}

const json* member(const json* node, const char* key) {
  if (node == nullptr || !node->is_object()) return nullptr;
  const auto it = node->find(key);
  return it == node->end() ? nullptr : &*it;
}

// The subschema that governs `path`, when it can be found without guessing (no anyOf etc.).
const json* schema_at(const json& root, const Path& path) {
  const json* node = resolve(root, &root);
  for (const auto& seg : path) {
    if (const auto* key = std::get_if<std::string>(&seg)) {
      const json* props = member(node, "properties");
      const json* extra = member(node, "additionalProperties");
      if (props != nullptr && props->is_object() && props->contains(*key)) {
        node = &props->at(*key);
      } else if (extra != nullptr && extra->is_object()) {
        node = extra;
      } else {
        return nullptr;
      }
    } else {
      const auto index = std::get<std::size_t>(seg);
      const json* items = member(node, "items");
      const json* extra = member(node, "additionalItems");
      if (items != nullptr && items->is_object()) {
        node = items;
      } else if (items != nullptr && items->is_array() && index < items->size()) {
        node = &items->at(index);
      } else if (extra != nullptr && extra->is_object()) {
        node = extra;
      } else {
        return nullptr;
      }
    }
    node = resolve(root, node);
  }
  return node;
}

std::string allowed_names(const json* node) {
  const json* props = member(node, "properties");
  if (props == nullptr || !props->is_object() || props->empty()) return "none";
  std::vector<std::string> names;
  for (const auto& [name, unused] : props->items()) names.push_back(name);
  return join(names, ", ");
}

// The first pattern std::regex refuses, if any.
std::optional<std::string> bad_pattern(const json& node) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      std::vector<std::string> patterns;
      if (key == "pattern" && value.is_string()) patterns.push_back(value.get<std::string>());
      if (key == "patternProperties" && value.is_object()) {
        for (const auto& [p, unused] : value.items()) patterns.push_back(p);
      }
      for (const auto& p : patterns) {
        try {
          const std::regex compiled(p);
        } catch (const std::regex_error& e) {
          return "pattern '" + p + "' does not compile: " + e.what();
        }
      }
      if (auto bad = bad_pattern(value)) return bad;
    }
  } else if (node.is_array()) {
    for (const auto& v : node) {
      if (auto bad = bad_pattern(v)) return bad;
    }
  }
  return std::nullopt;
}

bool uses_regex(const json& node) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "pattern" || key == "format" || key == "patternProperties" ||
          key == "propertyNames") {
        return true;
      }
      if (uses_regex(value)) return true;
    }
  } else if (node.is_array()) {
    for (const auto& v : node) {
      if (uses_regex(v)) return true;
    }
  }
  return false;
}

namespace {

// Finds a string too long for std::regex at a position some regex keyword may check. Follows
// every subschema that can apply at a position (conservatively: all patternProperties).
class RegexGuard {
 public:
  RegexGuard(const json& root, std::string_view noun) : root_(root), noun_(noun) {}

  std::optional<std::string> run(const json& instance) {
    Path path;
    auto found = visit(&root_, instance, path);
    if (budget_ < 0) return any_long_string(instance, path);
    return found;
  }

 private:
  std::optional<std::string> too_long(const Path& path, std::size_t size) const {
    return subject(noun_, path) + ": is " + std::to_string(size) + " characters long; at most " +
           std::to_string(kMaxRegexSubjectLength) +
           " are allowed where a pattern or format applies";
  }

  std::optional<std::string> any_long_string(const json& v, Path& path) const {
    if (v.is_string() && v.get_ref<const std::string&>().size() > kMaxRegexSubjectLength) {
      return too_long(path, v.get_ref<const std::string&>().size());
    }
    if (v.is_object()) {
      for (const auto& [key, child] : v.items()) {
        path.emplace_back(key);
        if (key.size() > kMaxRegexSubjectLength) return too_long(path, key.size());
        if (auto r = any_long_string(child, path)) return r;
        path.pop_back();
      }
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        path.emplace_back(i);
        if (auto r = any_long_string(v.at(i), path)) return r;
        path.pop_back();
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> visit(const json* raw_node, const json& v, Path& path) {
    if (--budget_ < 0) return std::nullopt;
    const json* node = resolve(root_, raw_node);
    if (node == nullptr || !node->is_object()) return std::nullopt;

    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      if (const json* list = member(node, key); list != nullptr && list->is_array()) {
        for (const auto& sub : *list) {
          if (auto r = visit(&sub, v, path)) return r;
        }
      }
    }
    for (const char* key : {"not", "if", "then", "else"}) {
      if (const json* sub = member(node, key)) {
        if (auto r = visit(sub, v, path)) return r;
      }
    }
    for (const char* key : {"dependencies", "dependentSchemas"}) {
      if (const json* deps = member(node, key); deps != nullptr && deps->is_object()) {
        for (const auto& [unused, sub] : deps->items()) {
          if (auto r = visit(&sub, v, path)) return r;
        }
      }
    }

    if (v.is_string()) {
      const auto size = v.get_ref<const std::string&>().size();
      if (size > kMaxRegexSubjectLength && (member(node, "pattern") || member(node, "format"))) {
        return too_long(path, size);
      }
    } else if (v.is_object()) {
      return visit_object(node, v, path);
    } else if (v.is_array()) {
      return visit_array(node, v, path);
    }
    return std::nullopt;
  }

  std::optional<std::string> visit_object(const json* node, const json& v, Path& path) {
    const json* props = member(node, "properties");
    const json* patterns = member(node, "patternProperties");
    const json* extra = member(node, "additionalProperties");
    const bool keys_checked = patterns != nullptr || member(node, "propertyNames") != nullptr;
    for (const auto& [key, child] : v.items()) {
      path.emplace_back(key);
      if (keys_checked && key.size() > kMaxRegexSubjectLength) return too_long(path, key.size());
      if (props != nullptr && props->is_object()) {
        if (const auto it = props->find(key); it != props->end()) {
          if (auto r = visit(&*it, child, path)) return r;
        }
      }
      if (patterns != nullptr && patterns->is_object()) {
        for (const auto& [unused, sub] : patterns->items()) {
          if (auto r = visit(&sub, child, path)) return r;
        }
      }
      if (extra != nullptr && extra->is_object()) {
        if (auto r = visit(extra, child, path)) return r;
      }
      path.pop_back();
    }
    return std::nullopt;
  }

  std::optional<std::string> visit_array(const json* node, const json& v, Path& path) {
    const json* items = member(node, "items");
    const json* extra = member(node, "additionalItems");
    const json* contains = member(node, "contains");
    for (std::size_t i = 0; i < v.size(); ++i) {
      path.emplace_back(i);
      const json& child = v.at(i);
      if (items != nullptr && items->is_object()) {
        if (auto r = visit(items, child, path)) return r;
      } else if (items != nullptr && items->is_array() && i < items->size()) {
        if (auto r = visit(&items->at(i), child, path)) return r;
      } else if (extra != nullptr) {
        if (auto r = visit(extra, child, path)) return r;
      }
      if (contains != nullptr) {
        if (auto r = visit(contains, child, path)) return r;
      }
      path.pop_back();
    }
    return std::nullopt;
  }

  const json& root_;
  std::string_view noun_;
  int budget_ = kGuardBudget;
};

}  // namespace

std::optional<std::string> find_overlong_regex_subject(const json& schema, const json& instance,
                                                       std::string_view noun) {
  return RegexGuard(schema, noun).run(instance);
}

}  // namespace evo::mcp::schema_walk
