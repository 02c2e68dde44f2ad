// The Mesos JSON files a spec may point at, checked for the shape Mesos
// reads them in, so that a typo fails validation instead of a master start:
//
//   credentials  {"credentials":[{"principal":"ops","secret":"..."}]}
//   ACLs         {"permissive":false,"register_frameworks":[{"principals":
//                 {"values":["fw"]},"roles":{"type":"ANY"}}], ...}
//   rate limits  {"limits":[{"principal":"fw","qps":10,"capacity":100}],
//                 "aggregate_default_qps":5,"aggregate_default_capacity":100}
//
// ACL kinds and the object field of each rule are those of Mesos'
// acls.proto. Unknown keys are errors (with "did you mean"), as are
// principals listed twice. Each check returns every problem found, at most
// 20, each reading after "file 'PATH': ": "is not valid JSON: parse error at
// line 3, column 5: ..." or "limits[0].qps: must be a number > 0 (got -1)".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::spec {

std::vector<std::string> check_credentials_json(std::string_view text);
std::vector<std::string> check_acls_json(std::string_view text);
std::vector<std::string> check_rate_limits_json(std::string_view text);

}  // namespace cairn::spec
