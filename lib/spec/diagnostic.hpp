// Diagnostic: one problem found in a cluster spec, with its location.
//
// Printed as `FILE:LINE:COLUMN: key.path: what is wrong (got X; expected Y)`
// so that editors and CI logs can jump to it. Lines and columns are 1-based;
// a problem with the whole file (unreadable, too large, not UTF-8 without a
// position) has line 0 and prints as `FILE: message`. quote_value() is how
// every message shows a value taken from the file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::spec {

struct Diagnostic {
  std::string file;
  int line = 0;      // 1-based; 0: the whole file
  int column = 0;    // 1-based
  std::string path;  // "masters[1].host"; empty for the whole document
  std::string message;

  std::string to_string() const;
  bool operator==(const Diagnostic&) const = default;
};

// By line, then column, then path; whole-file problems first. Stable, so
// problems at one position keep the order they were found in.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

// 'value' in single quotes, safe to print on a terminal: control characters
// and bytes that are not UTF-8 become \xNN, and values over `max_bytes` are
// cut (at a character boundary) and end in "...". File paths pass a larger
// limit, since a cut path is of no use.
std::string quote_value(std::string_view value, size_t max_bytes = 60);

}  // namespace cairn::spec
