// Diagnostic: one problem found in a cluster spec, with its location.
//
// Printed as `FILE:LINE:COLUMN: key.path: what is wrong (got X; expected Y)`
// so editors and CI logs can jump to it. Lines and columns are 1-based; a
// problem with the whole file (unreadable, empty) has line 0 and prints as
// `FILE: message`.
#pragma once

#include <string>
#include <vector>

namespace cairn::spec {

struct Diagnostic {
  std::string file;
  int line = 0;      // 1-based; 0: the whole file
  int column = 0;    // 1-based
  std::string path;  // "masters[1].host"; empty for the whole document
  std::string message;

  std::string to_string() const;
};

// Sorted by position, then path.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

}  // namespace cairn::spec
