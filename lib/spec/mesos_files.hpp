// The JSON files a spec may point at, checked for the shape Mesos expects:
// credentials ({"credentials":[{"principal":..,"secret":..}]}), ACLs (an
// object of known rule lists) and rate limits ({"limits":[{"principal":..,
// "qps":..}]}). Each check returns "" or a message saying what is wrong.
#pragma once

#include <string>

namespace cairn::spec {

std::string check_credentials_json(const std::string& text);
std::string check_acls_json(const std::string& text);
std::string check_rate_limits_json(const std::string& text);

}  // namespace cairn::spec
