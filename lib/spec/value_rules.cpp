// Hand-written loops rather than std::regex: libstdc++'s regex recurses per
// character and overflows the stack on long values.
#include "lib/spec/value_rules.hpp"

#include <algorithm>

#include "lib/spec/diagnostic.hpp"

namespace cairn::spec {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool has_control_or_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c <= 0x20 || c == 0x7F;
  });
}

Error problem(std::string_view what, std::string_view value, std::string_view expected) {
  return Error(std::string(what) + " (got " + quote_value(value) + "; expected " +
               std::string(expected) + ")");
}

}  // namespace

Status check_cluster_name(std::string_view name) {
  constexpr std::string_view kExpected =
      "1..63 of a-z, 0-9 and '-', not starting or ending with '-', such as prod-east";
  if (name.empty() || name.size() > 63) {
    return problem("is not a valid cluster name: it must be 1..63 characters long", name,
                   kExpected);
  }
  if (!std::all_of(name.begin(), name.end(),
                   [](char c) { return is_lower_alnum(c) || c == '-'; })) {
    return problem(
        "is not a valid cluster name: only lower-case letters, digits and '-' are "
        "allowed",
        name, kExpected);
  }
  if (name.front() == '-' || name.back() == '-') {
    return problem("is not a valid cluster name: it may not start or end with '-'", name,
                   kExpected);
  }
  return ok_status();
}

Status check_user_name(std::string_view name) {
  constexpr std::string_view kExpected =
      "a-z or '_' first, then a-z, 0-9, '_', '.' or '-'; at most 32 characters, such as admin";
  const bool valid = !name.empty() && name.size() <= 32 &&
                     (name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z')) &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return is_lower_alnum(c) || c == '_' || c == '.' || c == '-';
                     });
  if (!valid) return problem("is not a valid user name", name, kExpected);
  return ok_status();
}

Status check_znode_path(std::string_view path) {
  constexpr std::string_view kExpected = "a path such as /mesos or /cairn/prod-east";
  if (path.empty() || path.front() != '/') {
    return problem("is not a ZooKeeper path: it must start with '/'", path, kExpected);
  }
  if (path.size() == 1) {
    return problem("is the ZooKeeper root: masters need a path of their own", path, kExpected);
  }
  if (path.size() > 1024) {
    return problem("is not a ZooKeeper path: it is longer than 1024 characters", path, kExpected);
  }
  if (has_control_or_space(path)) {
    return problem("is not a ZooKeeper path: it contains whitespace or control characters", path,
                   kExpected);
  }
  size_t start = 1;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view component = path.substr(start, slash - start);
    if (component.empty()) {
      return problem("is not a ZooKeeper path: it has an empty component ('//' or a trailing '/')",
                     path, kExpected);
    }
    if (component == "." || component == "..") {
      return problem("is not a ZooKeeper path: '.' and '..' are not allowed", path, kExpected);
    }
    start = slash + 1;
  }
  if (path == "/zookeeper" || path.starts_with("/zookeeper/")) {
    return problem("is reserved: ZooKeeper keeps its own data under /zookeeper", path, kExpected);
  }
  return ok_status();
}

Status check_absolute_path(std::string_view path) {
  constexpr std::string_view kExpected = "an absolute path such as /var/lib/cairn";
  if (path.empty() || path.front() != '/') {
    return problem("must be an absolute path", path, kExpected);
  }
  if (path.size() > 4096) return problem("is longer than 4096 bytes", path, kExpected);
  if (std::any_of(path.begin(), path.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7F;
      })) {
    return problem("contains control characters", path, kExpected);
  }
  return ok_status();
}

}  // namespace cairn::spec
