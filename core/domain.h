// Domain vocabulary shared by every layer: objective directions and variant operations,
// with their wire spellings.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A synergy's identity: the ids of the targets it combines, in order. Its one spelling, in
// Individual::target_id, in branch names (gen-N/synergy/<a>+<b>-<i>) and on the wire, is the ids
// joined by '+' (target ids never contain '+'); str() writes it and parse() reads it back.
struct SynergyKey {
  std::vector<std::string> target_ids;

  std::string str() const;
  // Splits on '+'; an empty string gives one empty id, as it spells.
  static SynergyKey parse(std::string_view joined);
  bool operator==(const SynergyKey&) const = default;
};

}  // namespace evo
