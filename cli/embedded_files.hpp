// Files built into the `cairn` binary so that it works without the source
// tree: the commented example spec and the JSON Schema of the spec.
#pragma once

#include <string_view>

namespace cairn::cli {

extern const std::string_view kExampleSpec;
extern const std::string_view kSpecSchema;

}  // namespace cairn::cli
