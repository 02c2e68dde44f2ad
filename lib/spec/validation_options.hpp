// What validating a cluster spec may touch outside the text itself.
//
// The validator checks that the files a spec names exist and hold what
// Mesos expects, and that host names resolve. Both reach outside the
// process, so callers choose: the installer renders configuration for other
// machines and turns file checks off; tests and the fuzzer inject a
// resolver so that nothing queries DNS.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "lib/base/result.hpp"

namespace cairn::spec {

// OK when `name` (never an IP address) resolves; the error says why not.
using HostResolver = std::function<Status(const std::string& name)>;

struct ValidationOptions {
  // Check that the TLS, credential, ACL and rate-limit files the spec
  // enables exist, and that the JSON ones have the Mesos shape.
  bool check_files = true;
  // Relative file paths in the spec resolve against this folder. Empty:
  // load_spec_file() uses the spec file's folder; load_spec_text() leaves
  // them relative to the current directory.
  std::string base_dir;
  // Empty: resolve_with_getaddrinfo() (host_address.hpp). Each distinct
  // name is resolved once per load.
  HostResolver resolve;
  // Larger specs are refused before parsing (yaml-cpp needs about 500 bytes
  // of memory per value, so this bounds memory too).
  size_t max_bytes = 1024 * 1024;
  // Larger credential, ACL and rate-limit files are refused.
  size_t max_referenced_file_bytes = 1024 * 1024;
};

}  // namespace cairn::spec
