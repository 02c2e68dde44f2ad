// One Mesos resource: a named quantity with its reservation and allocation.
//
// A Resource is what a single entry of `cpus(prod):4` or of a v1 JSON
// `Resource` object says: a name, a value (scalar, ranges or set), who it is
// reserved to (nobody = role `*`; a STATIC reservation from the agent's
// flags; or a DYNAMIC one made through the API, with an optional principal
// and labels) and, when it has been offered to a multi-role framework, the
// role it is allocated to (Mesos `allocation_info.role`). Two resources with
// the same name, type, reservation and allocation are the same kind and merge
// when added; Resources keeps one entry per kind.
//
// JSON comes in the three Mesos formats: "pre-reservation-refinement"
// (`role` + legacy `reservation`, what frameworks without the
// RESERVATION_REFINEMENT capability see), "post-reservation-refinement"
// (`reservations` array) and "endpoint" (both, as /master/state shows).
// Refined reservations (more than one entry in `reservations`) and DiskInfo,
// RevocableInfo, SharedInfo and provider ids are not supported and are
// reported as errors rather than silently dropped.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/resources/value.hpp"

namespace cairn {

// Mesos `Label`: a key with an optional value.
struct Label {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const Label&) const = default;
};
using Labels = std::vector<Label>;

enum class ReservationType { kStatic, kDynamic };

// Mesos `Resource.ReservationInfo`.
struct Reservation {
  ReservationType type = ReservationType::kStatic;
  std::string role;                      // never "*"
  std::optional<std::string> principal;  // DYNAMIC only
  Labels labels;                         // DYNAMIC only
  bool operator==(const Reservation&) const = default;
};

enum class ResourceFormat {
  kPreRefinement,   // "role" + "reservation" (the default for frameworks)
  kPostRefinement,  // "reservations"
  kEndpoint,        // both, as Mesos' HTTP endpoints write them
};

// Resource names may not contain these, so that every resource prints back
// to text that parses.
inline constexpr std::string_view kResourceNameForbidden = ";:()[]{},";

// Why `name` cannot be a resource name, or nothing when it is fine.
std::optional<std::string> resource_name_problem(std::string_view name);

struct Resource {
  std::string name;
  ResourceValue value;
  std::optional<Reservation> reservation;      // nothing: unreserved ("*")
  std::optional<std::string> allocation_role;  // Mesos allocation_info.role

  static Resource unreserved(std::string name, ResourceValue value);
  // Statically reserved to `role` ("*" gives an unreserved resource).
  static Resource reserved(std::string name, ResourceValue value, std::string role);
  static Resource dynamically_reserved(std::string name, ResourceValue value, std::string role,
                                       std::optional<std::string> principal = std::nullopt,
                                       Labels labels = {});

  ValueType type() const { return type_of(value); }
  // The reservation role, or "*".
  std::string_view role() const;
  bool is_reserved() const { return reservation.has_value(); }
  bool is_dynamically_reserved() const;
  // Zero scalar, empty ranges or empty set: such entries are never stored.
  bool is_empty() const;
  // Same name, type, reservation and allocation: values can be combined.
  bool same_kind(const Resource& other) const;

  // Name, role, reservation and allocation are valid and a scalar is not
  // negative. The error says which field is wrong and what is valid.
  Status validate() const;

  // `cpus:8`, `cpus(prod):4`, `ports:[1-2]`. Dynamic reservations and
  // allocations have no Mesos text syntax and print for humans only, as
  // Mesos 1.x does: `cpus(prod, ops, {k: v})(allocated: prod):4`.
  std::string to_string() const;

  nlohmann::json to_json(ResourceFormat format = ResourceFormat::kPreRefinement) const;

  // Accepts any of the three formats. A resource with neither `role` nor
  // `reservations` gets `default_role`. `path` prefixes error locations, e.g.
  // "[3]". The result is validated.
  static Result<Resource> from_json(const nlohmann::json& json, std::string_view default_role = "*",
                                    const std::string& path = "");

  bool operator==(const Resource&) const = default;
};

}  // namespace cairn
