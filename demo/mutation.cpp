// The scripted workers' variation operators. See mutation.h.
#include "demo/mutation.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace evo::demo {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (;;) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      return lines;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
}

std::size_t indent_of(const std::string& line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i;
}

bool is_blank_or_comment(const std::string& line) {
  const auto i = indent_of(line);
  return i == line.size() || line[i] == '#';
}

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// `<indent>def <function>(`: the function's own line.
bool is_def_of(const std::string& line, const std::string& function) {
  std::size_t i = indent_of(line);
  if (line.compare(i, 4, "def ") != 0) return false;
  i += 4;
  while (i < line.size() && line[i] == ' ') ++i;
  if (line.compare(i, function.size(), function) != 0) return false;
  i += function.size();
  while (i < line.size() && line[i] == ' ') ++i;
  return i < line.size() && line[i] == '(';
}

// `<indent><name> = <number>[  # comment]` -> the param, else false.
bool match_assignment(const std::string& line, NumericParam& out) {
  std::size_t i = indent_of(line);
  const std::size_t name_begin = i;
  if (i >= line.size() || !(std::isalpha(static_cast<unsigned char>(line[i])) || line[i] == '_')) {
    return false;
  }
  while (i < line.size() && is_ident_char(line[i])) ++i;
  out.name = line.substr(name_begin, i - name_begin);
  while (i < line.size() && line[i] == ' ') ++i;
  if (i >= line.size() || line[i] != '=' || (i + 1 < line.size() && line[i + 1] == '=')) {
    return false;
  }
  ++i;
  while (i < line.size() && line[i] == ' ') ++i;
  const char* start = line.c_str() + i;
  char* stop = nullptr;
  const double v = std::strtod(start, &stop);
  if (stop == start || !std::isfinite(v)) return false;
  std::size_t end = i + static_cast<std::size_t>(stop - start);
  // The literal must be the whole right-hand side (a comment may follow).
  std::size_t j = end;
  while (j < line.size() && line[j] == ' ') ++j;
  if (j < line.size() && line[j] != '#') return false;
  // strtod accepts "inf", "0x1p3" and friends; Python literals here are plain decimals.
  for (std::size_t k = i; k < end; ++k) {
    const char c = line[k];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
          c == '+' || c == '-')) {
      return false;
    }
  }
  out.begin = i;
  out.end = end;
  out.value = v;
  return true;
}

double scale_by(double value, double log2_factor) {
  return value * std::exp2(log2_factor);
}

// A value whose literal differs from `old` (rounding to 4 digits can erase a small step).
double distinct_from(double old, double candidate) {
  if (format_literal(candidate) != format_literal(old)) return candidate;
  const double bumped = old == 0.0 ? 0.01 : old * 1.01;
  return bumped;
}

}  // namespace

std::vector<double> SourceParams::values() const {
  std::vector<double> out;
  out.reserve(params.size());
  for (const auto& p : params) out.push_back(p.value);
  return out;
}

Result<SourceParams> parse_params(const std::string& text, const std::string& function) {
  SourceParams source;
  source.lines = split_lines(text);
  std::size_t def = source.lines.size();
  for (std::size_t i = 0; i < source.lines.size(); ++i) {
    if (is_def_of(source.lines[i], function)) {
      def = i;
      break;
    }
  }
  if (def == source.lines.size()) {
    return make_error(ErrorCode::kNotFound, "function '" + function + "' is not defined");
  }
  const std::size_t def_indent = indent_of(source.lines[def]);
  for (std::size_t i = def + 1; i < source.lines.size(); ++i) {
    const auto& line = source.lines[i];
    if (is_blank_or_comment(line)) continue;
    if (indent_of(line) <= def_indent) break;  // the body ended
    NumericParam p;
    p.line = i;
    if (match_assignment(line, p)) source.params.push_back(std::move(p));
  }
  if (source.params.empty()) {
    return make_error(ErrorCode::kNotFound,
                      "function '" + function + "' assigns no numeric parameters in its body");
  }
  return source;
}

std::string render_params(const SourceParams& source, const std::vector<double>& values) {
  std::vector<std::string> lines = source.lines;
  // Right to left within a line keeps the earlier offsets valid.
  for (std::size_t k = source.params.size(); k-- > 0;) {
    if (k >= values.size()) continue;
    const auto& p = source.params[k];
    lines[p.line].replace(p.begin, p.end - p.begin, format_literal(values[k]));
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out;
}

std::string format_literal(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", value);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

Variation mutate(const SourceParams& parent, Rng& rng) {
  return mutate_values(parent, parent.values(), rng);
}

Variation mutate_values(const SourceParams& shape, std::vector<double> values, Rng& rng) {
  Variation v;
  v.values = std::move(values);
  const auto i = static_cast<std::size_t>(rng.below(v.values.size()));
  const double u = rng.next_double() * 2.0 - 1.0;
  const double old = v.values[i];
  v.values[i] = distinct_from(old, scale_by(old, u));
  v.description =
      shape.params[i].name + " " + format_literal(old) + " -> " + format_literal(v.values[i]);
  return v;
}

Variation nudge_all(const SourceParams& parent, Rng& rng) {
  Variation v;
  v.values = parent.values();
  for (std::size_t i = 0; i < v.values.size(); ++i) {
    const double u = rng.next_double() - 0.5;
    v.values[i] = scale_by(v.values[i], u);
    if (i) v.description += ", ";
    v.description += parent.params[i].name + " " + format_literal(v.values[i]);
  }
  if (format_literal(v.values[0]) == format_literal(parent.params[0].value)) {
    v.values[0] = distinct_from(parent.params[0].value, v.values[0]);
  }
  v.description = "all gains nudged: " + v.description;
  return v;
}

Variation crossover(const SourceParams& a, const SourceParams& b, Rng& rng) {
  const auto va = a.values();
  const auto vb = b.values();
  std::vector<std::size_t> differing;
  if (va.size() == vb.size()) {
    for (std::size_t i = 0; i < va.size(); ++i) {
      if (a.params[i].name == b.params[i].name && format_literal(va[i]) != format_literal(vb[i])) {
        differing.push_back(i);
      }
    }
  }
  if (differing.empty()) {
    Variation v = mutate(a, rng);
    v.description = "parents agree; mutated instead: " + v.description;
    return v;
  }
  Variation v;
  v.values = va;
  std::string from_b;
  for (auto i : differing) {
    if (rng.below(2) == 1) {
      v.values[i] = vb[i];
      from_b += (from_b.empty() ? "" : ",") + a.params[i].name;
    }
  }
  const auto blend = differing[rng.below(differing.size())];
  v.values[blend] = distinct_from(va[blend], (va[blend] + vb[blend]) / 2.0);
  v.description = "from b: {" + from_b + "}, mean of " + a.params[blend].name;
  return v;
}

}  // namespace evo::demo
