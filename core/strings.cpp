#include "core/strings.h"

#include <cstring>  // strerror_r, in either its GNU or its XSI form

namespace evo {
namespace {

// The GNU strerror_r returns the text (maybe not in buf); the XSI one fills buf and returns 0.
[[maybe_unused]] const char* strerror_text(const char* text, const char* /*buf*/) {
  return text;
}
[[maybe_unused]] const char* strerror_text(int rc, const char* buf) {
  return rc == 0 ? buf : "unknown error";
}

}  // namespace

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

std::string errno_text(int err) {
  char buf[256] = {};
  return strerror_text(strerror_r(err, buf, sizeof buf), buf);
}

}  // namespace evo
