// UriLocation: what a CommandInfo.URI value points at and how to get it.
//
// Cairn fetches http:// and https:// URLs (libcurl) and local files, given
// as an absolute path or a file:// URI (file:///path or
// file://localhost/path). Relative paths are refused (Mesos resolves them
// against --frameworks_home, which Cairn does not have), and so are other
// schemes (hdfs://, s3://, ftp://...), with an error listing what works.
// Values are used as written, without percent-decoding, as Mesos does.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::fetcher {

struct UriLocation {
  enum class Kind { kHttp, kLocal };
  Kind kind = Kind::kLocal;
  // The URL for kHttp, the absolute path for kLocal.
  std::string target;
};

Result<UriLocation> locate_uri(std::string_view value);

// The default name of the fetched file: the last path segment, without a
// query or fragment ("http://h/a/pkg.tgz?v=2" -> "pkg.tgz"). An error when
// there is none ("http://h/", "/dir/"), which calls for output_file.
Result<std::string> uri_basename(std::string_view value);

// The value for logs and error messages, with any password in
// "scheme://user:password@host" replaced by "***".
std::string redact_uri(std::string_view value);

}  // namespace cairn::fetcher
