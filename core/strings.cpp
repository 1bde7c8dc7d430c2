#include "core/strings.h"

namespace evo {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::size_t size = 0;
  for (const auto& p : parts) size += p.size() + sep.size();
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i != 0) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace evo
