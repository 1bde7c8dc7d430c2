// The scripted workers' variation operators: find the numeric parameters assigned in a Python
// function's body (`name = 1.25`), perturb or recombine them with the seeded RNG, and write
// them back without touching any other byte of the file. Pure: no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/rng.h"

namespace evo::demo {

// One `name = <number>` assignment inside the function body.
struct NumericParam {
  std::string name;
  std::size_t line = 0;   // index into SourceParams::lines
  std::size_t begin = 0;  // the literal's byte range within that line
  std::size_t end = 0;
  double value = 0.0;
};

struct SourceParams {
  std::vector<std::string> lines;  // the whole file, split on '\n' (without the newlines)
  std::vector<NumericParam> params;

  std::vector<double> values() const;
};

// Parses `text` and collects the numeric assignments in the body of `def <function>(...)`.
// An error when the function is missing or has no numeric parameters.
Result<SourceParams> parse_params(const std::string& text, const std::string& function);

// The file with each parameter's literal replaced by values[i] (same order as params).
std::string render_params(const SourceParams& source, const std::vector<double>& values);

// A short decimal literal that reads back as a float (4 significant digits, always with a '.'
// or an exponent).
std::string format_literal(double value);

// What an operator changed, for commit messages and the demo's log.
struct Variation {
  std::vector<double> values;
  std::string description;
};

// mutate: scales one parameter by 2^u, u uniform in [-1, 1).
Variation mutate(const SourceParams& parent, Rng& rng);
// The same step applied to `values` (one per parameter of `shape`), e.g. a crossover's child.
Variation mutate_values(const SourceParams& shape, std::vector<double> values, Rng& rng);
// structural: nudges every parameter by 2^u, u uniform in [-0.5, 0.5).
Variation nudge_all(const SourceParams& parent, Rng& rng);
// crossover: each parameter from parent a or b, and one parameter where they differ set to
// their mean, so the child differs from both. Needs params of the same names, in order;
// falls back to mutate(a) when the parents agree on every value.
Variation crossover(const SourceParams& a, const SourceParams& b, Rng& rng);

}  // namespace evo::demo
