// Result<T>: the error-or-value type every layer returns instead of throwing.
// GCC 12 has no std::expected, so this is a small stand-in with the same spirit.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace evo {

// Error categories. The server maps each to a wire representation in one place.
enum class ErrorCode {
  kInvalidArgument,    // a field broke a rule (name, range, format)
  kNotFound,           // unknown run, target, branch
  kIllegalTransition,  // the state machine does not allow this phase now
  kConflict,           // a re-report that disagrees with what was recorded
  kPolicyViolation,    // a hard policy rule refused a change
  kGit,                // the repository could not be read
  kStorage,            // the durable store failed
  kInternal,           // a bug: reported, never crashes the server
};

const char* error_code_name(ErrorCode code);

// What an agent needs to act on an error without parsing its English. Each member is empty
// when it does not apply.
struct ErrorDetails {
  std::string field;                      // the argument at fault, by path ("objectives[2].name")
  std::string rule;                       // the rule that refused it ("protected_file", ...)
  std::string branch;                     // the branch the command named
  std::string state;                      // that branch's lifecycle state
  std::vector<std::string> allowed_next;  // the phases that branch may take next

  bool empty() const {
    return field.empty() && rule.empty() && branch.empty() && state.empty() && allowed_next.empty();
  }
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  ErrorDetails details;
};

inline Error make_error(ErrorCode code, std::string message, ErrorDetails details = {}) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.details = std::move(details);
  return e;
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(data_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(data_);
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace evo

#define EVO_CONCAT_INNER_(a, b) a##b
#define EVO_CONCAT_(a, b) EVO_CONCAT_INNER_(a, b)
// `EVO_ASSIGN_OR_RETURN(auto x, f());` declares x from f()'s value, or returns f()'s error.
#define EVO_ASSIGN_OR_RETURN(decl, expr) \
  EVO_ASSIGN_OR_RETURN_IMPL_(EVO_CONCAT_(evo_assign_result_, __LINE__), decl, expr)
#define EVO_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.error();                \
  decl = std::move(tmp).value()

// Propagate an error from an expression returning Result<...>.
#define EVO_TRY(expr)                                          \
  do {                                                         \
    auto evo_try_status_ = (expr);                             \
    if (!evo_try_status_.ok()) return evo_try_status_.error(); \
  } while (false)
