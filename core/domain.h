// Domain vocabulary shared by every layer: objective directions and variant operations,
// with their wire spellings.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace evo {

enum class Direction { kMin, kMax };
enum class Operation { kMutate, kCrossover, kStructural, kSynergy };

// The wire spellings, indexed by enumerator: the parsers, the printers and the tool schemas'
// `enum` lists all read these.
inline constexpr std::array<std::string_view, 2> kDirectionNames{"min", "max"};
inline constexpr std::array<std::string_view, 4> kOperationNames{"mutate", "crossover",
                                                                 "structural", "synergy"};

std::string_view to_string(Direction d);
std::string_view to_string(Operation op);
std::optional<Direction> parse_direction(std::string_view s);
std::optional<Operation> parse_operation(std::string_view s);

}  // namespace evo
