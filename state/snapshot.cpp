// Snapshot format 2: the header plus the individuals as JSON lines, in parts. See snapshot.h.
#include "state/snapshot.h"

#include <algorithm>
#include <charconv>
#include <type_traits>
#include <unordered_map>

#include "state/events.h"
#include "state/json_codec.h"
#include "state/json_text.h"

namespace evo::state {

namespace {

using json_text::put_value;

template <typename T>
bool is_default(const T& v, const T& d) {
  return v == d;
}
bool is_default(const std::vector<policy::Finding>& v, const std::vector<policy::Finding>& d) {
  return v.empty() && d.empty();
}

// An individual's snapshot line: a JSON object of the fields that differ from their default,
// without the id (its position). Reading it with from_json fills in the rest.
void append_individual_line(const Individual& ind, std::string& out) {
  static const Individual kDefaults;
  const std::size_t open = out.size();
  out += '{';
  auto field = [&](const char* name, const auto& v, const auto& d) {
    if (is_default(v, d)) return;
    if (out.size() > open + 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
    put_value(out, v);
  };
#define EVO_PUT_FIELD(f) field(#f, ind.f, kDefaults.f);
  EVO_INDIVIDUAL_DATA_FIELDS(EVO_PUT_FIELD)
#undef EVO_PUT_FIELD
  out += "}\n";
}

// A reader for the lines append_individual_line writes: a flat object whose values are strings,
// numbers, booleans, null, or arrays of them. Anything it does not expect (an escaped string's
// escapes, an array of objects) goes to nlohmann; anything it cannot read makes it return
// false, and the caller reads the line with nlohmann instead. So this path only decides how
// fast a line is read, never what it means.
class LineReader {
 public:
  explicit LineReader(std::string_view line) : p_(line.data()), end_(line.data() + line.size()) {}

  bool individual(Individual& ind) {
    using Field = bool (*)(LineReader&, Individual&);
    static const std::unordered_map<std::string_view, Field> kFields = {
#define EVO_FIELD_READER(f) {#f, [](LineReader& r, Individual& i) { return r.read(i.f); }},
        EVO_INDIVIDUAL_FIELDS(EVO_FIELD_READER)
#undef EVO_FIELD_READER
    };
    if (!eat('{')) return false;
    if (eat('}')) return p_ == end_;
    do {
      std::string_view key;
      if (!plain_string(key) || !eat(':')) return false;
      const auto field = kFields.find(key);
      if (field == kFields.end() || !field->second(*this, ind)) return false;
    } while (eat(','));
    return eat('}') && p_ == end_;
  }

 private:
  bool eat(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  // A string token without escapes, as a view into the line.
  bool plain_string(std::string_view& out) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ != end_ && *p_ != '"') {
      if (*p_ == '\\') return false;
      ++p_;
    }
    if (p_ == end_) return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  bool read(std::string& out) {
    const char* start = p_;
    std::string_view plain;
    if (plain_string(plain)) {
      out.assign(plain);
      return true;
    }
    // Escapes: find the closing quote, then let nlohmann unescape the token.
    p_ = start;
    if (!eat('"')) return false;
    while (p_ != end_ && *p_ != '"') p_ += (*p_ == '\\' && p_ + 1 != end_) ? 2 : 1;
    if (!eat('"')) return false;
    auto j = nlohmann::json::parse(std::string_view(start, static_cast<std::size_t>(p_ - start)),
                                   nullptr, false);
    if (!j.is_string()) return false;
    out = j.get<std::string>();
    return true;
  }
  bool read(bool& out) {
    if (end_ - p_ >= 4 && std::string_view(p_, 4) == "true") {
      out = true;
      p_ += 4;
      return true;
    }
    if (end_ - p_ >= 5 && std::string_view(p_, 5) == "false") {
      out = false;
      p_ += 5;
      return true;
    }
    return false;
  }
  template <typename T>
  std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, bool> read(T& out) {
    const auto res = std::from_chars(p_, end_, out);
    if (res.ec != std::errc()) return false;
    p_ = res.ptr;
    return true;
  }
  template <typename T>
  std::enable_if_t<std::is_enum_v<T>, bool> read(T& out) {
    std::string_view name;
    if (!plain_string(name)) return false;
    out = nlohmann::json(name).get<T>();  // the protocol spelling of the enum
    return true;
  }
  bool read(std::optional<std::uint64_t>& out) {
    if (end_ - p_ >= 4 && std::string_view(p_, 4) == "null") {
      out.reset();
      p_ += 4;
      return true;
    }
    std::uint64_t v = 0;
    if (!read(v)) return false;
    out = v;
    return true;
  }
  bool read(std::vector<policy::Finding>& out) {
    // An array of objects: find its end (brackets outside strings), then use nlohmann.
    const char* start = p_;
    int depth = 0;
    bool in_string = false;
    for (; p_ != end_; ++p_) {
      const char c = *p_;
      if (in_string) {
        if (c == '\\' && p_ + 1 != end_) {
          ++p_;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if ((c == ']' || c == '}') && --depth == 0) {
        ++p_;
        break;
      }
    }
    if (depth != 0) return false;
    auto j = nlohmann::json::parse(std::string_view(start, static_cast<std::size_t>(p_ - start)),
                                   nullptr, false);
    if (!j.is_array()) return false;
    try {
      out = j.get<std::vector<policy::Finding>>();
    } catch (const nlohmann::json::exception&) {
      return false;
    }
    return true;
  }
  template <typename T>
  bool read(std::vector<T>& out) {
    out.clear();
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      T v{};
      if (!read(v)) return false;
      out.push_back(std::move(v));
    } while (eat(','));
    return eat(']');
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::string SnapshotWriter::header() const {
  nlohmann::json j = state_header_json(state_);
  j["format"] = kSnapshotFormat;
  j["individual_count"] = state_.individuals.size();
  return j.dump();
}

bool SnapshotWriter::next_part(std::string& out) {
  out.clear();
  const auto& all = state_.individuals;
  while (next_ < all.size() && out.size() < kSnapshotPartBytes) {
    append_individual_line(all[next_++], out);
  }
  return !out.empty();
}

Status SnapshotReader::begin(std::string_view header) {
  auto j = nlohmann::json::parse(header, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error(ErrorCode::kStorage, "snapshot header is not a JSON object");
  }
  const auto format = j.find("format");
  if (format == j.end()) {  // format 1: the whole state in one text
    EVO_ASSIGN_OR_RETURN(state_, state_from_json(j));
    complete_ = true;
    return {};
  }
  if (*format != kSnapshotFormat) {
    return make_error(ErrorCode::kStorage, "snapshot format " + format->dump() +
                                               " is not supported (this build reads 1 and " +
                                               std::to_string(kSnapshotFormat) + ")");
  }
  try {
    read_state_header(j, state_);
    j.at("archive").get_to(archive_);
    j.at("individual_count").get_to(expected_);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kStorage,
                      "snapshot header could not be decoded: " + std::string(e.what()));
  }
  return {};
}

Status SnapshotReader::add_part(std::string_view part) {
  std::size_t start = 0;
  while (start < part.size()) {
    auto end = part.find('\n', start);
    if (end == std::string_view::npos) end = part.size();
    const auto line = part.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    Individual fast;
    if (LineReader(line).individual(fast)) {
      fast.id = state_.individuals.size();
      state_.individuals.push_back(std::move(fast));
      continue;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return make_error(ErrorCode::kStorage, "snapshot individual " +
                                                 std::to_string(state_.individuals.size()) +
                                                 " is not a JSON object");
    }
    try {
      Individual ind = j.get<Individual>();
      ind.id = state_.individuals.size();
      state_.individuals.push_back(std::move(ind));
    } catch (const nlohmann::json::exception& e) {
      return make_error(ErrorCode::kStorage, "snapshot individual " +
                                                 std::to_string(state_.individuals.size()) +
                                                 " could not be decoded: " + std::string(e.what()));
    }
  }
  return {};
}

Result<State> SnapshotReader::finish() {
  if (!complete_) {
    if (state_.individuals.size() != expected_) {
      return make_error(ErrorCode::kStorage,
                        "snapshot holds " + std::to_string(state_.individuals.size()) + " of its " +
                            std::to_string(expected_) + " individuals");
    }
    EVO_TRY(rebuild_indexes(state_, archive_));
    complete_ = true;
  }
  return std::move(state_);
}

}  // namespace evo::state
