// Base64 (RFC 4648, standard alphabet, '=' padding): how Mesos' JSON
// encoding writes `bytes` fields such as TaskStatus.uuid and the data of
// framework messages. encode() always pads; decode() accepts padded input
// and input whose padding was left off, and refuses any other character,
// misplaced padding or a length that cannot come from an encoding.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::base64 {

std::string encode(std::string_view bytes);
Result<std::string> decode(std::string_view text);

}  // namespace cairn::base64
