// Domain vocabulary shared by every layer: objective directions and variant operations,
// with their wire spellings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace evo {

enum class Direction { kMin, kMax };
enum class Operation { kMutate, kCrossover, kStructural, kSynergy };

std::string_view to_string(Direction d);
std::string_view to_string(Operation op);
std::optional<Direction> parse_direction(std::string_view s);
std::optional<Operation> parse_operation(std::string_view s);

}  // namespace evo
