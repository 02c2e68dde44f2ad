#include "lib/spec/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace cairn::spec {

std::string Diagnostic::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column, a.path) < std::tie(b.line, b.column, b.path);
                   });
}

}  // namespace cairn::spec
