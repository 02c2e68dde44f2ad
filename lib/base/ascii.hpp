// ASCII case folding for protocol names (hostnames, enum names, headers):
// locale-independent, unlike std::tolower on a locale-aware string.
#pragma once

#include <string>

namespace cairn {

inline std::string ascii_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace cairn
