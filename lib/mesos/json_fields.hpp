// Fields: reads one JSON object of a Mesos v1 message with Mesos' JSON rules
// and errors that name the offending field by its path.
//
// Mesos messages arrive as JSON written by many clients; every parser in
// lib/mesos reads them through Fields so that an error always says where and
// what: "subscribe.framework_info.user: expected a string, got 12". Parsers
// throw FieldError internally (parsing code only) and their public entry
// points turn it into a Result, so nothing throws across a module boundary.
// Per Mesos, `null` is the same as absent; doubles also accept "Infinity";
// IDs are objects {"value": "..."} with a non-empty value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::mesos {

struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A short rendering of a JSON value for error messages ("12", "\"abc\"",
// "an object").
std::string describe_json(const nlohmann::json& value);

class Fields {
 public:
  // Throws FieldError unless `json` is an object. `path` is where it sits
  // ("" for the top level).
  Fields(const nlohmann::json& json, std::string path);

  const nlohmann::json& json() const { return json_; }
  const std::string& path() const { return path_; }
  // "path.key" (or "key" at the top level).
  std::string path_of(std::string_view key) const;

  // The field, or nullptr when absent or null.
  const nlohmann::json* get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key) != nullptr; }

  std::string required_string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  double number(std::string_view key, double fallback) const;
  std::optional<double> optional_number(std::string_view key) const;
  int64_t integer(std::string_view key, int64_t fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  // {"value": "..."} with a non-empty string value.
  std::string required_id(std::string_view key) const;
  std::optional<std::string> optional_id(std::string_view key) const;
  Fields required_object(std::string_view key) const;
  std::optional<Fields> optional_object(std::string_view key) const;
  // The array's elements (empty when absent); error when not an array.
  const std::vector<nlohmann::json>& array(std::string_view key) const;
  std::vector<std::string> string_array(std::string_view key) const;
  std::vector<std::string> id_array(std::string_view key) const;
  // Enum by name: error when the name is not one of `names` and the field
  // is required; an unknown name on an optional field reads as absent
  // (Mesos drops unknown optional enum values).
  std::string required_enum(std::string_view key, const std::vector<std::string_view>& names) const;
  std::optional<std::string> optional_enum(std::string_view key,
                                           const std::vector<std::string_view>& names) const;

  [[noreturn]] void fail(std::string_view key, const std::string& message) const;

 private:
  const nlohmann::json& json_;
  std::string path_;
};

// {"value": id}
nlohmann::json id_json(const std::string& id);

// Runs a parser that throws FieldError and returns its result or the error.
template <typename F>
auto parse_fields(F&& parser) -> Result<decltype(parser())> {
  try {
    return parser();
  } catch (const FieldError& e) {
    return Error(e.what());
  }
}

}  // namespace cairn::mesos
