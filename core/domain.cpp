#include "core/domain.h"

namespace evo {

std::string_view to_string(Direction d) { return d == Direction::kMin ? "min" : "max"; }

std::string_view to_string(Operation op) {
  switch (op) {
    case Operation::kMutate: return "mutate";
    case Operation::kCrossover: return "crossover";
    case Operation::kStructural: return "structural";
    case Operation::kSynergy: return "synergy";
  }
  return "mutate";
}

std::optional<Direction> parse_direction(std::string_view s) {
  if (s == "min") return Direction::kMin;
  if (s == "max") return Direction::kMax;
  return std::nullopt;
}

std::optional<Operation> parse_operation(std::string_view s) {
  if (s == "mutate") return Operation::kMutate;
  if (s == "crossover") return Operation::kCrossover;
  if (s == "structural") return Operation::kStructural;
  if (s == "synergy") return Operation::kSynergy;
  return std::nullopt;
}

}  // namespace evo
