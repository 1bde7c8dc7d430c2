// Wire spellings of the domain enums. See domain.h.
#include "core/domain.h"

#include <cstddef>

#include "core/strings.h"

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

std::string SynergyKey::str() const {
  return join(target_ids, "+");
}

SynergyKey SynergyKey::parse(std::string_view joined) {
  SynergyKey key;
  std::size_t start = 0;
  while (start <= joined.size()) {
    auto plus = joined.find('+', start);
    if (plus == std::string_view::npos) plus = joined.size();
    key.target_ids.emplace_back(joined.substr(start, plus - start));
    start = plus + 1;
  }
  return key;
}

}  // namespace evo
