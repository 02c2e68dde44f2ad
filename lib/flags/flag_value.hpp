// Flag values: how each flag type is read from text and written back.
//
// A FlagCodec<T> names a type for the usage text ("DURATION"), parses the
// text given on the command line or in the environment, and formats a value
// back to text (for --help defaults and the GET_FLAGS / `/flags` listings).
// builtin_codec<T>() provides the codecs of the types every daemon uses:
// std::string, bool, the integer types (range checked, so a uint16_t port
// refuses 70000), double, cairn::Duration and cairn::Bytes. A program with a
// type of its own passes its own FlagCodec to FlagSet::add_custom().
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "lib/base/result.hpp"
#include "lib/units/bytes.hpp"
#include "lib/units/duration.hpp"

namespace cairn::flags {

template <typename T>
struct FlagCodec {
  std::string type_name;  // upper case, shown as --name=TYPE_NAME in the usage text
  std::function<Result<T>(std::string_view)> parse;
  std::function<std::string(const T&)> format;
};

// Parsers and formatters of the built-in types. Parse errors say what the
// text was and what would have been valid; FlagSet prefixes them with the flag.
Result<std::string> parse_string(std::string_view text);
Result<bool> parse_bool(std::string_view text);  // true/false (any case), 1/0
Result<double> parse_double(std::string_view text);
std::string format_bool(bool value);
std::string format_double(double value);

template <std::integral T>
requires(!std::same_as<T, bool>) std::string integer_type_name() {
  return std::string(std::is_signed_v<T> ? "INT" : "UINT") +
         std::to_string(std::numeric_limits<T>::digits + (std::is_signed_v<T> ? 1 : 0));
}

template <std::integral T>
requires(!std::same_as<T, bool>) Result<T> parse_integer(std::string_view text) {
  const std::string expected = "expected an integer from " +
                               std::to_string(std::numeric_limits<T>::min()) + " to " +
                               std::to_string(std::numeric_limits<T>::max());
  T value{};
  const char* first = text.data();
  const char* last = text.data() + text.size();
  // from_chars refuses a leading '+'; accept it since people write "+5".
  if (first != last && *first == '+') ++first;
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range) {
    return Error("'" + std::string(text) + "' is out of range: " + expected);
  }
  if (ec != std::errc() || end != last || first == last) {
    return Error("invalid " + integer_type_name<T>() + " '" + std::string(text) + "': " + expected);
  }
  return value;
}

// The codec of a built-in type; a compile error names the type otherwise.
template <typename T>
FlagCodec<T> builtin_codec() {
  if constexpr (std::same_as<T, std::string>) {
    return {"STRING", parse_string, [](const std::string& v) { return v; }};
  } else if constexpr (std::same_as<T, bool>) {
    return {"BOOL", parse_bool, format_bool};
  } else if constexpr (std::integral<T>) {
    return {integer_type_name<T>(), parse_integer<T>, [](T v) { return std::to_string(v); }};
  } else if constexpr (std::same_as<T, double>) {
    return {"DOUBLE", parse_double, format_double};
  } else if constexpr (std::same_as<T, Duration>) {
    return {"DURATION", Duration::parse, [](const Duration& d) { return d.to_string(); }};
  } else if constexpr (std::same_as<T, Bytes>) {
    return {"BYTES", Bytes::parse, [](const Bytes& b) { return b.to_string(); }};
  } else {
    static_assert(!sizeof(T), "no built-in flag codec for this type: use FlagSet::add_custom()");
  }
}

// std::optional<T> flags: "unset" is a state of their own, not a default.
template <typename T>
struct OptionalTraits {
  static constexpr bool is_optional = false;
  using value_type = T;
};
template <typename T>
struct OptionalTraits<std::optional<T>> {
  static constexpr bool is_optional = true;
  using value_type = T;
};

}  // namespace cairn::flags
