#include "lib/zk/zk_url.hpp"

#include <algorithm>
#include <cctype>

#include "lib/fs/atomic_file.hpp"

namespace cairn::zk {

namespace {

constexpr const char* kValid = "expected zk://[user:password@]host:port[,host:port...]/path";

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

Result<std::string> resolve_file(const std::string& text, const std::string& flag) {
  if (text.rfind("file://", 0) != 0) return text;
  Result<std::string> content = fs::read_file(text.substr(7));
  if (!content.ok()) return Error(flag + ": " + content.error());
  return trimmed(*content);
}

Status check_server(const std::string& server, const std::string& flag) {
  size_t colon = server.rfind(':');
  if (server.empty() || colon == 0) {
    return Error(flag + ": empty host in '" + server + "'; " + kValid);
  }
  if (colon == std::string::npos) return ok_status();  // ZooKeeper's default port 2181
  std::string port = server.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(c); });
  if (!digits || std::stoi(port) == 0 || std::stoi(port) > 65535) {
    return Error(flag + ": bad port '" + port + "' in '" + server + "' (1-65535)");
  }
  return ok_status();
}

}  // namespace

Result<ZkUrl> ZkUrl::parse(const std::string& input, const std::string& flag) {
  Result<std::string> resolved = resolve_file(trimmed(input), flag);
  if (!resolved.ok()) return Error(resolved.error());
  const std::string& text = *resolved;
  if (text.rfind("zk://", 0) != 0) {
    return Error(flag + ": '" + text + "' is not a ZooKeeper URL; " + kValid);
  }
  std::string rest = text.substr(5);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  ZkUrl url;
  url.path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = credentials.find(':');
    if (colon == std::string::npos || colon == 0) {
      return Error(flag + ": credentials must be user:password (digest authentication)");
    }
    url.credentials = credentials;
  }
  if (authority.empty()) return Error(flag + ": no ZooKeeper server in '" + text + "'; " + kValid);
  size_t start = 0;
  while (start <= authority.size()) {
    size_t comma = authority.find(',', start);
    std::string server = authority.substr(start, comma == std::string::npos ? comma : comma - start);
    if (Status st = check_server(server, flag); !st.ok()) return Error(st.error());
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  url.servers = authority;
  while (url.path.size() > 1 && url.path.back() == '/') url.path.pop_back();
  if (url.path == "/") {
    return Error(flag + ": the URL needs a path for Cairn's nodes (zk://" + authority + "/mesos)");
  }
  if (url.path.find("//") != std::string::npos) {
    return Error(flag + ": bad path '" + url.path + "' (empty path segment)");
  }
  return url;
}

std::string ZkUrl::redacted() const { return "zk://" + servers + path; }

bool is_zk_url(const std::string& input) {
  std::string text = trimmed(input);
  if (text.rfind("zk://", 0) == 0) return true;
  if (text.rfind("file://", 0) != 0) return false;
  Result<std::string> content = fs::read_file(text.substr(7));
  return content.ok() && trimmed(*content).rfind("zk://", 0) == 0;
}

}  // namespace cairn::zk
