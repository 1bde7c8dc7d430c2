// JSON-entry merging, marked-block editing and atomic writes for `evo-engine install`.
#include "install/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"

namespace evo::install {

using nlohmann::ordered_json;

Result<std::optional<std::string>> read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<std::string>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kStorage, "cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

Result<fs::path> resolve_symlinks(const fs::path& path) {
  fs::path at = path;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(at, ec))) return at;
    const fs::path target = fs::read_symlink(at, ec);
    if (ec) {
      return make_error(ErrorCode::kStorage,
                        "cannot read the link " + at.string() + ": " + ec.message());
    }
    at = target.is_absolute() ? target : at.parent_path() / target;
  }
  return make_error(ErrorCode::kStorage, path.string() + ": too many levels of symbolic links");
}

Status write_atomic(const fs::path& requested, const std::string& text, bool private_file) {
  // A symlinked config (dotfiles kept in a repository) stays a symlink: the temp file goes
  // next to the file it points to, and the rename replaces that file.
  EVO_ASSIGN_OR_RETURN(const fs::path path, resolve_symlinks(requested));
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec)
    return make_error(ErrorCode::kStorage,
                      "cannot create " + path.parent_path().string() + ": " + ec.message());
  mode_t mode = private_file ? 0600 : 0644;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  const fs::path tmp = path.string() + ".evo-tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return make_error(ErrorCode::kStorage,
                      "cannot create " + tmp.string() + ": " + errno_text(errno));
  }
  std::size_t done = 0;
  bool ok = true;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text(errno);
    ::unlink(tmp.c_str());
    return make_error(ErrorCode::kStorage, "cannot write " + path.string() + ": " + why);
  }
  return {};
}

Result<std::string> with_json_entry(const std::optional<std::string>& document,
                                    const std::string& section, const std::string& name,
                                    const std::optional<nlohmann::ordered_json>& entry) {
  ordered_json root = ordered_json::object();
  if (document && document->find_first_not_of(" \t\r\n") != std::string::npos) {
    root = ordered_json::parse(*document, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "is not a JSON object; fix or move it, then run install again");
    }
  }
  auto it = root.find(section);
  if (it != root.end() && !it->is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "'" + section + "' is not a JSON object");
  }
  if (entry) {
    if (it == root.end()) it = root.emplace(section, ordered_json::object()).first;
    (*it)[name] = *entry;
  } else if (it != root.end()) {
    it->erase(name);
  }
  return root.dump(2) + "\n";
}

std::optional<nlohmann::json> json_entry(const std::string& document, const std::string& section,
                                         const std::string& name) {
  const auto root = nlohmann::json::parse(document, nullptr, false);
  if (root.is_discarded() || !root.is_object()) return std::nullopt;
  const auto s = root.find(section);
  if (s == root.end() || !s->is_object()) return std::nullopt;
  const auto e = s->find(name);
  if (e == s->end()) return std::nullopt;
  return *e;
}

std::string with_block(const std::string& text, const std::string& begin, const std::string& end,
                       const std::optional<std::string>& block) {
  std::string out = text;
  const auto b = out.find(begin);
  const auto e = b == std::string::npos ? std::string::npos : out.find(end, b);
  if (b != std::string::npos && e != std::string::npos) {
    auto stop = e + end.size();
    if (stop < out.size() && out[stop] == '\n') ++stop;
    auto start = b;
    // Drop the blank line we put before the block.
    if (start >= 2 && out[start - 1] == '\n' && out[start - 2] == '\n') --start;
    out.erase(start, stop - start);
  }
  if (block) {
    if (!out.empty() && out.back() != '\n') out += "\n";
    if (!out.empty()) out += "\n";
    out +=
        begin + "\n" + *block + (block->empty() || block->back() == '\n' ? "" : "\n") + end + "\n";
  }
  return out;
}

}  // namespace evo::install
