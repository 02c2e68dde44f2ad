// JSON reading checks each field's kind before use and reports its path; the
// three reservation formats are folded into one optional Reservation, with
// the redundant fields of the "endpoint" format cross-checked.
#include "lib/resources/resource.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "lib/base/suggest.hpp"
#include "lib/resources/role.hpp"
#include "lib/resources/text_tokens.hpp"
#include "lib/resources/value_json.hpp"

namespace cairn {

namespace {

using json = nlohmann::json;
using resources_text::quote;
using value_json::describe;
using value_json::join;
using value_json::optional_string;

Error at(const std::string& path, const std::string& problem) {
  return Error((path.empty() ? std::string("resource") : path) + ": " + problem);
}

std::string labels_to_string(const Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].key;
    if (labels[i].value) out += ": " + *labels[i].value;
  }
  return out + "}";
}

json labels_to_json(const Labels& labels) {
  json list = json::array();
  for (const Label& label : labels) {
    json l = {{"key", label.key}};
    if (label.value) l["value"] = *label.value;
    list.push_back(std::move(l));
  }
  return {{"labels", std::move(list)}};
}

Result<Labels> labels_from_json(const json& object, const std::string& path) {
  if (!object.is_object()) return at(path, "expected an object, got " + describe(object));
  Labels labels;
  auto it = object.find("labels");
  if (it == object.end()) return labels;
  const std::string list_path = join(path, "labels");
  if (!it->is_array()) return at(list_path, "expected an array, got " + describe(*it));
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string item_path = value_json::element(list_path, i);
    const json& item = (*it)[i];
    if (!item.is_object()) {
      return at(item_path, "expected an object {\"key\":...,\"value\":...}, got " + describe(item));
    }
    auto key = optional_string(item, "key", item_path);
    if (!key) return Error(key.error());
    if (!key->has_value()) return at(join(item_path, "key"), "missing (required)");
    auto value = optional_string(item, "value", item_path);
    if (!value) return Error(value.error());
    labels.push_back({std::move(**key), std::move(*value)});
  }
  return labels;
}

// Principal and labels of a DYNAMIC reservation, from the legacy
// `reservation` object or a `reservations` entry.
Status read_principal_and_labels(const json& object, const std::string& path, Reservation& out) {
  auto principal = optional_string(object, "principal", path);
  if (!principal) return Error(principal.error());
  out.principal = std::move(*principal);
  if (auto it = object.find("labels"); it != object.end()) {
    auto labels = labels_from_json(*it, join(path, "labels"));
    if (!labels) return Error(labels.error());
    out.labels = std::move(*labels);
  }
  return ok_status();
}

Result<Reservation> reservation_from_json(const json& object, const std::string& path) {
  if (!object.is_object()) {
    return at(path, "expected a ReservationInfo object, got " + describe(object));
  }
  Reservation reservation;
  auto type = optional_string(object, "type", path);
  if (!type) return Error(type.error());
  if (!type->has_value() || (**type != "STATIC" && **type != "DYNAMIC")) {
    return at(join(path, "type"), "must be \"STATIC\" or \"DYNAMIC\", got " +
                                      (type->has_value() ? describe(json(**type)) : "nothing"));
  }
  reservation.type = **type == "STATIC" ? ReservationType::kStatic : ReservationType::kDynamic;
  auto role = optional_string(object, "role", path);
  if (!role) return Error(role.error());
  if (!role->has_value()) return at(join(path, "role"), "missing (required)");
  reservation.role = std::move(**role);
  if (reservation.role == kUnreservedRole) {
    return at(join(path, "role"), "a reservation cannot be for role '*' (which means unreserved)");
  }
  if (auto status = validate_role_name(reservation.role); !status) {
    return at(join(path, "role"), status.error());
  }
  if (auto status = read_principal_and_labels(object, path, reservation); !status) {
    return Error(status.error());
  }
  if (reservation.type == ReservationType::kStatic &&
      (reservation.principal || !reservation.labels.empty())) {
    return at(path, "a STATIC reservation has no principal or labels (only DYNAMIC ones do)");
  }
  return reservation;
}

Result<ValueType> type_from_json(const json& object, const std::string& path) {
  const std::string type_path = join(path, "type");
  auto it = object.find("type");
  if (it == object.end()) return at(type_path, "missing (expected SCALAR, RANGES or SET)");
  if (!it->is_string()) {
    return at(type_path, "expected SCALAR, RANGES or SET, got " + describe(*it));
  }
  const auto& name = it->get_ref<const std::string&>();
  auto type = value_type_from_name(name);
  if (type == ValueType::kText) {
    return at(type_path, "TEXT resources are not supported (expected SCALAR, RANGES or SET)");
  }
  if (!type) {
    static const std::array<std::string, 3> kNames{"SCALAR", "RANGES", "SET"};
    std::string message = "unknown type " + describe(*it);
    if (auto guess = closest_match(name, std::span<const std::string>(kNames))) {
      message += " (did you mean " + *guess + "?)";
    }
    return at(type_path, message + "; expected SCALAR, RANGES or SET");
  }
  return *type;
}

}  // namespace

std::optional<std::string> resource_name_problem(std::string_view name) {
  return resources_text::word_problem(name, kResourceNameForbidden);
}

Resource Resource::unreserved(std::string name, ResourceValue value) {
  return Resource{std::move(name), std::move(value), std::nullopt, std::nullopt};
}

Resource Resource::reserved(std::string name, ResourceValue value, std::string role) {
  Resource r = unreserved(std::move(name), std::move(value));
  if (role != kUnreservedRole) r.reservation = Reservation{ReservationType::kStatic, role, {}, {}};
  return r;
}

Resource Resource::dynamically_reserved(std::string name, ResourceValue value, std::string role,
                                        std::optional<std::string> principal, Labels labels) {
  Resource r = unreserved(std::move(name), std::move(value));
  r.reservation = Reservation{ReservationType::kDynamic, std::move(role), std::move(principal),
                              std::move(labels)};
  return r;
}

std::string_view Resource::role() const {
  return reservation ? std::string_view(reservation->role) : kUnreservedRole;
}

bool Resource::is_dynamically_reserved() const {
  return reservation && reservation->type == ReservationType::kDynamic;
}

bool Resource::is_empty() const {
  struct Empty {
    bool operator()(const Scalar& s) const { return s.is_zero(); }
    bool operator()(const Ranges& r) const { return r.empty(); }
    bool operator()(const Set& s) const { return s.empty(); }
  };
  return std::visit(Empty{}, value);
}

bool Resource::same_kind(const Resource& other) const {
  return value.index() == other.value.index() && name == other.name &&
         reservation == other.reservation && allocation_role == other.allocation_role;
}

Status Resource::validate() const {
  if (auto problem = resource_name_problem(name)) {
    return Error("resource name " + quote(name) + " is invalid because " + *problem +
                 "; names may not contain whitespace, control characters or any of " +
                 std::string(kResourceNameForbidden));
  }
  if (const auto* s = std::get_if<Scalar>(&value); s && s->is_negative()) {
    return Error("scalar " + s->to_string() + " of resource " + quote(name) +
                 " must be a non-negative number");
  }
  if (reservation) {
    if (reservation->role == kUnreservedRole) {
      return Error("a reservation cannot be for role '*' (which means unreserved)");
    }
    if (auto status = validate_role_name(reservation->role); !status) return status;
    if (reservation->type == ReservationType::kStatic &&
        (reservation->principal || !reservation->labels.empty())) {
      return Error("a STATIC reservation has no principal or labels (only DYNAMIC ones do)");
    }
  }
  if (allocation_role) {
    if (auto status = validate_role_name(*allocation_role); !status) {
      return Error("allocation " + status.error());
    }
  }
  return ok_status();
}

std::string Resource::to_string() const {
  std::string out = name;
  if (reservation) {
    out += "(" + reservation->role;
    if (reservation->type == ReservationType::kDynamic) {
      out += ", " + reservation->principal.value_or("");
      if (!reservation->labels.empty()) out += ", " + labels_to_string(reservation->labels);
    }
    out += ")";
  }
  if (allocation_role) out += "(allocated: " + *allocation_role + ")";
  return out + ":" + cairn::to_string(value);
}

json Resource::to_json(ResourceFormat format) const {
  json out = {{"name", name}, {"type", value_type_name(type())}};
  value_json::write(out, value);
  if (format != ResourceFormat::kPostRefinement) {
    out["role"] = std::string(role());
    if (is_dynamically_reserved()) {
      json legacy = json::object();
      if (reservation->principal) legacy["principal"] = *reservation->principal;
      if (!reservation->labels.empty()) legacy["labels"] = labels_to_json(reservation->labels);
      out["reservation"] = std::move(legacy);
    }
  }
  if (format != ResourceFormat::kPreRefinement && reservation) {
    json info = {{"type", reservation->type == ReservationType::kStatic ? "STATIC" : "DYNAMIC"},
                 {"role", reservation->role}};
    if (reservation->principal) info["principal"] = *reservation->principal;
    if (!reservation->labels.empty()) info["labels"] = labels_to_json(reservation->labels);
    out["reservations"] = json::array({std::move(info)});
  }
  if (allocation_role) out["allocation_info"] = {{"role", *allocation_role}};
  return out;
}

Result<Resource> Resource::from_json(const json& object, std::string_view default_role,
                                     const std::string& path) {
  if (!object.is_object()) return at(path, "expected a Resource object, got " + describe(object));
  Resource r;

  auto name = optional_string(object, "name", path);
  if (!name) return Error(name.error());
  if (!name->has_value()) return at(join(path, "name"), "missing (required)");
  r.name = std::move(**name);
  if (auto problem = resource_name_problem(r.name)) {
    return at(join(path, "name"), "resource name " + describe(json(r.name)) +
                                      " is invalid because " + *problem +
                                      "; names may not contain whitespace, control characters or "
                                      "any of " +
                                      std::string(kResourceNameForbidden));
  }

  auto type = type_from_json(object, path);
  if (!type) return Error(type.error());
  auto value = value_json::read(object, *type, path);
  if (!value) return Error(value.error());
  switch (value->index()) {
    case 0: {
      const Scalar s = std::get<Scalar>(*value);
      if (s.is_negative()) {
        return at(join(path, "scalar.value"),
                  "must be a non-negative number, got " + s.to_string());
      }
      r.value = s;
      break;
    }
    case 1:
      r.value = std::get<Ranges>(std::move(*value));
      break;
    default:
      r.value = std::get<Set>(std::move(*value));
      break;
  }

  for (std::string_view unsupported : {"disk", "revocable", "shared", "provider_id"}) {
    if (object.contains(unsupported)) {
      return at(join(path, unsupported),
                "is not supported by Cairn (persistent volumes, revocable and shared resources "
                "and resource providers are not implemented)");
    }
  }

  auto role = optional_string(object, "role", path);
  if (!role) return Error(role.error());
  const json* legacy = nullptr;
  if (auto it = object.find("reservation"); it != object.end()) {
    if (!it->is_object()) {
      return at(join(path, "reservation"), "expected an object, got " + describe(*it));
    }
    legacy = &*it;
  }
  const json* refined = nullptr;
  if (auto it = object.find("reservations"); it != object.end()) {
    if (!it->is_array()) {
      return at(join(path, "reservations"), "expected an array, got " + describe(*it));
    }
    if (it->size() > 1) {
      return at(join(path, "reservations"),
                "reservation refinement (more than one reservation) is not supported");
    }
    if (it->size() == 1) refined = &(*it)[0];
  }

  if (refined) {
    // Post-refinement or endpoint format: `reservations` decides; `role` and
    // `reservation`, when also present, must agree with it.
    auto reservation = reservation_from_json(*refined, join(path, "reservations[0]"));
    if (!reservation) return Error(reservation.error());
    if (role->has_value() && **role != reservation->role) {
      return at(join(path, "role"), describe(json(**role)) +
                                        " does not match reservations[0].role " +
                                        describe(json(reservation->role)));
    }
    if (legacy && reservation->type != ReservationType::kDynamic) {
      return at(join(path, "reservation"),
                "given with a STATIC reservations[0]; 'reservation' describes dynamic "
                "reservations only");
    }
    r.reservation = std::move(*reservation);
  } else {
    // Pre-refinement format (or nothing): `role`, plus `reservation` when the
    // reservation is dynamic.
    const std::string effective_role = role->value_or(std::string(default_role));
    if (auto status = validate_role_name(effective_role); !status) {
      return at(join(path, "role"), status.error());
    }
    if (effective_role == kUnreservedRole) {
      if (legacy) {
        return at(join(path, "reservation"),
                  "role '*' cannot be dynamically reserved; give a role other than '*'");
      }
    } else {
      Reservation reservation;
      reservation.role = effective_role;
      if (legacy) {
        reservation.type = ReservationType::kDynamic;
        if (auto status =
                read_principal_and_labels(*legacy, join(path, "reservation"), reservation);
            !status) {
          return Error(status.error());
        }
      }
      r.reservation = std::move(reservation);
    }
  }

  if (auto it = object.find("allocation_info"); it != object.end()) {
    const std::string info_path = join(path, "allocation_info");
    if (!it->is_object()) return at(info_path, "expected an object, got " + describe(*it));
    auto allocation = optional_string(*it, "role", info_path);
    if (!allocation) return Error(allocation.error());
    if (!allocation->has_value()) return at(join(info_path, "role"), "missing (required)");
    if (auto status = validate_role_name(**allocation); !status) {
      return at(join(info_path, "role"), status.error());
    }
    r.allocation_role = std::move(**allocation);
  }

  if (auto status = r.validate(); !status) return at(path, status.error());
  return r;
}

}  // namespace cairn
