// Role names, as Mesos defines them.
//
// A role names who resources are reserved or allocated to. `*` is the special
// "unreserved" role. Other roles are hierarchical: `/` separates components,
// as in `eng/web`, and resources reserved to `eng` may be offered to
// `eng/web`. validate_role_name() applies Mesos' rules: a role is `*`, or one
// or more `/`-separated components, each non-empty, not `.`, `..` or `*`, not
// starting with `-`, and free of whitespace, control characters (including
// DEL) and backslashes; it must also be valid UTF-8.
#pragma once

#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn {

inline constexpr std::string_view kUnreservedRole = "*";

// OK, or an error naming the role, what is wrong with it and what is valid.
Status validate_role_name(std::string_view role);

// True when `role` is `of` itself or one of its ancestors: "eng" for
// "eng/web". "*" is only its own ancestor.
bool is_ancestor_or_self(std::string_view role, std::string_view of);

// The ancestors of `role`, nearest first: "a/b/c" gives {"a/b", "a"}. The
// views point into `role`.
std::vector<std::string_view> role_ancestors(std::string_view role);

}  // namespace cairn
