#include "lib/flags/environment.hpp"

#include <unistd.h>

#include <string_view>

namespace cairn::flags {

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    // Entries without '=' are malformed; the first occurrence of a name wins,
    // as with getenv().
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

}  // namespace cairn::flags
