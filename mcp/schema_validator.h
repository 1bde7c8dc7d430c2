// A JSON Schema compiled once (valijson, kept out of this header) that checks tool arguments
// and tool outputs and explains failures in words a model can act on.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace evo::mcp {

class CompiledSchema {
 public:
  // Refuses anything valijson cannot compile (remote $ref included) and non-object schemas.
  static Result<CompiledSchema> compile(const nlohmann::json& schema);

  CompiledSchema(CompiledSchema&&) noexcept;
  CompiledSchema& operator=(CompiledSchema&&) noexcept;
  ~CompiledSchema();

  // Checks `instance`; returns one message per violation, empty when valid. Each message names
  // the offending field by path and the rule, with `noun` in front ("argument 'a.b[0]': must be
  // <= 1"). With `refuse_unknown_root_keys`, unknown top-level names are refused first, whether
  // or not the schema says `additionalProperties: false`, unless it explicitly allows extras.
  // Never throws.
  std::vector<std::string> validate(const nlohmann::json& instance, std::string_view noun,
                                    bool refuse_unknown_root_keys) const;

 private:
  struct Impl;
  explicit CompiledSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Strings longer than this are refused at positions checked by a regex (`pattern`, `format`,
// `patternProperties`, `propertyNames`): libstdc++'s std::regex recurses once per character and
// would overflow the stack on long input.
inline constexpr std::size_t kMaxRegexSubjectLength = 4096;

}  // namespace evo::mcp
