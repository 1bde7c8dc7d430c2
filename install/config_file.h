// Editing files that belong to someone else, safely: merge one entry into a JSON config (only
// our key changes), replace one marked block in a text file, all written atomically (temp file
// + rename, keeping the file's mode). A file that is not what we expect is left untouched and
// reported.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"

namespace evo::install {

namespace fs = std::filesystem;

// The file's text; nullopt when it does not exist; an error when it exists but cannot be read.
Result<std::optional<std::string>> read_text(const fs::path& path);

// `path` with its symbolic links followed (also a dangling one: the path it names); an error
// for a link that cannot be read or a loop.
Result<fs::path> resolve_symlinks(const fs::path& path);

// Writes `text` to `path` atomically, creating parent directories; keeps an existing file's
// permission bits (a new file gets 0644, or 0600 when `private_file`). When `path` is a symbolic
// link, the file it points to is replaced and the link stays.
Status write_atomic(const fs::path& path, const std::string& text, bool private_file = false);

// `document` (the file's text, or nullopt for a new file) with `<section>.<name>` set to `entry`
// (or removed when nullopt). Other keys keep their order and values; an emptied `section` stays
// (`{"mcpServers": {}}`: the file may have existed before us, so it is never removed). Errors:
// the text is not a JSON object, or `section` is not an object.
Result<std::string> with_json_entry(const std::optional<std::string>& document,
                                    const std::string& section, const std::string& name,
                                    const std::optional<nlohmann::ordered_json>& entry);
// The current `<section>.<name>` of a JSON text, if any.
std::optional<nlohmann::json> json_entry(const std::string& document, const std::string& section,
                                         const std::string& name);

// `text` with the block between `begin` and `end` lines replaced by `block` (appended when
// absent; removed when nullopt).
std::string with_block(const std::string& text, const std::string& begin, const std::string& end,
                       const std::optional<std::string>& block);

}  // namespace evo::install
