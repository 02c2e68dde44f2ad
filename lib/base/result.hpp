// Result<T>: either a value or an error message, for every module boundary.
//
// Cairn code reports failures as values (in the spirit of stout's Try<T>):
// a function that can fail returns Result<T>, callers test ok() and read
// value() or error(). Exceptions are allowed only inside parsing code and
// never cross a module boundary or the event loop.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cairn {

// The failure half of a Result: a human-readable message that says what was
// wrong and, where possible, what would have been valid.
struct Error {
  std::string message;
  explicit Error(std::string m) : message(std::move(m)) {}
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value)
      : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const std::string& error() const {
    assert(!ok());
    return std::get<1>(state_).message;
  }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value() : T(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error.message)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& error() const {
    assert(failed_);
    return error_;
  }

 private:
  std::string error_;
  bool failed_ = false;
};

using Status = Result<void>;

inline Status ok_status() {
  return Status();
}

}  // namespace cairn
