// Helpers shared by the lib/spec unit tests: options that never touch DNS,
// loading text, and finding the diagnostic for one key path.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lib/spec/load_spec.hpp"

namespace cairn::spec::testing {

// Only these names "resolve"; every other name fails like getaddrinfo would.
inline ValidationOptions no_dns_options(bool check_files = false) {
  ValidationOptions o;
  o.check_files = check_files;
  o.resolve = [](const std::string& name) -> Status {
    if (name == "m1.example.com" || name == "zk1.example.com" || name == "M1.EXAMPLE.COM") {
      return ok_status();
    }
    return Error("Name or service not known");
  };
  return o;
}

inline SpecLoad load(const std::string& text) {
  return load_spec_text(text, "cluster.yaml", no_dns_options());
}

// Every diagnostic printed, for failure messages.
inline std::string all(const SpecLoad& l) {
  std::string out;
  for (const auto& d : l.diagnostics)
    out += d.to_string() + "\n";
  return out;
}

// The one diagnostic for `path`; fails the test unless there is exactly one.
inline Diagnostic only(const SpecLoad& l, const std::string& path) {
  std::vector<Diagnostic> found;
  for (const auto& d : l.diagnostics) {
    if (d.path == path) found.push_back(d);
  }
  EXPECT_EQ(found.size(), 1u) << "diagnostics for " << path << ":\n" << all(l);
  return found.empty() ? Diagnostic{} : found[0];
}

// The smallest valid spec.
inline constexpr const char* kMinimal =
    "apiVersion: cairn/v1\n"
    "cluster: {name: c1, version: 1.0.0}\n"
    "masters: [{host: 10.0.0.1}]\n";

}  // namespace cairn::spec::testing
