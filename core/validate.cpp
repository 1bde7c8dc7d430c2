#include "core/validate.h"

#include <cctype>

namespace evo {
namespace {
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
}  // namespace

bool is_valid_target_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  if (!std::isalnum(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string target_id_rule() {
  return "must match [A-Za-z0-9][A-Za-z0-9._-]* and be at most 64 characters";
}

std::string branch_name_problem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 200) return "must be at most 200 characters";
  if (name.front() == '-') return "must not start with '-'";
  if (name.front() == '/' || name.back() == '/') return "must not start or end with '/'";
  if (name.back() == '.') return "must not end with '.'";
  if (name == "@") return "must not be '@'";
  if (name.find("..") != std::string_view::npos) return "must not contain '..'";
  if (name.find("//") != std::string_view::npos) return "must not contain '//'";
  if (name.find("@{") != std::string_view::npos) return "must not contain '@{'";
  for (char c : name) {
    if (is_control(c)) return "must not contain control characters";
    switch (c) {
      case ' ':
      case '~':
      case '^':
      case ':':
      case '?':
      case '*':
      case '[':
      case '\\':
        return std::string("must not contain '") + c + "'";
      default:
        break;
    }
  }
  // Each component: not starting with '.', not ending with ".lock".
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (!part.empty() && part.front() == '.') return "no path component may start with '.'";
    if (ends_with(part, ".lock")) return "no path component may end with '.lock'";
    start = end + 1;
  }
  return {};
}

std::string relative_path_problem(std::string_view path) {
  if (path.empty()) return "must not be empty";
  if (path.size() > 4096) return "must be at most 4096 characters";
  if (path.front() == '/') return "must be relative to the repository root, not absolute";
  for (char c : path) {
    if (is_control(c)) return "must not contain control characters";
    if (c == '\\') return "must use '/' as the separator, not '\\'";
  }
  std::size_t start = 0;
  bool first = true;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty()) return "must not contain empty components ('//' or a trailing '/')";
    if (part == "..") return "must not contain '..' components";
    if (part == ".") return "must not contain '.' components";
    if (first && part == ".git") return "must not point inside .git/";
    first = false;
    start = end + 1;
  }
  return {};
}

bool is_hex_object_id(std::string_view text) {
  if (text.size() < 7 || text.size() > 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace evo
