#include "lib/spec/host_identity.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>

namespace cairn::spec {
namespace {

bool matches(const std::string& host, const std::string& hostname,
             const std::vector<std::string>& identities) {
  auto known = [&](const std::string& s) {
    return !s.empty() && std::find(identities.begin(), identities.end(), s) != identities.end();
  };
  return known(host) || known(hostname);
}

}  // namespace

HostRoles find_host(const ClusterSpec& spec, const std::vector<std::string>& identities) {
  HostRoles roles;
  for (size_t i = 0; i < spec.masters.size() && !roles.master; ++i) {
    if (matches(spec.masters[i].host, spec.masters[i].hostname, identities)) roles.master = i;
  }
  for (size_t i = 0; i < spec.agents.size() && !roles.agent; ++i) {
    if (matches(spec.agents[i].host, spec.agents[i].hostname, identities)) roles.agent = i;
  }
  return roles;
}

std::vector<std::string> local_identities() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr) continue;
      char buf[INET6_ADDRSTRLEN] = {};
      if (a->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
      } else if (a->ifa_addr->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, buf,
                  sizeof buf);
      } else {
        continue;
      }
      out.emplace_back(buf);
    }
    freeifaddrs(list);
  }
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0 && name[0]) {
    out.emplace_back(name);
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    addrinfo* info = nullptr;
    if (getaddrinfo(name, nullptr, &hints, &info) == 0) {
      if (info && info->ai_canonname) out.emplace_back(info->ai_canonname);
      freeaddrinfo(info);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace cairn::spec
