// Command-line flags of the benches: "--name=value" arguments read one at a
// time in main()'s loop. A flag whose value does not parse ends the program
// with status 2 and a message naming the program, as a usage error should:
// a bench must not run a configuration it was not asked for.
#pragma once

#include <cstddef>
#include <string>

#include "lib/units/duration.hpp"

namespace cairn::bench {

// True when `arg` is --<name>=..., with its value (a non-negative integer)
// in *out; false when `arg` is another flag.
bool parse_size(const char* program, const std::string& arg, const char* name, size_t* out);

// Likewise for a non-negative duration ("10secs", "500ms").
bool parse_duration(const char* program, const std::string& arg, const char* name, Duration* out);

}  // namespace cairn::bench
