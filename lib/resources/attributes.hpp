// Agent attributes in Mesos syntax: `rack:r1;os:rhel9;level:10`.
//
// Attributes are named values that an agent advertises and the master passes
// to frameworks with every offer, for placement constraints. A value is, by
// Mesos' rule: RANGES when it starts with `[` (`ports:[1-10]`), SET when it
// starts with `{` (`tags:{a,b}`), SCALAR when the whole value is a decimal
// number (`level:10`, `ratio:0.5`, `temp:-3`), and TEXT otherwise
// (`rack:r1`, `zone:us:east` — the name ends at the first `:`). As in Mesos,
// spaces inside a value are removed. Unlike Mesos, Cairn rejects duplicate
// names (Mesos discourages them) and reads `inf`/`nan` as TEXT.
#pragma once

#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/resources/value.hpp"

namespace cairn {

struct Attribute {
  std::string name;
  AttributeValue value;

  ValueType type() const { return type_of(value); }
  std::string to_string() const;  // "rack:r1"
  // {"name":"rack","type":"TEXT","text":{"value":"r1"}}
  nlohmann::json to_json() const;
  static Result<Attribute> from_json(const nlohmann::json& json, const std::string& path = "");
  bool operator==(const Attribute&) const = default;
};

// Why `name` cannot be an attribute name (empty, whitespace or control
// characters, ';' or ':'), or nothing when it is fine.
std::optional<std::string> attribute_name_problem(std::string_view name);

// Mesos' rule for a single value (see above); errors only on malformed
// [ranges] or {sets} and empty values.
Result<AttributeValue> parse_attribute_value(std::string_view text);

class Attributes {
 public:
  Attributes() = default;

  // `;`- (or newline-) separated `name:value` pairs.
  static Result<Attributes> parse(std::string_view text);
  // A JSON array of v1 Attribute objects; errors give the JSON path.
  static Result<Attributes> from_json(const nlohmann::json& json);

  // Appends; error if the name is invalid or already present.
  Status add(Attribute attribute);

  // The attribute called `name`, or nullptr.
  const Attribute* get(std::string_view name) const;

  bool empty() const { return attributes_.empty(); }
  size_t size() const { return attributes_.size(); }
  std::vector<Attribute>::const_iterator begin() const { return attributes_.begin(); }
  std::vector<Attribute>::const_iterator end() const { return attributes_.end(); }

  nlohmann::json to_json() const;
  // Mesos' v0 flat map: {"rack":"r1","level":10.0,"ports":"[1-10]"}.
  nlohmann::json to_v0_json() const;
  // "rack:r1;level:10"; parse() reads it back to an equal value.
  std::string to_string() const;

  // Same attributes regardless of order.
  bool operator==(const Attributes& other) const;

 private:
  std::vector<Attribute> attributes_;
};

// Prints to_string(), for logs and test failure messages.
std::ostream& operator<<(std::ostream& out, const Attributes& attributes);

}  // namespace cairn
