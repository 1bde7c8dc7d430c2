#include "core/result.h"

namespace evo {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIllegalTransition:
      return "illegal_transition";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kPolicyViolation:
      return "policy_violation";
    case ErrorCode::kGit:
      return "git";
    case ErrorCode::kStorage:
      return "storage";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace evo
