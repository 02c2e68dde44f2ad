// A hand-written parser rather than the long regular expression semver.org
// offers: std::regex recurses once per character and overflows the stack on
// long input, and this way each error says which part is wrong.
#include "lib/spec/semantic_version.hpp"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <utility>

#include "lib/spec/diagnostic.hpp"

namespace cairn::spec {
namespace {

constexpr std::string_view kExpected = "expected MAJOR.MINOR.PATCH such as 1.0.0 or 1.1.0-rc.1";

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Error invalid(std::string_view text, const std::string& problem) {
  return Error("is not a semantic version: " + problem + " (got " + quote_value(text) + "; " +
               std::string(kExpected) + ")");
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

}  // namespace

Result<SemanticVersion> SemanticVersion::parse(std::string_view text) {
  SemanticVersion version;
  std::string_view core = text;
  if (const size_t plus = core.find('+'); plus != std::string_view::npos) {
    version.build = split(core.substr(plus + 1), '.');
    for (const std::string& id : version.build) {
      if (!is_identifier(id)) {
        return invalid(text, "build metadata must be dot-separated identifiers of [0-9A-Za-z-]");
      }
    }
    core = core.substr(0, plus);
  }
  if (const size_t dash = core.find('-'); dash != std::string_view::npos) {
    version.pre_release = split(core.substr(dash + 1), '.');
    for (const std::string& id : version.pre_release) {
      if (!is_identifier(id)) {
        return invalid(text, "a pre-release must be dot-separated identifiers of [0-9A-Za-z-]");
      }
      if (is_digits(id) && id.size() > 1 && id[0] == '0') {
        return invalid(text, "numeric pre-release identifiers may not have leading zeros");
      }
    }
    core = core.substr(0, dash);
  }
  const std::vector<std::string> numbers = split(core, '.');
  if (numbers.size() != 3) return invalid(text, "it needs exactly three numbers");
  uint64_t* targets[] = {&version.major, &version.minor, &version.patch};
  for (size_t i = 0; i < 3; ++i) {
    const std::string& n = numbers[i];
    if (!is_digits(n)) return invalid(text, "MAJOR, MINOR and PATCH must be numbers");
    if (n.size() > 1 && n[0] == '0') return invalid(text, "numbers may not have leading zeros");
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), *targets[i]);
    if (ec != std::errc() || end != n.data() + n.size()) {
      return invalid(text, "a number is too large");
    }
  }
  return version;
}

std::string SemanticVersion::to_string() const {
  std::string out =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!pre_release.empty()) out += "-" + join(pre_release);
  if (!build.empty()) out += "+" + join(build);
  return out;
}

std::weak_ordering SemanticVersion::precedence(const SemanticVersion& other) const {
  if (auto c = std::tie(major, minor, patch) <=> std::tie(other.major, other.minor, other.patch);
      c != 0) {
    return c;
  }
  // A release ranks above its pre-releases.
  if (pre_release.empty() || other.pre_release.empty()) {
    return pre_release.empty() <=> other.pre_release.empty();
  }
  for (size_t i = 0; i < pre_release.size() && i < other.pre_release.size(); ++i) {
    const std::string& a = pre_release[i];
    const std::string& b = other.pre_release[i];
    const bool a_num = is_digits(a);
    const bool b_num = is_digits(b);
    if (a_num && b_num) {
      // No leading zeros, so the longer number is the larger.
      if (auto c = std::make_pair(a.size(), std::string_view(a)) <=>
                   std::make_pair(b.size(), std::string_view(b));
          c != 0) {
        return c;
      }
    } else if (a_num != b_num) {
      return a_num ? std::weak_ordering::less : std::weak_ordering::greater;
    } else if (auto c = a <=> b; c != 0) {
      return c;
    }
  }
  return pre_release.size() <=> other.pre_release.size();
}

}  // namespace cairn::spec
