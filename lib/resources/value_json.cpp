// Every accessor checks the JSON kind before reading, so malformed input turns
// into an error naming the path rather than a nlohmann exception.
#include "lib/resources/value_json.hpp"

#include <algorithm>
#include <cmath>

namespace cairn::value_json {

namespace {

using json = nlohmann::json;

Error at(const std::string& path, const std::string& problem) {
  return Error(path + ": " + problem);
}

std::string_view member_for(ValueType type) {
  switch (type) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kRanges:
      return "ranges";
    case ValueType::kSet:
      return "set";
    case ValueType::kText:
      return "text";
  }
  return "";
}

Result<Scalar> read_scalar(const json& object, const std::string& path) {
  if (!object.is_object()) return at(path, "expected an object, got " + describe(object));
  const std::string value_path = join(path, "value");
  auto it = object.find("value");
  if (it == object.end()) return at(value_path, "missing (expected a number)");
  if (it->is_string()) {
    // Mesos' JSON accepts these spellings for doubles; none is a valid amount.
    const auto& s = it->get_ref<const std::string&>();
    if (s == "Infinity" || s == "-Infinity" || s == "NaN") {
      return at(value_path, "must be a finite number, got " + describe(*it));
    }
  }
  if (!it->is_number()) return at(value_path, "expected a number, got " + describe(*it));
  auto scalar = Scalar::from_double(it->get<double>());
  if (!scalar) return at(value_path, scalar.error());
  return scalar;
}

Result<uint64_t> read_bound(const json& range, std::string_view key, const std::string& path) {
  const std::string bound_path = join(path, key);
  auto it = range.find(key);
  if (it == range.end()) return at(bound_path, "missing (expected a non-negative integer)");
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_float()) {
    // Accept integral doubles such as 31000.0, which some JSON writers emit.
    const double d = it->get<double>();
    if (std::isfinite(d) && d >= 0 && d <= 9007199254740992.0 && std::floor(d) == d) {
      return static_cast<uint64_t>(d);
    }
  }
  return at(bound_path, "expected a non-negative integer, got " + describe(*it));
}

Result<Ranges> read_ranges(const json& object, const std::string& path) {
  if (!object.is_object()) return at(path, "expected an object, got " + describe(object));
  std::vector<Range> ranges;
  auto it = object.find("range");
  if (it != object.end()) {
    const std::string list_path = join(path, "range");
    if (!it->is_array()) return at(list_path, "expected an array, got " + describe(*it));
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string item_path = element(list_path, i);
      const json& range = (*it)[i];
      if (!range.is_object()) {
        return at(item_path, "expected an object {\"begin\":N,\"end\":N}, got " + describe(range));
      }
      auto begin = read_bound(range, "begin", item_path);
      if (!begin) return Error(begin.error());
      auto end = read_bound(range, "end", item_path);
      if (!end) return Error(end.error());
      ranges.push_back({*begin, *end});
    }
  }
  auto result = Ranges::from(std::move(ranges), /*allow_overlap=*/false);
  if (!result) return at(join(path, "range"), result.error());
  return result;
}

Result<Set> read_set(const json& object, const std::string& path) {
  if (!object.is_object()) return at(path, "expected an object, got " + describe(object));
  std::vector<std::string> items;
  auto it = object.find("item");
  if (it != object.end()) {
    const std::string list_path = join(path, "item");
    if (!it->is_array()) return at(list_path, "expected an array, got " + describe(*it));
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string item_path = element(list_path, i);
      const json& item = (*it)[i];
      if (!item.is_string()) return at(item_path, "expected a string, got " + describe(item));
      const auto& s = item.get_ref<const std::string&>();
      if (auto problem = Set::item_problem(s)) {
        return at(item_path, "set item " + describe(item) + " is invalid because " + *problem);
      }
      items.push_back(s);
    }
  }
  std::vector<std::string> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end()) {
    return at(join(path, "item"), "duplicate item " + describe(json(*dup)));
  }
  return Set(std::move(items));
}

Result<Text> read_text(const json& object, const std::string& path) {
  if (!object.is_object()) return at(path, "expected an object, got " + describe(object));
  auto value = optional_string(object, "value", path);
  if (!value) return Error(value.error());
  if (!value->has_value()) return at(join(path, "value"), "missing (expected a string)");
  return Text{**value};
}

}  // namespace

std::string join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return path + "." + std::string(key);
}

std::string element(const std::string& path, size_t index) {
  // Built with append: GCC 12 at -O3 warns falsely (-Wrestrict) on
  // "[" + std::to_string(i) + "]".
  std::string out = path;
  out.append("[").append(std::to_string(index)).append("]");
  return out;
}

std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      if (s.size() > 64) {
        return json(s.substr(0, 64)).dump(-1, ' ', false, json::error_handler_t::replace) + "...";
      }
      return value.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    default:
      return value.dump();
  }
}

Result<std::optional<std::string>> optional_string(const json& object, std::string_view key,
                                                   const std::string& path) {
  auto it = object.find(key);
  if (it == object.end()) return std::optional<std::string>();
  if (!it->is_string()) {
    return at(join(path, key), "expected a string, got " + describe(*it));
  }
  return std::optional<std::string>(it->get<std::string>());
}

void write(json& object, const ResourceValue& value) {
  struct Writer {
    json& object;
    void operator()(const Scalar& s) const { object["scalar"] = {{"value", s.value()}}; }
    void operator()(const Ranges& r) const {
      json list = json::array();
      for (const Range& range : r.intervals()) {
        list.push_back({{"begin", range.begin}, {"end", range.end}});
      }
      object["ranges"] = {{"range", std::move(list)}};
    }
    void operator()(const Set& s) const { object["set"] = {{"item", s.items()}}; }
  };
  std::visit(Writer{object}, value);
}

void write(json& object, const AttributeValue& value) {
  if (const auto* text = std::get_if<Text>(&value)) {
    object["text"] = {{"value", text->value}};
    return;
  }
  std::visit(
      [&object](const auto& v) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(v)>, Text>) {
          write(object, ResourceValue(v));
        }
      },
      value);
}

Result<AttributeValue> read(const json& object, ValueType type, const std::string& path) {
  // Exactly the member for `type` may be present.
  for (ValueType other :
       {ValueType::kScalar, ValueType::kRanges, ValueType::kSet, ValueType::kText}) {
    if (other == type) continue;
    if (object.contains(member_for(other))) {
      return at(join(path, member_for(other)), "not allowed when type is " +
                                                   std::string(value_type_name(type)) + " (use '" +
                                                   std::string(member_for(type)) + "')");
    }
  }
  const std::string_view member = member_for(type);
  auto it = object.find(member);
  const std::string member_path = join(path, member);
  if (it == object.end()) {
    return at(member_path,
              "missing (required when type is " + std::string(value_type_name(type)) + ")");
  }
  switch (type) {
    case ValueType::kScalar: {
      auto s = read_scalar(*it, member_path);
      if (!s) return Error(s.error());
      return AttributeValue(*s);
    }
    case ValueType::kRanges: {
      auto r = read_ranges(*it, member_path);
      if (!r) return Error(r.error());
      return AttributeValue(std::move(r).value());
    }
    case ValueType::kSet: {
      auto s = read_set(*it, member_path);
      if (!s) return Error(s.error());
      return AttributeValue(std::move(s).value());
    }
    case ValueType::kText: {
      auto t = read_text(*it, member_path);
      if (!t) return Error(t.error());
      return AttributeValue(std::move(t).value());
    }
  }
  return at(path, "unknown value type");
}

}  // namespace cairn::value_json
