// Attributes are few per agent, so a vector with linear lookup is enough and
// keeps the agent's order for printing.
#include "lib/resources/attributes.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <ostream>

#include "lib/base/suggest.hpp"
#include "lib/resources/text_tokens.hpp"
#include "lib/resources/value_json.hpp"

namespace cairn {

namespace {

using json = nlohmann::json;
using resources_text::quote;
using resources_text::trim;
using value_json::describe;
using value_json::join;

Error at(const std::string& path, const std::string& problem) {
  return Error((path.empty() ? std::string("attribute") : path) + ": " + problem);
}

std::string name_rules() {
  return "; names may not be empty or contain whitespace, control characters, ';' or ':'";
}

}  // namespace

std::optional<std::string> attribute_name_problem(std::string_view name) {
  return resources_text::word_problem(name, ";:");
}

Result<AttributeValue> parse_attribute_value(std::string_view text) {
  const std::string compact = resources_text::strip_whitespace(text);
  if (compact.empty()) return Error("empty value; expected text, a number, [ranges] or {set}");
  if (compact.front() == '[') {
    auto ranges = Ranges::parse(compact);
    if (!ranges) return Error(ranges.error());
    return AttributeValue(std::move(ranges).value());
  }
  if (compact.front() == '{') {
    auto set = Set::parse(compact);
    if (!set) return Error(set.error());
    return AttributeValue(std::move(set).value());
  }
  if (auto scalar = Scalar::parse(compact)) return AttributeValue(*scalar);
  if (!resources_text::is_valid_utf8(compact)) {
    return Error("value " + quote(compact) + " is not valid UTF-8");
  }
  return AttributeValue(Text{compact});
}

std::string Attribute::to_string() const {
  return name + ":" + cairn::to_string(value);
}

json Attribute::to_json() const {
  json out = {{"name", name}, {"type", value_type_name(type())}};
  value_json::write(out, value);
  return out;
}

Result<Attribute> Attribute::from_json(const json& object, const std::string& path) {
  if (!object.is_object()) return at(path, "expected an Attribute object, got " + describe(object));
  auto name = value_json::optional_string(object, "name", path);
  if (!name) return Error(name.error());
  if (!name->has_value()) return at(join(path, "name"), "missing (required)");
  if (auto problem = attribute_name_problem(**name)) {
    return at(join(path, "name"), "attribute name " + describe(json(**name)) +
                                      " is invalid because " + *problem + name_rules());
  }
  const std::string type_path = join(path, "type");
  auto type_it = object.find("type");
  if (type_it == object.end()) {
    return at(type_path, "missing (expected SCALAR, RANGES, SET or TEXT)");
  }
  if (!type_it->is_string()) {
    return at(type_path, "expected SCALAR, RANGES, SET or TEXT, got " + describe(*type_it));
  }
  const auto& type_name = type_it->get_ref<const std::string&>();
  auto type = value_type_from_name(type_name);
  if (!type) {
    static const std::array<std::string, 4> kNames{"SCALAR", "RANGES", "SET", "TEXT"};
    std::string message = "unknown type " + describe(*type_it);
    if (auto guess = closest_match(type_name, std::span<const std::string>(kNames))) {
      message += " (did you mean " + *guess + "?)";
    }
    return at(type_path, message + "; expected SCALAR, RANGES, SET or TEXT");
  }
  auto value = value_json::read(object, *type, path);
  if (!value) return Error(value.error());
  return Attribute{std::move(**name), std::move(value).value()};
}

Result<Attributes> Attributes::parse(std::string_view text) {
  Attributes result;
  for (std::string_view line : resources_text::split(text, '\n')) {
    for (std::string_view token : resources_text::split(line, ';')) {
      token = trim(token);
      if (token.empty()) continue;
      const std::string prefix = "invalid attribute " + quote(token) + ": ";
      const size_t colon = token.find(':');
      if (colon == std::string_view::npos) {
        return Error(prefix + "missing ':'; expected name:value, such as rack:r1");
      }
      const std::string_view name = trim(token.substr(0, colon));
      const std::string_view value_text = trim(token.substr(colon + 1));
      if (name.empty()) return Error(prefix + "empty attribute name");
      if (auto problem = attribute_name_problem(name)) {
        return Error(prefix + "attribute name " + quote(name) + " is invalid because " + *problem +
                     name_rules());
      }
      auto value = parse_attribute_value(value_text);
      if (!value) return Error(prefix + value.error());
      if (auto status = result.add(Attribute{std::string(name), std::move(value).value()});
          !status) {
        return Error(status.error());
      }
    }
  }
  return result;
}

Result<Attributes> Attributes::from_json(const json& array) {
  try {
    if (!array.is_array()) {
      return Error("invalid attributes JSON: expected an array of Attribute objects, got " +
                   describe(array));
    }
    Attributes result;
    for (size_t i = 0; i < array.size(); ++i) {
      const std::string path = value_json::element("", i);
      auto attribute = Attribute::from_json(array[i], path);
      if (!attribute) return Error("invalid attributes JSON at " + attribute.error());
      if (auto status = result.add(std::move(attribute).value()); !status) {
        return Error("invalid attributes JSON at " + path + ": " + status.error());
      }
    }
    return result;
  } catch (const json::exception& e) {
    // The readers check kinds before access; this is a backstop.
    return Error(std::string("invalid attributes JSON: ") + e.what());
  }
}

Status Attributes::add(Attribute attribute) {
  if (auto problem = attribute_name_problem(attribute.name)) {
    return Error("attribute name " + quote(attribute.name) + " is invalid because " + *problem +
                 name_rules());
  }
  if (const Attribute* existing = get(attribute.name)) {
    return Error("duplicate attribute " + quote(attribute.name) + " (given as " +
                 quote(existing->to_string()) + " and " + quote(attribute.to_string()) +
                 "); each attribute name may appear once");
  }
  attributes_.push_back(std::move(attribute));
  return ok_status();
}

const Attribute* Attributes::get(std::string_view name) const {
  for (const Attribute& a : attributes_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

json Attributes::to_json() const {
  json out = json::array();
  for (const Attribute& a : attributes_)
    out.push_back(a.to_json());
  return out;
}

json Attributes::to_v0_json() const {
  json out = json::object();
  for (const Attribute& a : attributes_) {
    struct V0 {
      json operator()(const Scalar& s) const { return s.value(); }
      json operator()(const Ranges& r) const { return r.to_mesos_string(); }
      json operator()(const Set& s) const { return s.to_mesos_string(); }
      json operator()(const Text& t) const { return t.value; }
    };
    out[a.name] = std::visit(V0{}, a.value);
  }
  return out;
}

std::string Attributes::to_string() const {
  std::string out;
  for (const Attribute& a : attributes_) {
    if (!out.empty()) out += ";";
    out += a.to_string();
  }
  return out;
}

bool Attributes::operator==(const Attributes& other) const {
  if (attributes_.size() != other.attributes_.size()) return false;
  return std::all_of(attributes_.begin(), attributes_.end(), [&other](const Attribute& a) {
    const Attribute* o = other.get(a.name);
    return o != nullptr && *o == a;
  });
}

std::ostream& operator<<(std::ostream& out, const Attributes& attributes) {
  return out << attributes.to_string();
}

}  // namespace cairn
