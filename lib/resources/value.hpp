// Mesos values: Scalar, Ranges, Set and Text, with their text forms.
//
// These mirror the Mesos `Value` message that resources and attributes carry.
// A Scalar is fixed-point with three decimal places, as Mesos computes them,
// so 0.1 + 0.2 == 0.3 exactly; it is stored as a count of thousandths. Ranges
// is a sorted, coalesced list of closed [begin, end] intervals of uint64 (port
// numbers, typically). A Set is a sorted list of unique strings. Text is a
// plain string and only appears in attributes. Each type parses and prints the
// Mesos text form: `8`, `0.5`, `[31000-32000,40000-40010]`, `{ssd1,ssd2}`;
// `to_mesos_string()` gives the spaced form Mesos prints in /state JSON.
#pragma once

#include <compare>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn {

// Mesos `Value.Type`.
enum class ValueType { kScalar, kRanges, kSet, kText };

// "SCALAR", "RANGES", "SET", "TEXT".
std::string_view value_type_name(ValueType type);
std::optional<ValueType> value_type_from_name(std::string_view name);

class Scalar {
 public:
  // The largest magnitude accepted from text or JSON: 10^12 keeps every
  // thousandth exactly representable as a double, so JSON round-trips are
  // exact. Arithmetic saturates at the int64 limits instead of overflowing.
  static constexpr double kMaxInput = 1e12;

  constexpr Scalar() = default;
  static constexpr Scalar from_thousandths(int64_t thousandths) { return Scalar(thousandths); }

  // Rounds to the nearest thousandth (halves away from zero), as Mesos does.
  // Errors on NaN, infinities and magnitudes beyond kMaxInput.
  static Result<Scalar> from_double(double value);

  // A decimal number, optionally signed, with optional fraction and exponent:
  // "8", "0.5", "-2", "1e3", ".25". Parsed exactly, then rounded like
  // from_double(). No whitespace.
  static Result<Scalar> parse(std::string_view text);

  constexpr int64_t thousandths() const { return thousandths_; }
  double value() const;
  constexpr bool is_zero() const { return thousandths_ == 0; }
  constexpr bool is_negative() const { return thousandths_ < 0; }

  // Exact and shortest: "8", "0.5", "0.001", "-2.25".
  std::string to_string() const;

  Scalar& operator+=(Scalar other);
  Scalar& operator-=(Scalar other);
  friend Scalar operator+(Scalar a, Scalar b) { return a += b; }
  friend Scalar operator-(Scalar a, Scalar b) { return a -= b; }
  constexpr auto operator<=>(const Scalar&) const = default;

 private:
  constexpr explicit Scalar(int64_t thousandths) : thousandths_(thousandths) {}
  int64_t thousandths_ = 0;
};

// One closed interval [begin, end]; begin <= end.
struct Range {
  uint64_t begin = 0;
  uint64_t end = 0;
  constexpr auto operator<=>(const Range&) const = default;
};

class Ranges {
 public:
  Ranges() = default;
  // Coalesces; an interval with begin > end is ignored.
  Ranges(std::initializer_list<Range> ranges);

  // Like the initializer-list constructor, but an interval with begin > end is
  // an error, as are overlapping intervals when `allow_overlap` is false (Mesos
  // rejects overlapping ranges in JSON but coalesces them in text).
  static Result<Ranges> from(std::vector<Range> ranges, bool allow_overlap);

  // "[31000-32000,40000-40010]", "[]". Whitespace anywhere is ignored.
  static Result<Ranges> parse(std::string_view text);

  const std::vector<Range>& intervals() const { return ranges_; }
  bool empty() const { return ranges_.empty(); }
  // Count of integers covered, saturating at UINT64_MAX.
  uint64_t size() const;

  bool contains(uint64_t value) const;
  bool contains(const Ranges& other) const;

  // Adds one interval (ignored when begin > end).
  Ranges& add(Range range);
  Ranges& operator+=(const Ranges& other);
  Ranges& operator-=(const Ranges& other);
  friend Ranges operator+(Ranges a, const Ranges& b) { return a += b; }
  friend Ranges operator-(Ranges a, const Ranges& b) { return a -= b; }
  bool operator==(const Ranges&) const = default;

  std::string to_string() const;        // "[1-2,5-6]"
  std::string to_mesos_string() const;  // "[1-2, 5-6]"

 private:
  std::vector<Range> ranges_;  // sorted, disjoint, non-adjacent
};

class Set {
 public:
  Set() = default;
  // Sorts and removes duplicates.
  Set(std::initializer_list<std::string> items);
  explicit Set(std::vector<std::string> items);

  // "{ssd1,ssd2}", "{}". Whitespace is ignored; duplicate or empty items and
  // items containing any of ;:()[]{}, are errors.
  static Result<Set> parse(std::string_view text);

  // Why `item` cannot be a set item (so that sets print back to parsable
  // text), or nothing when it is fine.
  static std::optional<std::string> item_problem(std::string_view item);

  const std::vector<std::string>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }

  bool contains(std::string_view item) const;
  bool contains(const Set& other) const;

  Set& operator+=(const Set& other);
  Set& operator-=(const Set& other);
  friend Set operator+(Set a, const Set& b) { return a += b; }
  friend Set operator-(Set a, const Set& b) { return a -= b; }
  bool operator==(const Set&) const = default;

  std::string to_string() const;        // "{a,b}"
  std::string to_mesos_string() const;  // "{a, b}"

 private:
  std::vector<std::string> items_;  // sorted, unique
};

// A text attribute value.
struct Text {
  std::string value;
  bool operator==(const Text&) const = default;
};

// What a resource can hold (Mesos rejects TEXT resources).
using ResourceValue = std::variant<Scalar, Ranges, Set>;
// What an attribute can hold.
using AttributeValue = std::variant<Scalar, Ranges, Set, Text>;

ValueType type_of(const ResourceValue& value);
ValueType type_of(const AttributeValue& value);

// Text form as used in `name:value` syntax.
std::string to_string(const ResourceValue& value);
std::string to_string(const AttributeValue& value);

// Print to_string(), for logs and test failure messages.
std::ostream& operator<<(std::ostream& out, const Scalar& scalar);
std::ostream& operator<<(std::ostream& out, const Ranges& ranges);
std::ostream& operator<<(std::ostream& out, const Set& set);

}  // namespace cairn
