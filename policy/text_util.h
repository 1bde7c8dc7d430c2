// Small string helpers shared by the policy marker scans (rules.cpp) and the function-definition
// heuristics (definitions.cpp). Internal to evo::policy.
#pragma once

#include <cctype>
#include <string_view>
#include <vector>

namespace evo::policy::detail {

inline std::string_view basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

inline bool is_ident(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

inline std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}
inline std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}
inline std::string_view trim(std::string_view s) {
  return trim_right(trim_left(s));
}

inline std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

inline bool starts_with_word(std::string_view s, std::string_view word) {
  return s.substr(0, word.size()) == word && (s.size() == word.size() || !is_ident(s[word.size()]));
}

// `s` ends with the whole word `word` (nothing identifier-like right before it).
inline bool ends_with_word(std::string_view s, std::string_view word) {
  if (s.size() < word.size() || s.substr(s.size() - word.size()) != word) return false;
  return s.size() == word.size() || !is_ident(s[s.size() - word.size() - 1]);
}

// Index just past the bracket that closes the one at `open`, or npos when unbalanced.
inline std::size_t skip_balanced(std::string_view s, std::size_t open, char lhs, char rhs) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == lhs) ++depth;
    if (s[i] == rhs && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// Positions where `name` occurs as a whole identifier.
inline std::vector<std::size_t> word_positions(std::string_view line, std::string_view name) {
  std::vector<std::size_t> out;
  if (name.empty()) return out;
  for (std::size_t pos = line.find(name); pos != std::string_view::npos;
       pos = line.find(name, pos + 1)) {
    const std::size_t end = pos + name.size();
    if (pos > 0 && is_ident(line[pos - 1])) continue;
    if (end < line.size() && is_ident(line[end])) continue;
    out.push_back(pos);
  }
  return out;
}

// Drops a trailing // comment so "foo() { // x" still ends with '{'. Naive about strings,
// which only makes the heuristic a little more conservative.
inline std::string_view strip_line_comment(std::string_view line) {
  const auto c = line.find("//");
  return c == std::string_view::npos ? line : line.substr(0, c);
}

}  // namespace evo::policy::detail
