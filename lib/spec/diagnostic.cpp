#include "lib/spec/diagnostic.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "lib/spec/utf8.hpp"

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

std::string quote_value(std::string_view value, size_t max_bytes) {
  std::string out = "'";
  size_t i = 0;
  while (i < value.size()) {
    if (i >= max_bytes) {
      out += "...";
      break;
    }
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
    } else if (const size_t n = c >= 0x80 ? utf8_sequence_length(value, i) : 0; n > 0) {
      out.append(value.substr(i, n));
      i += n;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
      ++i;
    }
  }
  return out + "'";
}

}  // namespace cairn::spec
