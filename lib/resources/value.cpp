// Scalars are parsed digit by digit rather than through strtod so that a
// number written in text maps to exactly the thousandth it names; ranges are
// kept coalesced so that merge and difference are single linear sweeps.
#include "lib/resources/value.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>

#include "lib/resources/text_tokens.hpp"

namespace cairn {

namespace {

using resources_text::quote;
using resources_text::strip_whitespace;

constexpr int64_t kMaxThousandthsInput = 1'000'000'000'000'000;  // kMaxInput * 1000

constexpr std::array<std::pair<ValueType, std::string_view>, 4> kTypeNames{{
    {ValueType::kScalar, "SCALAR"},
    {ValueType::kRanges, "RANGES"},
    {ValueType::kSet, "SET"},
    {ValueType::kText, "TEXT"},
}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return sum;
}

int64_t saturating_sub(int64_t a, int64_t b) {
  int64_t diff = 0;
  if (__builtin_sub_overflow(a, b, &diff)) {
    return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return diff;
}

// Coalesces a sorted list of intervals in place: overlapping or adjacent
// intervals merge.
void coalesce_sorted(std::vector<Range>& ranges) {
  if (ranges.empty()) return;
  size_t out = 0;
  for (size_t i = 1; i < ranges.size(); ++i) {
    Range& current = ranges[out];
    const Range& next = ranges[i];
    // `current.end + 1` would overflow at UINT64_MAX, where everything after
    // is covered anyway.
    if (current.end == std::numeric_limits<uint64_t>::max() || next.begin <= current.end + 1) {
      current.end = std::max(current.end, next.end);
    } else {
      ranges[++out] = next;
    }
  }
  ranges.resize(out + 1);
}

Result<uint64_t> parse_uint64(std::string_view text) {
  uint64_t value = 0;
  if (text.empty() || !is_digit(text.front())) {
    return Error(quote(text) + " is not a non-negative integer");
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return Error(quote(text) + " is out of range (at most 18446744073709551615)");
  }
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error(quote(text) + " is not a non-negative integer");
  }
  return value;
}

}  // namespace

std::string_view value_type_name(ValueType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "UNKNOWN";
}

std::optional<ValueType> value_type_from_name(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- Scalar

Result<Scalar> Scalar::from_double(double value) {
  if (!std::isfinite(value)) return Error("scalar must be a finite number");
  if (std::fabs(value) > kMaxInput) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", value);
    return Error(std::string("scalar ") + buf + " is out of range (at most 1000000000000)");
  }
  return Scalar(std::llround(value * 1000));
}

Result<Scalar> Scalar::parse(std::string_view text) {
  const std::string not_a_number =
      quote(text) + " is not a number (expected a decimal such as 8, 0.5 or 1e3)";
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // The number is 0.d1d2d3... x 10^point with d1 != 0 (or no digits: zero).
  std::string digits;
  int64_t point = 0;
  bool any_digit = false;
  bool after_dot = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      any_digit = true;
      if (digits.empty() && c == '0') {
        if (after_dot) --point;  // leading zero of the fraction
        continue;
      }
      digits.push_back(c);
      if (!after_dot) ++point;
    } else if (c == '.' && !after_dot) {
      after_dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return Error(not_a_number);
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i >= text.size() || !is_digit(text[i])) return Error(not_a_number);
    int64_t exponent = 0;
    for (; i < text.size() && is_digit(text[i]); ++i) {
      // Clamp: any exponent this large already over- or underflows.
      exponent = std::min<int64_t>(exponent * 10 + (text[i] - '0'), 1'000'000);
    }
    point += exp_negative ? -exponent : exponent;
  }
  if (i != text.size()) return Error(not_a_number);
  if (digits.empty()) return Scalar(0);
  if (point > 13) {
    return Error("scalar " + quote(text) + " is out of range (at most 1000000000000)");
  }
  // Integer part of value * 1000 is d1..d(point+3); the next digit rounds.
  const int64_t whole_digits = point + 3;
  int64_t thousandths = 0;
  for (int64_t k = 0; k < whole_digits; ++k) {
    const int digit = k < static_cast<int64_t>(digits.size()) ? digits[k] - '0' : 0;
    thousandths = thousandths * 10 + digit;
  }
  const int64_t round_at = whole_digits;  // 0-based index of the rounding digit
  if (round_at >= 0 && round_at < static_cast<int64_t>(digits.size()) && digits[round_at] >= '5') {
    ++thousandths;
  }
  if (thousandths > kMaxThousandthsInput) {
    return Error("scalar " + quote(text) + " is out of range (at most 1000000000000)");
  }
  return Scalar(negative ? -thousandths : thousandths);
}

double Scalar::value() const {
  // As Mesos does: divide the integer and fractional parts separately so the
  // only floating-point division is on [0, 999].
  const double quotient = static_cast<double>(thousandths_ / 1000);
  const double remainder = static_cast<double>(thousandths_ % 1000) / 1000.0;
  return quotient + remainder;
}

std::string Scalar::to_string() const {
  // Work in uint64 so that INT64_MIN has a magnitude.
  const bool negative = thousandths_ < 0;
  const uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(thousandths_) : static_cast<uint64_t>(thousandths_);
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / 1000);
  uint64_t fraction = magnitude % 1000;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0')
      digits.pop_back();
    out += "." + digits;
  }
  return out;
}

Scalar& Scalar::operator+=(Scalar other) {
  thousandths_ = saturating_add(thousandths_, other.thousandths_);
  return *this;
}

Scalar& Scalar::operator-=(Scalar other) {
  thousandths_ = saturating_sub(thousandths_, other.thousandths_);
  return *this;
}

// ---------------------------------------------------------------- Ranges

Ranges::Ranges(std::initializer_list<Range> ranges) {
  for (const Range& r : ranges) {
    if (r.begin <= r.end) ranges_.push_back(r);
  }
  std::sort(ranges_.begin(), ranges_.end());
  coalesce_sorted(ranges_);
}

Result<Ranges> Ranges::from(std::vector<Range> ranges, bool allow_overlap) {
  for (const Range& r : ranges) {
    if (r.begin > r.end) {
      return Error("begin " + std::to_string(r.begin) + " > end " + std::to_string(r.end));
    }
  }
  std::sort(ranges.begin(), ranges.end());
  if (!allow_overlap) {
    for (size_t i = 1; i < ranges.size(); ++i) {
      if (ranges[i].begin <= ranges[i - 1].end) {
        return Error("ranges [" + std::to_string(ranges[i - 1].begin) + "-" +
                     std::to_string(ranges[i - 1].end) + "] and [" +
                     std::to_string(ranges[i].begin) + "-" + std::to_string(ranges[i].end) +
                     "] overlap");
      }
    }
  }
  coalesce_sorted(ranges);
  Ranges result;
  result.ranges_ = std::move(ranges);
  return result;
}

Result<Ranges> Ranges::parse(std::string_view text) {
  const std::string compact = strip_whitespace(text);
  const std::string prefix = "invalid ranges " + quote(compact) + ": ";
  const std::string expected = "; expected [begin-end,...] such as [31000-32000,40000-40010]";
  std::string_view rest = compact;
  if (rest.empty() || rest.front() != '[') {
    return Error(prefix + "must start with '['" + expected);
  }
  const size_t close = rest.find(']');
  if (close == std::string_view::npos) return Error(prefix + "missing closing ']'" + expected);
  if (close + 1 != rest.size()) {
    return Error(prefix + "unexpected " + quote(rest.substr(close + 1)) + " after ']'");
  }
  const std::string_view body = rest.substr(1, close - 1);
  std::vector<Range> ranges;
  if (!body.empty()) {
    for (std::string_view piece : resources_text::split(body, ',')) {
      const auto bounds = resources_text::split(piece, '-');
      if (bounds.size() != 2) {
        return Error(prefix + "expected begin-end, got " + quote(piece) + expected);
      }
      auto begin = parse_uint64(bounds[0]);
      if (!begin) return Error(prefix + begin.error() + expected);
      auto end = parse_uint64(bounds[1]);
      if (!end) return Error(prefix + end.error() + expected);
      ranges.push_back({*begin, *end});
    }
  }
  auto result = from(std::move(ranges), /*allow_overlap=*/true);
  if (!result) return Error(prefix + result.error());
  return result;
}

uint64_t Ranges::size() const {
  uint64_t total = 0;
  for (const Range& r : ranges_) {
    const uint64_t span = r.end - r.begin;  // count - 1, cannot overflow
    if (span == std::numeric_limits<uint64_t>::max() ||
        __builtin_add_overflow(total, span + 1, &total)) {
      return std::numeric_limits<uint64_t>::max();
    }
  }
  return total;
}

bool Ranges::contains(uint64_t value) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), value,
                             [](uint64_t v, const Range& r) { return v < r.begin; });
  if (it == ranges_.begin()) return false;
  --it;
  return value <= it->end;
}

bool Ranges::contains(const Ranges& other) const {
  // Both lists are sorted and coalesced, so each interval of `other` must lie
  // inside a single interval of this one.
  size_t i = 0;
  for (const Range& r : other.ranges_) {
    while (i < ranges_.size() && ranges_[i].end < r.begin)
      ++i;
    if (i == ranges_.size() || ranges_[i].begin > r.begin || ranges_[i].end < r.end) {
      return false;
    }
  }
  return true;
}

Ranges& Ranges::add(Range range) {
  if (range.begin > range.end) return *this;
  auto it = std::lower_bound(ranges_.begin(), ranges_.end(), range);
  ranges_.insert(it, range);
  coalesce_sorted(ranges_);
  return *this;
}

Ranges& Ranges::operator+=(const Ranges& other) {
  if (other.ranges_.empty()) return *this;
  std::vector<Range> merged;
  merged.reserve(ranges_.size() + other.ranges_.size());
  std::merge(ranges_.begin(), ranges_.end(), other.ranges_.begin(), other.ranges_.end(),
             std::back_inserter(merged));
  coalesce_sorted(merged);
  ranges_ = std::move(merged);
  return *this;
}

Ranges& Ranges::operator-=(const Ranges& other) {
  if (other.ranges_.empty() || ranges_.empty()) return *this;
  std::vector<Range> out;
  out.reserve(ranges_.size() + other.ranges_.size());
  size_t j = 0;
  for (const Range& a : ranges_) {
    uint64_t low = a.begin;
    bool remaining = true;
    while (j < other.ranges_.size() && other.ranges_[j].end < low)
      ++j;
    for (size_t k = j; k < other.ranges_.size() && other.ranges_[k].begin <= a.end; ++k) {
      const Range& b = other.ranges_[k];
      if (b.begin > low) out.push_back({low, b.begin - 1});
      if (b.end >= a.end) {
        remaining = false;
        break;
      }
      low = b.end + 1;  // b.end < a.end, so no overflow
    }
    if (remaining) out.push_back({low, a.end});
  }
  ranges_ = std::move(out);
  return *this;
}

std::string Ranges::to_string() const {
  std::string out = "[";
  for (size_t i = 0; i < ranges_.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(ranges_[i].begin) + "-" + std::to_string(ranges_[i].end);
  }
  return out + "]";
}

std::string Ranges::to_mesos_string() const {
  std::string out = "[";
  for (size_t i = 0; i < ranges_.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(ranges_[i].begin) + "-" + std::to_string(ranges_[i].end);
  }
  return out + "]";
}

// ---------------------------------------------------------------- Set

Set::Set(std::initializer_list<std::string> items) : Set(std::vector<std::string>(items)) {}

Set::Set(std::vector<std::string> items) : items_(std::move(items)) {
  std::sort(items_.begin(), items_.end());
  items_.erase(std::unique(items_.begin(), items_.end()), items_.end());
}

std::optional<std::string> Set::item_problem(std::string_view item) {
  return resources_text::word_problem(item, ";:()[]{},");
}

Result<Set> Set::parse(std::string_view text) {
  const std::string compact = strip_whitespace(text);
  const std::string prefix = "invalid set " + quote(compact) + ": ";
  const std::string expected = "; expected {item,...} such as {ssd1,ssd2}";
  std::string_view rest = compact;
  if (rest.empty() || rest.front() != '{') return Error(prefix + "must start with '{'" + expected);
  const size_t close = rest.find('}');
  if (close == std::string_view::npos) return Error(prefix + "missing closing '}'" + expected);
  if (close + 1 != rest.size()) {
    return Error(prefix + "unexpected " + quote(rest.substr(close + 1)) + " after '}'");
  }
  const std::string_view body = rest.substr(1, close - 1);
  std::vector<std::string> items;
  if (!body.empty()) {
    for (std::string_view item : resources_text::split(body, ',')) {
      if (auto problem = item_problem(item)) {
        return Error(prefix + "item " + quote(item) + " is invalid because " + *problem + expected);
      }
      items.emplace_back(item);
    }
  }
  std::sort(items.begin(), items.end());
  auto dup = std::adjacent_find(items.begin(), items.end());
  if (dup != items.end()) return Error(prefix + "duplicate item " + quote(*dup));
  return Set(std::move(items));
}

bool Set::contains(std::string_view item) const {
  return std::binary_search(items_.begin(), items_.end(), item, std::less<>());
}

bool Set::contains(const Set& other) const {
  return std::includes(items_.begin(), items_.end(), other.items_.begin(), other.items_.end());
}

Set& Set::operator+=(const Set& other) {
  if (other.items_.empty()) return *this;
  std::vector<std::string> merged;
  merged.reserve(items_.size() + other.items_.size());
  std::set_union(items_.begin(), items_.end(), other.items_.begin(), other.items_.end(),
                 std::back_inserter(merged));
  items_ = std::move(merged);
  return *this;
}

Set& Set::operator-=(const Set& other) {
  if (other.items_.empty() || items_.empty()) return *this;
  std::vector<std::string> left;
  left.reserve(items_.size());
  std::set_difference(items_.begin(), items_.end(), other.items_.begin(), other.items_.end(),
                      std::back_inserter(left));
  items_ = std::move(left);
  return *this;
}

std::string Set::to_string() const {
  std::string out = "{";
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i > 0) out += ",";
    out += items_[i];
  }
  return out + "}";
}

std::string Set::to_mesos_string() const {
  std::string out = "{";
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i > 0) out += ", ";
    out += items_[i];
  }
  return out + "}";
}

// ---------------------------------------------------------------- variants

ValueType type_of(const ResourceValue& value) {
  switch (value.index()) {
    case 0:
      return ValueType::kScalar;
    case 1:
      return ValueType::kRanges;
    default:
      return ValueType::kSet;
  }
}

ValueType type_of(const AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return ValueType::kScalar;
    case 1:
      return ValueType::kRanges;
    case 2:
      return ValueType::kSet;
    default:
      return ValueType::kText;
  }
}

std::string to_string(const ResourceValue& value) {
  return std::visit([](const auto& v) { return v.to_string(); }, value);
}

std::string to_string(const AttributeValue& value) {
  if (const auto* text = std::get_if<Text>(&value)) return text->value;
  return std::visit(
      [](const auto& v) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Text>) {
          return v.value;
        } else {
          return v.to_string();
        }
      },
      value);
}

std::ostream& operator<<(std::ostream& out, const Scalar& scalar) {
  return out << scalar.to_string();
}

std::ostream& operator<<(std::ostream& out, const Ranges& ranges) {
  return out << ranges.to_string();
}

std::ostream& operator<<(std::ostream& out, const Set& set) {
  return out << set.to_string();
}

}  // namespace cairn
