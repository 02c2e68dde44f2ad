#include "lib/spec/host_identity.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "lib/spec/host_address.hpp"

namespace cairn::spec {
namespace {

// The index of the one entry of `entries` that is this machine, nothing,
// or an error naming every entry that matched.
template <typename Entry>
Result<std::optional<size_t>> find_in(const std::vector<Entry>& entries, std::string_view list,
                                      const std::set<std::string>& mine) {
  std::vector<size_t> matches;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (mine.contains(canonical_host(entries[i].host)) ||
        mine.contains(canonical_host(entries[i].hostname))) {
      matches.push_back(i);
    }
  }
  if (matches.empty()) return std::optional<size_t>();
  if (matches.size() == 1) return std::optional<size_t>(matches[0]);
  std::string names;
  for (size_t i : matches) {
    names += (names.empty() ? "" : ", ") + std::string(list) + "[" + std::to_string(i) + "] (" +
             entries[i].host + ")";
  }
  return Error("this machine matches " + names + " (expected one " + std::string(list) +
               " entry per machine; two entries name the same machine by different addresses or "
               "names)");
}

}  // namespace

Result<HostRoles> find_host_roles(const ClusterSpec& spec,
                                  std::span<const std::string> identities) {
  std::set<std::string> mine;
  for (const std::string& id : identities) {
    if (!id.empty()) mine.insert(canonical_host(id));
  }
  auto master = find_in(spec.masters, "masters", mine);
  if (!master) return Error(master.error());
  auto agent = find_in(spec.agents, "agents", mine);
  if (!agent) return Error(agent.error());
  return HostRoles{*master, *agent};
}

std::vector<std::string> local_identities() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr) continue;
      char buffer[INET6_ADDRSTRLEN] = {};
      const void* address = nullptr;
      if (a->ifa_addr->sa_family == AF_INET) {
        address = &reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr;
      } else if (a->ifa_addr->sa_family == AF_INET6) {
        address = &reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr;
      } else {
        continue;
      }
      if (inet_ntop(a->ifa_addr->sa_family, address, buffer, sizeof buffer) != nullptr) {
        out.emplace_back(buffer);
      }
    }
    freeifaddrs(list);
  }
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') {
    out.emplace_back(name);
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    addrinfo* info = nullptr;
    if (getaddrinfo(name, nullptr, &hints, &info) == 0) {
      if (info != nullptr && info->ai_canonname != nullptr) out.emplace_back(info->ai_canonname);
      freeaddrinfo(info);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string first_ipv4_address() {
  ifaddrs* list = nullptr;
  std::string found = "127.0.0.1";
  if (::getifaddrs(&list) != 0) return found;
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(it->ifa_addr)->sin_addr, text,
                sizeof text);
    if (std::string(text).rfind("127.", 0) != 0) {
      found = text;
      break;
    }
  }
  ::freeifaddrs(list);
  return found;
}

}  // namespace cairn::spec
