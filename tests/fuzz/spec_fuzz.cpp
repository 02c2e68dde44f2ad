// Fuzzes the cluster spec loader: any bytes must give either a spec or
// diagnostics, never a crash, a hang or a diagnostic without a message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/spec/host_check.hpp"
#include "lib/spec/load_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cairn::spec::ValidationOptions options;
  options.check_files = false;
  options.resolve = [](const std::string&) { return false; };  // no DNS while fuzzing
  const std::string text(reinterpret_cast<const char*>(data), size);
  cairn::spec::SpecLoad load = cairn::spec::load_spec_text(text, "fuzz.yaml", options);
  if (load.ok() != load.diagnostics.empty()) __builtin_trap();
  for (const auto& d : load.diagnostics) {
    if (d.message.empty()) __builtin_trap();
  }
  if (load.ok() &&
      (load.spec->masters.empty() || load.spec->quorum() > load.spec->masters.size())) {
    __builtin_trap();
  }
  return 0;
}
