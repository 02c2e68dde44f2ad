// The process environment as a map, so that flag parsing can be tested with
// an environment of the test's choosing instead of the real one.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace cairn::flags {

using Environment = std::map<std::string, std::string, std::less<>>;

// A copy of this process's environment (from `environ`).
Environment process_environment();

}  // namespace cairn::flags
