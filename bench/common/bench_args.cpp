#include "bench/common/bench_args.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace cairn::bench {

bool parse_size(const char* program, const std::string& arg, const char* name, size_t* out) {
  const std::string prefix = std::string("--") + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  const std::string value = arg.substr(prefix.size());
  char* end = nullptr;
  errno = 0;
  unsigned long long parsed = std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || value[0] == '-') {
    std::fprintf(stderr, "%s: --%s needs a non-negative integer, got '%s'\n", program, name,
                 value.c_str());
    std::exit(2);
  }
  *out = static_cast<size_t>(parsed);
  return true;
}

bool parse_duration(const char* program, const std::string& arg, const char* name, Duration* out) {
  const std::string prefix = std::string("--") + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  Result<Duration> parsed = Duration::parse(arg.substr(prefix.size()));
  if (!parsed.ok() || parsed->ns() < 0) {
    std::fprintf(stderr, "%s: --%s needs a duration (e.g. 10secs, 500ms): %s\n", program, name,
                 parsed.ok() ? "negative" : parsed.error().c_str());
    std::exit(2);
  }
  *out = *parsed;
  return true;
}

}  // namespace cairn::bench
