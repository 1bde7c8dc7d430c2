// Language-aware "does this line define function X" heuristics: Python def/async def, C/C++
// and Java, JS/TS functions and methods, Go func, Rust fn. Pure string work.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include "policy/rules.h"
#include "policy/text_util.h"

namespace evo::policy {
namespace {

using namespace detail;

// ---------------------------------------------------------------------------------------------
// Function-definition heuristics, one per language family

enum class Lang { kPython, kCLike, kJs, kGo, kRust, kUnknown };

Lang lang_of(std::string_view path) {
  const std::string_view base = basename_of(path);
  const auto dot = base.rfind('.');
  if (dot == std::string_view::npos) return Lang::kUnknown;
  std::string ext(base.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr auto kByExt = std::to_array<std::pair<std::string_view, Lang>>({
      {"py", Lang::kPython}, {"pyi", Lang::kPython}, {"pyx", Lang::kPython}, {"c", Lang::kCLike},
      {"cc", Lang::kCLike},  {"cpp", Lang::kCLike},  {"cxx", Lang::kCLike},  {"c++", Lang::kCLike},
      {"h", Lang::kCLike},   {"hpp", Lang::kCLike},  {"hh", Lang::kCLike},   {"hxx", Lang::kCLike},
      {"cu", Lang::kCLike},  {"cuh", Lang::kCLike},  {"java", Lang::kCLike}, {"js", Lang::kJs},
      {"jsx", Lang::kJs},    {"ts", Lang::kJs},      {"tsx", Lang::kJs},     {"mjs", Lang::kJs},
      {"cjs", Lang::kJs},    {"mts", Lang::kJs},     {"cts", Lang::kJs},     {"go", Lang::kGo},
      {"rs", Lang::kRust},   {"ipp", Lang::kCLike},  {"inl", Lang::kCLike},
  });
  for (const auto& [e, lang] : kByExt) {
    if (e == ext) return lang;
  }
  return Lang::kUnknown;
}

// What follows `name` at `pos` (after spaces) is one of `openers`.
bool followed_by(std::string_view line, std::size_t pos, std::string_view name,
                 std::string_view openers) {
  const std::size_t i = skip_spaces(line, pos + name.size());
  return i < line.size() && openers.find(line[i]) != std::string_view::npos;
}

// def name( / async def name(
bool python_defines(std::string_view line, std::string_view name) {
  for (std::size_t pos : word_positions(line, name)) {
    if (!followed_by(line, pos, name, "([")) continue;
    const std::string_view prefix = line.substr(0, pos);
    const std::string_view head = trim_right(prefix);
    if (head.size() == prefix.size() || !ends_with_word(head, "def")) continue;
    const std::string_view before = trim(head.substr(0, head.size() - 3));
    if (before.empty() || before == "async") return true;
  }
  return false;
}

// func name( / func name[T any]( / func (r *T) name(
bool go_defines(std::string_view line, std::string_view name) {
  std::string_view s = trim_left(line);
  if (!starts_with_word(s, "func")) return false;
  std::size_t i = skip_spaces(s, 4);
  if (i < s.size() && s[i] == '(') {
    i = skip_balanced(s, i, '(', ')');
    if (i == std::string_view::npos) return false;
    i = skip_spaces(s, i);
  }
  if (s.substr(i, name.size()) != name) return false;
  const std::size_t end = i + name.size();
  if (end < s.size() && is_ident(s[end])) return false;
  return followed_by(s, i, name, "([");
}

// [pub[(..)]] [const] [async] [unsafe] [extern "C"] fn name( / fn name<
bool rust_defines(std::string_view line, std::string_view name) {
  for (std::size_t pos : word_positions(line, name)) {
    if (!followed_by(line, pos, name, "(<")) continue;
    const std::string_view prefix = line.substr(0, pos);
    const std::string_view head = trim_right(prefix);
    if (head.size() == prefix.size() || !ends_with_word(head, "fn")) continue;
    // Everything before `fn` must be qualifiers, so `let f = fn name(` cannot sneak through.
    const std::string_view quals = head.substr(0, head.size() - 2);
    bool ok = true;
    for (char c : quals) {
      if (!(is_ident(c) || is_space(c) || c == '(' || c == ')' || c == '"' || c == ':')) ok = false;
    }
    if (ok) return true;
  }
  return false;
}

bool is_js_modifier(std::string_view word) {
  static constexpr auto kMods =
      std::to_array<std::string_view>({"async", "static", "get", "set", "public", "private",
                                       "protected", "override", "abstract", "readonly", "export"});
  return std::find(kMods.begin(), kMods.end(), word) != kMods.end();
}

// The right-hand side of `name =` or `name:` is a function value.
bool js_function_value(std::string_view rhs) {
  rhs = trim_left(rhs);
  if (starts_with_word(rhs, "async")) rhs = trim_left(rhs.substr(5));
  if (starts_with_word(rhs, "function")) return true;
  const std::string_view rest = trim_right(strip_line_comment(rhs));
  if (!rhs.empty() && rhs.front() == '(') {
    // `(a, b) => ...`, or a parameter list that continues on the next line.
    return rest.find("=>") != std::string_view::npos || rest == "(";
  }
  // `x => ...`
  std::size_t i = 0;
  while (i < rhs.size() && is_ident(rhs[i])) ++i;
  return i > 0 && rhs.substr(skip_spaces(rhs, i), 2) == "=>";
}

bool js_defines(std::string_view line, std::string_view name) {
  const std::string_view code = trim(strip_line_comment(line));
  for (std::size_t pos : word_positions(line, name)) {
    const std::string_view prefix = line.substr(0, pos);
    std::size_t after = skip_spaces(line, pos + name.size());
    // TS generics between the name and its parameters: name<T>(
    if (after < line.size() && line[after] == '<') {
      const std::size_t close = skip_balanced(line, after, '<', '>');
      if (close != std::string_view::npos) after = skip_spaces(line, close);
    }
    const bool opens_params = after < line.size() && line[after] == '(';

    // function name( / function* name( / async function name(
    if (opens_params) {
      std::string_view head = trim_right(prefix);
      while (!head.empty() && head.back() == '*')
        head = trim_right(head.substr(0, head.size() - 1));
      // The name starts a word, so "function" cannot run into it: a separator is guaranteed.
      if (ends_with_word(head, "function")) return true;
    }

    // Class methods: [modifiers] [*]name(...) {
    if (opens_params) {
      std::string_view head = trim(prefix);
      bool has_modifier = false;
      bool only_modifiers = true;
      while (!head.empty()) {
        if (head.front() == '*') {
          has_modifier = true;
          head = trim_left(head.substr(1));
          continue;
        }
        std::size_t w = 0;
        while (w < head.size() && is_ident(head[w])) ++w;
        if (w == 0 || !is_js_modifier(head.substr(0, w))) {
          only_modifiers = false;
          break;
        }
        has_modifier = true;
        head = trim_left(head.substr(w));
      }
      if (only_modifiers && (has_modifier || (!code.empty() && code.back() == '{'))) return true;
    }

    // name = <function>, name: <function>, const name: Type = <function>
    if (after < line.size() && (line[after] == '=' || line[after] == ':')) {
      std::size_t eq = after;
      if (line[after] == ':') {
        if (js_function_value(line.substr(after + 1))) return true;
        // A type annotation: look for the first '=' at depth 0 that is not part of "=>".
        int depth = 0;
        eq = std::string_view::npos;
        for (std::size_t i = after + 1; i < line.size(); ++i) {
          const char c = line[i];
          if (c == '(' || c == '<' || c == '{' || c == '[') ++depth;
          if (c == ')' || c == '}' || c == ']' || (c == '>' && line[i - 1] != '=')) --depth;
          if (c == '=' && depth == 0 && i + 1 < line.size() && line[i + 1] != '>' &&
              line[i + 1] != '=') {
            eq = i;
            break;
          }
        }
        if (eq == std::string_view::npos) continue;
      }
      if (eq + 1 < line.size() && (line[eq + 1] == '=' || line[eq + 1] == '>')) continue;
      if (js_function_value(line.substr(eq + 1))) return true;
    }
  }
  return false;
}

bool is_statement_keyword(std::string_view word) {
  static constexpr auto kWords = std::to_array<std::string_view>(
      {"return",   "else",     "case",   "goto",   "throw",  "delete", "new",   "co_return",
       "co_await", "co_yield", "sizeof", "typeid", "not",    "and",    "or",    "do",
       "if",       "while",    "for",    "switch", "assert", "yield",  "await", "using"});
  return std::find(kWords.begin(), kWords.end(), word) != kWords.end();
}

// Removes [[...]], __attribute__((...)), __declspec(...), alignas(...) and Java @Annotations
// (with arguments) so the rest can be checked as a plain type.
std::string strip_attributes(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.substr(i, 2) == "[[") {
      const auto close = s.find("]]", i);
      if (close == std::string_view::npos) return std::string(s);
      i = close + 2;
      continue;
    }
    const bool word_start = i == 0 || !is_ident(s[i - 1]);
    if (word_start && (s[i] == '@' || is_ident(s[i]))) {
      std::size_t w = s[i] == '@' ? i + 1 : i;
      while (w < s.size() && (is_ident(s[w]) || (s[i] == '@' && s[w] == '.'))) ++w;
      const std::string_view word = s.substr(i, w - i);
      const bool attr =
          s[i] == '@' || word == "__attribute__" || word == "__declspec" || word == "alignas";
      if (attr) {
        std::size_t j = skip_spaces(s, w);
        if (j < s.size() && s[j] == '(') {
          j = skip_balanced(s, j, '(', ')');
          if (j == std::string_view::npos) return std::string(s);
          w = j;
        }
        out.push_back(' ');
        i = w;
        continue;
      }
      out.append(word);
      i = w;
      continue;
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

// C, C++ and Java: `<type> [Qual::]name(`, or a qualified/column-0 name without a type on the
// line (constructors, GNU style), never an expression statement.
bool clike_defines(std::string_view line, std::string_view name) {
  const std::string_view code = trim_right(strip_line_comment(line));
  const bool ends_statement = !code.empty() && code.back() == ';';
  for (std::size_t pos : word_positions(line, name)) {
    if (!followed_by(line, pos, name, "(")) continue;
    std::string_view prefix = line.substr(0, pos);
    // Strip qualifiers: Class::, ns::Class<T>::, a leading global ::.
    bool qualified = false;
    while (prefix.size() >= 2 && prefix.substr(prefix.size() - 2) == "::") {
      prefix.remove_suffix(2);
      qualified = true;
      if (!prefix.empty() && prefix.back() == '>') {
        int depth = 0;
        while (!prefix.empty()) {
          const char c = prefix.back();
          prefix.remove_suffix(1);
          if (c == '>') ++depth;
          if (c == '<' && --depth == 0) break;
        }
      }
      while (!prefix.empty() && is_ident(prefix.back())) prefix.remove_suffix(1);
    }
    // A member access is a call, not a definition.
    if (!prefix.empty() && (prefix.back() == '.' || prefix.back() == '>')) {
      if (prefix.back() == '.' || (prefix.size() >= 2 && prefix[prefix.size() - 2] == '-')) {
        continue;
      }
    }
    const std::string type_part_str = strip_attributes(trim(prefix));
    const std::string_view type_part = trim(type_part_str);
    if (type_part.empty()) {
      if (ends_statement) continue;
      if (qualified) return true;
      if (pos == 0) return true;  // GNU style: return type on the previous line
      continue;
    }
    bool ok = true;
    int angle = 0;
    for (std::size_t i = 0; i < type_part.size() && ok; ++i) {
      const char c = type_part[i];
      if (c == '<') ++angle;
      if (c == '>') --angle;
      if (!(is_ident(c) || is_space(c) || c == ':' || c == '<' || c == '>' || c == ',' ||
            c == '*' || c == '&' || c == '[' || c == ']' || c == '"' || c == '.' || c == '~')) {
        ok = false;
      }
    }
    if (!ok || angle != 0 || type_part.find("<<") != std::string_view::npos) continue;
    const char last = type_part.back();
    if (!(is_ident(last) || last == '*' || last == '&' || last == '>' || last == ']')) continue;
    bool keyword = false;
    for (std::size_t i = 0; i < type_part.size();) {
      if (!is_ident(type_part[i])) {
        ++i;
        continue;
      }
      std::size_t w = i;
      while (w < type_part.size() && is_ident(type_part[w])) ++w;
      if (is_statement_keyword(type_part.substr(i, w - i))) keyword = true;
      i = w;
    }
    if (!keyword) return true;
  }
  return false;
}

}  // namespace

bool defines_function(std::string_view path, std::string_view line, std::string_view name) {
  if (name.empty() || line.find(name) == std::string_view::npos) return false;
  switch (lang_of(path)) {
    case Lang::kPython:
      return python_defines(line, name);
    case Lang::kCLike:
      return clike_defines(line, name);
    case Lang::kJs:
      return js_defines(line, name);
    case Lang::kGo:
      return go_defines(line, name);
    case Lang::kRust:
      return rust_defines(line, name);
    case Lang::kUnknown:
      break;
  }
  return python_defines(line, name) || go_defines(line, name) || rust_defines(line, name) ||
         js_defines(line, name) || clike_defines(line, name);
}

bool source_defines_function(std::string_view path, std::string_view source,
                             std::string_view name) {
  std::size_t start = 0;
  while (start <= source.size()) {
    std::size_t end = source.find('\n', start);
    if (end == std::string_view::npos) end = source.size();
    if (defines_function(path, source.substr(start, end - start), name)) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace evo::policy
