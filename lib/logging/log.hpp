// Logging calls for all Cairn code: log::info("agent {} registered", id).
//
// Messages use fmt format strings, checked at compile time, and carry the
// caller's file and line (printed glog-style, sent to journald as
// CODE_FILE/CODE_LINE). This header includes only <fmt/core.h>: spdlog, which
// is slow to compile, stays in log.cpp and logging.cpp. A disabled level
// costs one atomic load; the message is not formatted.
//
// Until init_logging() (logging.hpp) runs, messages at INFO and above go to
// stderr, so tools and tests need no setup.
#pragma once

#include <fmt/core.h>

#include <concepts>
#include <string_view>
#include <type_traits>
#include <utility>

#include "lib/logging/level.hpp"

namespace cairn::log {

struct SourceLocation {
  const char* file;
  int line;
  const char* function;
};

// A compile-time checked format string and the location of the call that
// wrote it: default arguments are evaluated at the call site. (The builtins
// rather than std::source_location because clang 14, used for fuzzing, has
// no std::source_location with libstdc++ 12.)
template <typename... Args>
struct FormatAt {
  template <typename S>
  requires std::convertible_to<const S&, std::string_view>
  consteval FormatAt(const S& text,  // NOLINT: implicit so that callers pass a literal
                     const char* file = __builtin_FILE(), int line = __builtin_LINE(),
                     const char* function = __builtin_FUNCTION())
      : format(text), location{file, line, function} {}

  fmt::format_string<Args...> format;
  SourceLocation location;
};

bool enabled(LogLevel level);

// Writes an already formatted message; the functions below call it.
void write(LogLevel level, const SourceLocation& where, std::string_view message);

template <typename... Args>
void message(LogLevel level, FormatAt<std::type_identity_t<Args>...> format, Args&&... args) {
  if (!enabled(level)) return;
  write(level, format.location,
        fmt::vformat(fmt::string_view(format.format), fmt::make_format_args(args...)));
}

template <typename... Args>
void trace(FormatAt<std::type_identity_t<Args>...> format, Args&&... args) {
  message<Args...>(LogLevel::kTrace, format, std::forward<Args>(args)...);
}
template <typename... Args>
void debug(FormatAt<std::type_identity_t<Args>...> format, Args&&... args) {
  message<Args...>(LogLevel::kDebug, format, std::forward<Args>(args)...);
}
template <typename... Args>
void info(FormatAt<std::type_identity_t<Args>...> format, Args&&... args) {
  message<Args...>(LogLevel::kInfo, format, std::forward<Args>(args)...);
}
template <typename... Args>
void warning(FormatAt<std::type_identity_t<Args>...> format, Args&&... args) {
  message<Args...>(LogLevel::kWarning, format, std::forward<Args>(args)...);
}
template <typename... Args>
void error(FormatAt<std::type_identity_t<Args>...> format, Args&&... args) {
  message<Args...>(LogLevel::kError, format, std::forward<Args>(args)...);
}

}  // namespace cairn::log
