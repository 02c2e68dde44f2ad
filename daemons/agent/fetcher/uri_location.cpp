#include "daemons/agent/fetcher/uri_location.hpp"

#include <algorithm>
#include <cctype>

#include "lib/base/ascii.hpp"
namespace cairn::fetcher {

namespace {

// The scheme of "scheme://..." (lower case), or "" for a plain path.
std::string scheme_of(std::string_view value) {
  size_t sep = value.find("://");
  if (sep == std::string_view::npos || sep == 0) return "";
  std::string_view scheme = value.substr(0, sep);
  bool valid = std::isalpha(static_cast<unsigned char>(scheme[0])) &&
               std::all_of(scheme.begin(), scheme.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '+' || c == '-' || c == '.';
               });
  return valid ? ascii_lower(scheme) : "";
}

// "file:///p" and "file://localhost/p" -> "/p"; anything else is refused.
Result<std::string> file_uri_path(std::string_view value) {
  std::string_view rest = value.substr(value.find("://") + 3);
  if (ascii_lower(rest.substr(0, 10)) == "localhost/") rest.remove_prefix(9);
  if (rest.empty() || rest.front() != '/')
    return Error("a file:// URI must name an absolute path on this host (file:///path)");
  return std::string(rest);
}

}  // namespace

Result<UriLocation> locate_uri(std::string_view value) {
  if (value.empty()) return Error("empty URI");
  if (value.find('\0') != std::string_view::npos) return Error("URI contains a NUL byte");
  std::string scheme = scheme_of(value);
  if (scheme == "http" || scheme == "https")
    return UriLocation{UriLocation::Kind::kHttp, std::string(value)};
  if (scheme == "file") {
    auto path = file_uri_path(value);
    if (!path.ok()) return Error(path.error());
    return UriLocation{UriLocation::Kind::kLocal, *path};
  }
  if (!scheme.empty())
    return Error("unsupported scheme '" + scheme +
                 "' (supported: http://, https://, file:// and absolute paths)");
  if (value.front() != '/')
    return Error("relative path refused; use an absolute path or a file:// URI");
  return UriLocation{UriLocation::Kind::kLocal, std::string(value)};
}

Result<std::string> uri_basename(std::string_view value) {
  std::string_view path = value;
  std::string scheme = scheme_of(value);
  if (!scheme.empty()) {
    path.remove_prefix(scheme.size() + 3);
    if (scheme != "file") {
      // Drop the authority, then the query and fragment.
      size_t slash = path.find('/');
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
      path = path.substr(0, std::min(path.find('?'), path.find('#')));
    }
  }
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.empty() || base == "." || base == "..")
    return Error(
        "cannot name the fetched file after the URI (no file name in its path); "
        "set output_file");
  return std::string(base);
}

std::string redact_uri(std::string_view value) {
  size_t sep = value.find("://");
  if (sep == std::string_view::npos) return std::string(value);
  size_t authority = sep + 3;
  size_t end = value.find_first_of("/?#", authority);
  if (end == std::string_view::npos) end = value.size();
  size_t at = value.rfind('@', end);
  if (at == std::string_view::npos || at < authority) return std::string(value);
  size_t colon = value.find(':', authority);
  if (colon == std::string_view::npos || colon > at) return std::string(value);
  return std::string(value.substr(0, colon + 1)) + "***" + std::string(value.substr(at));
}

}  // namespace cairn::fetcher
