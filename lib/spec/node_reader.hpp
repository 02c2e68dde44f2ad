// Reading a YAML tree into typed values while collecting located problems.
//
// The section readers of the spec (section_readers.hpp) ask a NodeReader
// for "the text under key `name` of this mapping" or "the integer under
// `port`, 1..65535"; the reader either returns the value or records a
// Diagnostic (file, line, column, key path, what is wrong, what was given,
// what is expected) and returns nothing, so that reading goes on and every
// problem is reported in one pass. A Mapping is a YAML mapping whose keys
// have already been checked: unknown keys (with "did you mean"), keys given
// twice (yaml-cpp silently keeps one) and keys that are not text.
//
// YAML types: integers, numbers and booleans must be written plain (5050,
// 2.5, true; "5050" in quotes is text, as in JSON Schema); any scalar is
// accepted as text. A key given with no value (`ssh:` or `ssh: ~`) counts
// as absent. Walking is bounded: every mapping entry and list element
// visited counts, aliases each time they are followed, and after
// kMaxVisits the reader stops with one diagnostic; after kMaxDiagnostics
// problems it stops too and truncated() says so.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/spec/diagnostic.hpp"

namespace cairn::spec {

enum class Need { kOptional, kRequired };

// "a mapping", "a list", "nothing" or the quoted scalar, for "(got X)".
std::string describe(const YAML::Node& node);

// "masters" + "host" -> "masters.host"; "" + "masters" -> "masters".
std::string join_path(std::string_view path, std::string_view key);
// "masters" + 1 -> "masters[1]".
std::string index_path(std::string_view path, size_t index);

class Mapping {
 public:
  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  // The value of `key`, or an undefined node when the key is absent.
  YAML::Node get(std::string_view key) const;
  // The key itself (for its position), or an undefined node.
  YAML::Node key_node(std::string_view key) const;
  bool has(std::string_view key) const;  // present and not null
  std::string path_of(std::string_view key) const { return join_path(path_, key); }

 private:
  friend class NodeReader;
  YAML::Node node_;
  std::string path_;
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  std::vector<Entry> entries_;  // known keys only; the first of repeated ones
};

class NodeReader {
 public:
  static constexpr size_t kMaxVisits = 1'000'000;
  static constexpr size_t kMaxDiagnostics = 500;

  NodeReader(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  // Records a problem at `at` (or, when `at` has no position, at the start).
  void error(const YAML::Node& at, const std::string& path, std::string message);
  // At the value of `key` when it has one, else at the key, else (absent)
  // at the mapping itself.
  void error(const Mapping& map, std::string_view key, std::string message);

  // No more reading is useful: too many problems, or too much to walk.
  bool stopped() const { return stopped_; }
  bool truncated() const { return truncated_; }

  // `node` must be a mapping; its keys must be among `keys`.
  std::optional<Mapping> mapping(const YAML::Node& node, const std::string& path,
                                 std::span<const std::string_view> keys, std::string_view expected);
  // The mapping under `key`: absent (reported when required) or invalid
  // gives nothing.
  std::optional<Mapping> section(const Mapping& parent, std::string_view key, Need need,
                                 std::span<const std::string_view> keys, std::string_view expected);
  // The list under `key`.
  std::optional<YAML::Node> list(const Mapping& parent, std::string_view key, Need need,
                                 std::string_view expected);

  std::optional<std::string> text(const Mapping& parent, std::string_view key, Need need,
                                  std::string_view expected);
  // Text that must also pass `rule` (value_rules.hpp), whose error message
  // is reported as it is.
  std::optional<std::string> text(const Mapping& parent, std::string_view key, Need need,
                                  std::string_view expected, Status (*rule)(std::string_view));
  // A scalar found elsewhere, e.g. a list element.
  std::optional<std::string> text(const YAML::Node& value, const std::string& path,
                                  std::string_view expected);
  // A whole number in min..max; `what` names it in errors ("port").
  std::optional<int64_t> integer(const Mapping& parent, std::string_view key, std::string_view what,
                                 int64_t min, int64_t max);
  // A finite number > 0 (integers too).
  std::optional<double> positive_number(const Mapping& parent, std::string_view key,
                                        std::string_view what);
  std::optional<bool> boolean(const Mapping& parent, std::string_view key);

  // Counts `n` more nodes walked; false once the walk is over budget.
  bool visit(const YAML::Node& at, size_t n);

 private:
  // The value under `key` if present and not null; reports a missing
  // required key at the mapping.
  std::optional<YAML::Node> present(const Mapping& parent, std::string_view key, Need need,
                                    std::string_view expected);
  // Plain scalars, or ones explicitly tagged with one of `tags` (e.g.
  // "int" for !!int), are typed values; quoted ones are text. Reports
  // anything else.
  std::optional<std::string> typed_scalar(const YAML::Node& value, const std::string& path,
                                          std::span<const std::string_view> tags,
                                          std::string_view type, std::string_view expected);

  std::string file_;
  std::vector<Diagnostic>& out_;
  size_t visits_ = 0;
  bool stopped_ = false;
  bool truncated_ = false;
};

}  // namespace cairn::spec
