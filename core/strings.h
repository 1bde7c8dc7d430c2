// Small string helpers every layer uses (standard library only).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace evo {

// The parts with `sep` between each two: {"a", "b"} and ", " give "a, b"; no parts give "".
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// The text of errno value `err` ("No such file or directory"), safe to call from any thread
// (strerror_r; std::strerror may share one buffer between threads).
std::string errno_text(int err);

}  // namespace evo
