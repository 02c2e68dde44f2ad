// ZkUrl: the ZooKeeper address Mesos-style flags take
// (`zk://[user:password@]host1:2181,host2:2181/path`), or `file:///path` naming
// a file that holds such a URL (so the password stays out of `ps`).
#pragma once

#include <optional>
#include <string>

#include "lib/base/result.hpp"

namespace cairn::zk {

struct ZkUrl {
  std::string servers;  // "host1:2181,host2:2181", as zookeeper_init takes it
  std::string path;     // "/mesos": never empty, no trailing '/'
  // Digest credentials ("user:password"), when given.
  std::optional<std::string> credentials;

  // `zk://...`, or `file://` followed by the path of a file holding one.
  // `flag` names the flag in error messages ("--zk", "--master").
  static Result<ZkUrl> parse(const std::string& text, const std::string& flag = "--zk");

  // zk://host1:2181,host2:2181/path with the credentials left out, for logs.
  std::string redacted() const;
};

// True when `text` is a zk:// URL or a file:// whose content is one.
bool is_zk_url(const std::string& text);

}  // namespace cairn::zk
