// Wire spellings of the domain enums. See domain.h.
#include "core/domain.h"

#include <cstddef>

namespace evo {
namespace {
template <typename E, std::size_t N>
std::optional<E> parse_enum(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}
}  // namespace

std::string_view to_string(Direction d) {
  return kDirectionNames.at(static_cast<std::size_t>(d));
}

std::string_view to_string(Operation op) {
  return kOperationNames.at(static_cast<std::size_t>(op));
}

std::optional<Direction> parse_direction(std::string_view s) {
  return parse_enum<Direction>(kDirectionNames, s);
}

std::optional<Operation> parse_operation(std::string_view s) {
  return parse_enum<Operation>(kOperationNames, s);
}

}  // namespace evo
