// Compact, streamed snapshots of a run. Format 2: a header (the state without its individuals,
// with "format": 2 and "individual_count") and then the individuals as JSON lines, one object
// per individual holding only its non-default fields (its id is its position), cut into parts
// of about kSnapshotPartBytes. Writer and reader hold one part at a time, never the whole text.
// A format-1 snapshot (state_to_json of the whole state, no parts) is still read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "state/model.h"

namespace evo::state {

inline constexpr int kSnapshotFormat = 2;
inline constexpr std::size_t kSnapshotPartBytes = std::size_t{1} << 20;

class SnapshotWriter {
 public:
  explicit SnapshotWriter(const State& state) : state_(state) {}
  std::string header() const;
  // Replaces `out` with the next part; false (and `out` empty) once every individual is out.
  bool next_part(std::string& out);

 private:
  const State& state_;
  std::size_t next_ = 0;
};

class SnapshotReader {
 public:
  // Reads the header (a format-2 header or a whole format-1 snapshot).
  [[nodiscard]] Status begin(std::string_view header);
  // Whether parts follow the header (format 2).
  bool wants_parts() const { return !complete_; }
  [[nodiscard]] Status add_part(std::string_view part);
  // The state, with every index rebuilt. Fails when parts are missing.
  Result<State> finish();

 private:
  State state_;
  std::vector<std::uint64_t> archive_;
  std::size_t expected_ = 0;
  bool complete_ = false;
};

}  // namespace evo::state
