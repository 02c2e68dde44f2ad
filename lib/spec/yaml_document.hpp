// Turning spec text into a YAML tree without letting hostile text crash or
// stall the process.
//
// parse_yaml() refuses text over `max_bytes`, text that is not UTF-8 or holds
// a NUL byte, text with more than 250,000 YAML values, and files with more
// than one YAML document, and turns every yaml-cpp error (syntax errors,
// nesting deeper than yaml-cpp's limit of 500 levels, inputs on which
// yaml-cpp would loop) into one located Diagnostic. The tree it returns may
// still use anchors and aliases; NodeReader bounds the work of walking it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lib/spec/diagnostic.hpp"

namespace cairn::spec {

struct YamlParse {
  YAML::Node root;                    // a Null node for an empty document
  std::optional<Diagnostic> problem;  // set when there is no tree
};

YamlParse parse_yaml(std::string_view text, const std::string& file, size_t max_bytes);

// A yaml-cpp position as 1-based line and column; {0, 0} when unknown.
std::pair<int, int> position_of(const YAML::Mark& mark);

}  // namespace cairn::spec
