// Entries live in a flat vector: agents carry a handful of kinds, so a linear
// scan for the matching kind beats any map and keeps arithmetic free of
// allocations beyond the values themselves.
#include "lib/resources/resources.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "lib/resources/role.hpp"
#include "lib/resources/text_tokens.hpp"
#include "lib/resources/value_json.hpp"

namespace cairn {

namespace {

using json = nlohmann::json;
using resources_text::quote;
using resources_text::trim;

// Adds (or subtracts) `delta` into `into`; both hold the same alternative.
void combine(ResourceValue& into, const ResourceValue& delta, bool add) {
  std::visit(
      [&delta, add](auto& target) {
        using T = std::decay_t<decltype(target)>;
        const T& d = std::get<T>(delta);
        if (add) {
          target += d;
        } else {
          target -= d;
        }
      },
      into);
}

// Whether `have` covers `want`; both hold the same alternative.
bool covers(const ResourceValue& have, const ResourceValue& want) {
  return std::visit(
      [&want](const auto& h) {
        using T = std::decay_t<decltype(h)>;
        const T& w = std::get<T>(want);
        if constexpr (std::is_same_v<T, Scalar>) {
          return w <= h;
        } else {
          return h.contains(w);
        }
      },
      have);
}

// Entries that are empty, or a negative scalar, are not kept.
bool keepable(const Resource& r) {
  if (const auto* s = std::get_if<Scalar>(&r.value)) return s->thousandths() > 0;
  return !r.is_empty();
}

bool starts_like_number(char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-';
}

// One `name(role):value` token of the text syntax.
Result<Resource> parse_token(std::string_view token, std::string_view default_role) {
  const std::string prefix = "invalid resource " + quote(token) + ": ";
  const auto parts = resources_text::split(token, ':');
  if (parts.size() != 2) {
    return Error(prefix + (parts.size() < 2 ? "missing ':'" : "more than one ':'") +
                 "; expected name:value or name(role):value, such as cpus:8 or cpus(prod):4");
  }
  const std::string_view key = trim(parts[0]);
  const std::string_view value_text = trim(parts[1]);

  std::string_view name = key;
  std::string_view role = default_role;
  if (const size_t open = key.find('('); open != std::string_view::npos) {
    const size_t close = key.find(')');
    if (close == std::string_view::npos || close < open) {
      return Error(prefix + "mismatched parentheses; expected name(role), such as cpus(prod)");
    }
    if (const auto after = trim(key.substr(close + 1)); !after.empty()) {
      return Error(prefix + "unexpected " + quote(after) + " after ')'");
    }
    name = trim(key.substr(0, open));
    role = trim(key.substr(open + 1, close - open - 1));
  }
  if (name.empty()) return Error(prefix + "empty resource name");
  if (auto problem = resource_name_problem(name)) {
    return Error(prefix + "resource name " + quote(name) + " is invalid because " + *problem +
                 "; names may not contain whitespace, control characters or any of " +
                 std::string(kResourceNameForbidden));
  }
  if (auto status = validate_role_name(role); !status) return Error(prefix + status.error());

  const std::string compact = resources_text::strip_whitespace(value_text);
  ResourceValue value;
  if (compact.empty()) {
    return Error(prefix + "missing value; expected a number, [ranges] or {set}");
  } else if (compact.front() == '[') {
    auto ranges = Ranges::parse(compact);
    if (!ranges) return Error(prefix + ranges.error());
    value = std::move(ranges).value();
  } else if (compact.front() == '{') {
    auto set = Set::parse(compact);
    if (!set) return Error(prefix + set.error());
    value = std::move(set).value();
  } else if (starts_like_number(compact.front())) {
    auto scalar = Scalar::parse(compact);
    if (!scalar) return Error(prefix + scalar.error());
    if (scalar->is_negative()) return Error(prefix + "scalar must be a non-negative number");
    value = *scalar;
  } else {
    return Error(prefix + "value " + quote(compact) +
                 " is not a number, [ranges] or {set}; text values are not allowed for "
                 "resources");
  }
  return Resource::reserved(std::string(name), std::move(value), std::string(role));
}

// Mesos' command-line rules (validateCommandLineResources): one type per name,
// no dynamic reservations or allocations.
Status check_command_line(const std::vector<Resource>& resources, bool from_json) {
  for (size_t i = 0; i < resources.size(); ++i) {
    const Resource& r = resources[i];
    const std::string where = from_json ? value_json::element("at ", i) + ": " : "";
    if (r.is_dynamically_reserved()) {
      return Error("invalid resources JSON " + where +
                   "dynamic reservations cannot be given in agent resources (make them through "
                   "the operator API); use a STATIC reservation or a role");
    }
    if (r.allocation_role) {
      return Error("invalid resources JSON " + where +
                   "'allocation_info' cannot be given in agent resources");
    }
    for (size_t j = 0; j < i; ++j) {
      if (resources[j].name == r.name && resources[j].type() != r.type()) {
        return Error("invalid resources: resource " + quote(r.name) + " is given as both " +
                     std::string(value_type_name(resources[j].type())) + " and " +
                     std::string(value_type_name(r.type())) +
                     "; all resources of one name must have the same type");
      }
    }
  }
  return ok_status();
}

// Inputs merge repeated entries; keep each merged amount within what a single
// amount may be, so that everything parsed also round-trips through JSON.
Status check_merged_totals(const Resources& resources) {
  for (const Resource& r : resources) {
    const auto* s = std::get_if<Scalar>(&r.value);
    if (s && s->value() > Scalar::kMaxInput) {
      return Error("invalid resources: the total of " + quote(r.to_string()) +
                   " is out of range (at most 1000000000000 per name and role)");
    }
  }
  return ok_status();
}

Result<std::vector<Resource>> entries_from_json(const json& array, std::string_view default_role) {
  if (!array.is_array()) {
    return Error("invalid resources JSON: expected an array of Resource objects, got " +
                 value_json::describe(array));
  }
  std::vector<Resource> entries;
  entries.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    auto r = Resource::from_json(array[i], default_role, value_json::element("", i));
    if (!r) return Error("invalid resources JSON at " + r.error());
    entries.push_back(std::move(r).value());
  }
  return entries;
}

}  // namespace

Resources::Resources(std::initializer_list<Resource> resources) {
  for (const Resource& r : resources)
    add(r);
}

Resources::Resources(const std::vector<Resource>& resources) {
  for (const Resource& r : resources)
    add(r);
}

Result<Resources> Resources::parse(std::string_view text, std::string_view default_role) {
  if (auto status = validate_role_name(default_role); !status) {
    return Error("invalid default role: " + status.error());
  }
  const std::string_view trimmed = trim(text);
  std::vector<Resource> entries;
  const bool is_json = !trimmed.empty() && trimmed.front() == '[';
  if (is_json) {
    json array;
    try {
      array = json::parse(trimmed);
    } catch (const json::exception& e) {
      return Error(std::string("invalid resources: text starting with '[' is read as a JSON array "
                               "of Resource objects, but it is not valid JSON: ") +
                   e.what());
    }
    auto parsed = entries_from_json(array, default_role);
    if (!parsed) return Error(parsed.error());
    entries = std::move(parsed).value();
  } else {
    for (std::string_view token : resources_text::split(trimmed, ';')) {
      token = trim(token);
      if (token.empty()) continue;  // "cpus:1;;mem:2" and a trailing ';' are fine
      auto r = parse_token(token, default_role);
      if (!r) return Error(r.error());
      entries.push_back(std::move(r).value());
    }
  }
  if (auto status = check_command_line(entries, is_json); !status) return Error(status.error());
  Resources result(entries);
  if (auto status = check_merged_totals(result); !status) return Error(status.error());
  return result;
}

Result<Resources> Resources::from_json(const json& array, std::string_view default_role) {
  if (auto status = validate_role_name(default_role); !status) {
    return Error("invalid default role: " + status.error());
  }
  try {
    auto entries = entries_from_json(array, default_role);
    if (!entries) return Error(entries.error());
    Resources result(*entries);
    if (auto status = check_merged_totals(result); !status) return Error(status.error());
    return result;
  } catch (const json::exception& e) {
    // The readers check kinds before access; this is a backstop.
    return Error(std::string("invalid resources JSON: ") + e.what());
  }
}

json Resources::to_json(ResourceFormat format) const {
  json out = json::array();
  for (const Resource& r : entries_)
    out.push_back(r.to_json(format));
  return out;
}

json Resources::to_v0_json() const {
  json out = {{"cpus", 0.0}, {"gpus", 0.0}, {"mem", 0.0}, {"disk", 0.0}};
  std::vector<std::pair<std::string_view, ValueType>> names;
  for (const Resource& r : entries_) {
    const bool seen =
        std::any_of(names.begin(), names.end(), [&r](const auto& n) { return n.first == r.name; });
    if (!seen) names.emplace_back(r.name, r.type());
  }
  for (const auto& [name, type] : names) {
    const std::string key(name);
    switch (type) {
      case ValueType::kScalar:
        out[key] = scalar(name);
        break;
      case ValueType::kRanges:
        out[key] = ranges(name).to_mesos_string();
        break;
      default:
        out[key] = set(name).to_mesos_string();
        break;
    }
  }
  return out;
}

std::string Resources::to_string() const {
  std::string out;
  for (const Resource& r : entries_) {
    if (!out.empty()) out += ";";
    out += r.to_string();
  }
  return out;
}

Resources& Resources::add(const Resource& resource) {
  if (resource.is_empty()) return *this;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->same_kind(resource)) {
      combine(it->value, resource.value, /*add=*/true);
      if (!keepable(*it)) entries_.erase(it);
      return *this;
    }
  }
  if (keepable(resource)) entries_.push_back(resource);
  return *this;
}

Resources& Resources::subtract(const Resource& resource) {
  if (resource.is_empty()) return *this;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->same_kind(resource)) {
      combine(it->value, resource.value, /*add=*/false);
      if (!keepable(*it)) entries_.erase(it);
      return *this;
    }
  }
  return *this;
}

Resources& Resources::operator+=(const Resources& other) {
  if (&other == this) {
    const Resources copy = other;
    return *this += copy;
  }
  for (const Resource& r : other.entries_)
    add(r);
  return *this;
}

Resources& Resources::operator-=(const Resources& other) {
  if (&other == this) {
    entries_.clear();
    return *this;
  }
  for (const Resource& r : other.entries_)
    subtract(r);
  return *this;
}

bool Resources::contains(const Resource& resource) const {
  if (!keepable(resource)) return true;  // nothing, or less than nothing
  for (const Resource& r : entries_) {
    if (r.same_kind(resource)) return covers(r.value, resource.value);
  }
  return false;
}

bool Resources::contains(const Resources& other) const {
  // Entries of one kind are merged on both sides, so entry-wise is enough.
  return std::all_of(other.entries_.begin(), other.entries_.end(),
                     [this](const Resource& r) { return contains(r); });
}

bool Resources::operator==(const Resources& other) const {
  if (entries_.size() != other.entries_.size()) return false;
  return std::all_of(entries_.begin(), entries_.end(), [&other](const Resource& r) {
    return std::any_of(other.entries_.begin(), other.entries_.end(),
                       [&r](const Resource& o) { return o.same_kind(r) && o.value == r.value; });
  });
}

Resources Resources::unreserved() const {
  return filter([](const Resource& r) { return !r.is_reserved(); });
}

Resources Resources::reserved() const {
  return filter([](const Resource& r) { return r.is_reserved(); });
}

Resources Resources::reserved(std::string_view role) const {
  return filter([role](const Resource& r) { return r.is_reserved() && r.role() == role; });
}

Resources Resources::allocatable_to(std::string_view role) const {
  return filter([role](const Resource& r) {
    return !r.is_reserved() || is_ancestor_or_self(r.role(), role);
  });
}

Resources Resources::allocated_to(std::string_view role) const {
  return filter([role](const Resource& r) { return r.allocation_role == role; });
}

std::map<std::string, Resources> Resources::reservations() const {
  std::map<std::string, Resources> out;
  for (const Resource& r : entries_) {
    if (r.is_reserved()) out[r.reservation->role].entries_.push_back(r);
  }
  return out;
}

std::map<std::string, Resources> Resources::allocations() const {
  std::map<std::string, Resources> out;
  for (const Resource& r : entries_) {
    if (r.allocation_role) out[*r.allocation_role].entries_.push_back(r);
  }
  return out;
}

void Resources::allocate(std::string_view role) {
  std::vector<Resource> old = std::move(entries_);
  entries_.clear();
  for (Resource& r : old) {
    r.allocation_role = std::string(role);
    add(r);
  }
}

void Resources::unallocate() {
  std::vector<Resource> old = std::move(entries_);
  entries_.clear();
  for (Resource& r : old) {
    r.allocation_role.reset();
    add(r);
  }
}

Scalar Resources::scalar_total(std::string_view name) const {
  Scalar total;
  for (const Resource& r : entries_) {
    if (r.name != name) continue;
    if (const auto* s = std::get_if<Scalar>(&r.value)) total += *s;
  }
  return total;
}

double Resources::scalar(std::string_view name) const {
  return scalar_total(name).value();
}

Ranges Resources::ranges(std::string_view name) const {
  Ranges total;
  for (const Resource& r : entries_) {
    if (r.name != name) continue;
    if (const auto* ranges = std::get_if<Ranges>(&r.value)) total += *ranges;
  }
  return total;
}

Set Resources::set(std::string_view name) const {
  Set total;
  for (const Resource& r : entries_) {
    if (r.name != name) continue;
    if (const auto* set = std::get_if<Set>(&r.value)) total += *set;
  }
  return total;
}

std::map<std::string, double> Resources::scalar_totals() const {
  std::map<std::string, Scalar, std::less<>> totals;
  for (const Resource& r : entries_) {
    if (const auto* s = std::get_if<Scalar>(&r.value)) totals[r.name] += *s;
  }
  std::map<std::string, double> out;
  for (const auto& [name, total] : totals)
    out.emplace(name, total.value());
  return out;
}

std::ostream& operator<<(std::ostream& out, const Resource& resource) {
  return out << resource.to_string();
}

std::ostream& operator<<(std::ostream& out, const Resources& resources) {
  return out << resources.to_string();
}

}  // namespace cairn
