// yaml-cpp calls that can throw (conversions, lookups on invalid nodes) are
// avoided: types are checked before values are read, and keys are looked up
// in Mapping's own list, built once per mapping, not with operator[].
#include "lib/spec/node_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "lib/base/suggest.hpp"
#include "lib/spec/yaml_document.hpp"

namespace cairn::spec {
namespace {

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

bool is_quoted(const YAML::Node& scalar) {
  return scalar.Tag() == "!";
}

std::string list_of(std::span<const std::string_view> keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

// The text of a scalar, without YAML's optional leading '+' on numbers.
std::string_view unsigned_digits(std::string_view text) {
  return text.starts_with('+') ? text.substr(1) : text;
}

}  // namespace

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return quote_value(node.Scalar()) + (is_quoted(node) ? " in quotes" : "");
    default:
      return "nothing";
  }
}

std::string join_path(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

std::string index_path(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

YAML::Node Mapping::get(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return e.value;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node Mapping::key_node(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return e.key_node;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

bool Mapping::has(std::string_view key) const {
  const YAML::Node value = get(key);
  return value.IsDefined() && !value.IsNull();
}

void NodeReader::error(const YAML::Node& at, const std::string& path, std::string message) {
  if (truncated_) return;
  if (out_.size() >= kMaxDiagnostics) {
    truncated_ = true;
    stopped_ = true;
    return;
  }
  auto [line, column] = position_of(at.IsDefined() ? at.Mark() : YAML::Mark::null_mark());
  if (line == 0) std::tie(line, column) = std::pair{1, 1};
  out_.push_back({file_, line, column, path, std::move(message)});
}

void NodeReader::error(const Mapping& map, std::string_view key, std::string message) {
  const YAML::Node value = map.get(key);
  const YAML::Node name = map.key_node(key);
  const YAML::Node& at = value.IsDefined() && !value.IsNull() ? value
                         : name.IsDefined()                   ? name
                                                              : map.node();
  error(at, map.path_of(key), std::move(message));
}

bool NodeReader::visit(const YAML::Node& at, size_t n) {
  if (stopped_) return false;
  visits_ += n;
  if (visits_ <= kMaxVisits) return true;
  error(at, "",
        "the spec is too large once its YAML aliases are expanded (more than " +
            std::to_string(kMaxVisits) + " values; expected fewer repeated aliases)");
  stopped_ = true;
  return false;
}

std::optional<Mapping> NodeReader::mapping(const YAML::Node& node, const std::string& path,
                                           std::span<const std::string_view> keys,
                                           std::string_view expected) {
  if (!node.IsMap()) {
    error(node, path,
          "must be a mapping (got " + describe(node) + "; expected " + std::string(expected) + ")");
    return std::nullopt;
  }
  if (!visit(node, node.size() + 1)) return std::nullopt;
  Mapping map;
  map.node_ = node;
  map.path_ = path;
  std::map<std::string, YAML::Mark> seen;
  for (auto it = node.begin(); it != node.end() && !stopped_; ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      error(key, path, "keys must be text (got " + describe(key) + " as a key)");
      continue;
    }
    const std::string& name = key.Scalar();
    if (auto [first, inserted] = seen.emplace(name, key.Mark()); !inserted) {
      const auto [line, column] = position_of(first->second);
      error(key, join_path(path, name),
            "key is given more than once (first at line " + std::to_string(line) +
                "; YAML would silently keep only one of them)");
      continue;
    }
    if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
      std::string message = "unknown key";
      if (name == "<<") {
        message += " (YAML merge keys are not supported; write the keys out)";
      } else if (auto guess = closest_match(name, keys)) {
        message += " (did you mean '" + *guess + "'?)";
      } else {
        message += " (expected one of: " + list_of(keys) + ")";
      }
      error(key, join_path(path, name), std::move(message));
      continue;
    }
    map.entries_.push_back({name, key, it->second});
  }
  return map;
}

std::optional<YAML::Node> NodeReader::present(const Mapping& parent, std::string_view key,
                                              Need need, std::string_view expected) {
  const YAML::Node value = parent.get(key);
  if (value.IsDefined() && !value.IsNull()) return value;
  if (need == Need::kRequired) {
    if (value.IsDefined()) {
      error(parent, key, "needs a value (expected " + std::string(expected) + ")");
    } else {
      error(parent.node(), parent.path_of(key),
            "is required (expected " + std::string(expected) + ")");
    }
  }
  return std::nullopt;
}

std::optional<Mapping> NodeReader::section(const Mapping& parent, std::string_view key, Need need,
                                           std::span<const std::string_view> keys,
                                           std::string_view expected) {
  const auto value = present(parent, key, need, expected);
  if (!value) return std::nullopt;
  return mapping(*value, parent.path_of(key), keys, expected);
}

std::optional<YAML::Node> NodeReader::list(const Mapping& parent, std::string_view key, Need need,
                                           std::string_view expected) {
  const auto value = present(parent, key, need, expected);
  if (!value) return std::nullopt;
  if (!value->IsSequence()) {
    error(*value, parent.path_of(key),
          "must be a list (got " + describe(*value) + "; expected " + std::string(expected) + ")");
    return std::nullopt;
  }
  if (!visit(*value, value->size() + 1)) return std::nullopt;
  return value;
}

std::optional<std::string> NodeReader::text(const YAML::Node& value, const std::string& path,
                                            std::string_view expected) {
  if (!value.IsScalar()) {
    error(value, path,
          "must be text (got " + describe(value) + "; expected " + std::string(expected) + ")");
    return std::nullopt;
  }
  return value.Scalar();
}

std::optional<std::string> NodeReader::text(const Mapping& parent, std::string_view key, Need need,
                                            std::string_view expected) {
  const auto value = present(parent, key, need, expected);
  if (!value) return std::nullopt;
  return text(*value, parent.path_of(key), expected);
}

std::optional<std::string> NodeReader::text(const Mapping& parent, std::string_view key, Need need,
                                            std::string_view expected,
                                            Status (*rule)(std::string_view)) {
  auto value = text(parent, key, need, expected);
  if (!value) return std::nullopt;
  if (Status s = rule(*value); !s) {
    error(parent, key, s.error());
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> NodeReader::typed_scalar(const YAML::Node& value,
                                                    const std::string& path,
                                                    std::span<const std::string_view> tags,
                                                    std::string_view type,
                                                    std::string_view expected) {
  const std::string must = "must be " + std::string(type);
  if (!value.IsScalar()) {
    error(value, path,
          must + " (got " + describe(value) + "; expected " + std::string(expected) + ")");
    return std::nullopt;
  }
  const std::string& yaml_tag = value.Tag();
  const bool typed =
      yaml_tag == "?" ||
      (yaml_tag.starts_with(kYamlTagPrefix) &&
       std::find(tags.begin(), tags.end(),
                 std::string_view(yaml_tag).substr(kYamlTagPrefix.size())) != tags.end());
  if (!typed) {
    error(value, path,
          must + ", not text (got " + describe(value) + "; expected " + std::string(expected) +
              (is_quoted(value) ? ", without quotes)" : ")"));
    return std::nullopt;
  }
  return value.Scalar();
}

std::optional<int64_t> NodeReader::integer(const Mapping& parent, std::string_view key,
                                           std::string_view what, int64_t min, int64_t max) {
  static constexpr std::string_view kTags[] = {"int"};
  const std::string expected = std::to_string(min) + ".." + std::to_string(max);
  const auto value = present(parent, key, Need::kOptional, expected);
  if (!value) return std::nullopt;
  const std::string path = parent.path_of(key);
  const auto text = typed_scalar(*value, path, kTags, "a whole number", expected);
  if (!text) return std::nullopt;
  const std::string_view digits = unsigned_digits(*text);
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < min || n > max) {
    error(*value, path,
          "is not a valid " + std::string(what) + " (got " + describe(*value) + "; expected " +
              expected + ")");
    return std::nullopt;
  }
  return n;
}

std::optional<double> NodeReader::positive_number(const Mapping& parent, std::string_view key,
                                                  std::string_view what) {
  static constexpr std::string_view kTags[] = {"int", "float"};
  constexpr std::string_view kExpected = "a number > 0";
  const auto value = present(parent, key, Need::kOptional, kExpected);
  if (!value) return std::nullopt;
  const std::string path = parent.path_of(key);
  const auto text = typed_scalar(*value, path, kTags, "a number", kExpected);
  if (!text) return std::nullopt;
  const std::string_view digits = unsigned_digits(*text);
  double n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(n) || n <= 0) {
    error(*value, path,
          "is not a valid " + std::string(what) + " (got " + describe(*value) + "; expected " +
              std::string(kExpected) + ")");
    return std::nullopt;
  }
  return n;
}

std::optional<bool> NodeReader::boolean(const Mapping& parent, std::string_view key) {
  constexpr std::string_view kExpected = "true or false";
  const auto value = present(parent, key, Need::kOptional, kExpected);
  if (!value) return std::nullopt;
  const std::string path = parent.path_of(key);
  static constexpr std::string_view kTags[] = {"bool"};
  if (!typed_scalar(*value, path, kTags, "true or false", kExpected)) return std::nullopt;
  bool b = false;
  if (!YAML::convert<bool>::decode(*value, b)) {
    error(*value, path, "must be true or false (got " + describe(*value) + ")");
    return std::nullopt;
  }
  return b;
}

}  // namespace cairn::spec
