#include "lib/detector/master_detector.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>

#include "lib/base/ascii.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/logging/log.hpp"
#include "lib/zk/leader_election.hpp"
#include "lib/zk/zk_url.hpp"

namespace cairn::detector {

namespace {

constexpr const char* kValid =
    "expected host:port, http(s)://host:port, zk://[user:password@]host:port[,host:port...]/path, "
    "or file:///path holding one of these";

// The session of a one-shot detector: long enough to ride out a slow
// server, short enough not to linger on the servers after the CLI exits
// (the session is closed on exit anyway).
constexpr Duration kOneShotSessionTimeout = Duration::seconds(10);

std::string trimmed(const std::string& text) {
  size_t start = 0, end = text.size();
  while (start < end && std::isspace(static_cast<unsigned char>(text[start])))
    ++start;
  while (end > start && std::isspace(static_cast<unsigned char>(text[end - 1])))
    --end;
  return text.substr(start, end - start);
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// A JSON number in [0, max] as an integer; nullopt for anything else.
std::optional<uint64_t> unsigned_field(const nlohmann::json& object, const char* key,
                                       uint64_t max) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    uint64_t value = it->get<uint64_t>();
    if (value <= max) return value;
  } else if (it->is_number_integer()) {
    int64_t value = it->get<int64_t>();
    if (value >= 0 && static_cast<uint64_t>(value) <= max) return static_cast<uint64_t>(value);
  }
  return std::nullopt;
}

std::string string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<std::string> normalize_master_url(const std::string& input, const std::string& flag) {
  std::string text = trimmed(input);
  if (text.rfind("file://", 0) == 0) {
    const std::string path = text.substr(7);
    Result<std::string> content = fs::read_file(path);
    if (!content.ok()) return Error(flag + ": " + content.error());
    text = trimmed(*content);
    if (text.empty() || text.rfind("file://", 0) == 0) {
      return Error(flag + ": " + path + " should hold the master's address; " + kValid);
    }
  }
  if (text.empty()) return Error(flag + ": no master given; " + kValid);
  if (text.rfind("zk://", 0) == 0) {
    // Not echoed: the URL may carry a password.
    return Error(flag +
                 ": a ZooKeeper URL is not accepted here; give host:port or "
                 "http(s)://host:port of the master");
  }
  std::string scheme = "http";
  std::string rest = text;
  if (size_t sep = text.find("://"); sep != std::string::npos) {
    scheme = ascii_lower(text.substr(0, sep));
    if (scheme != "http" && scheme != "https") {
      return Error(flag + ": unsupported scheme '" + text.substr(0, sep) + "://' in '" + text +
                   "'; " + kValid);
    }
    rest = text.substr(sep + 3);
  }
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  if (prefix.find_first_of("?#") != std::string::npos) {
    return Error(flag + ": '" + text + "' must not have a query or fragment; " + kValid);
  }

  std::string host, port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) {
      return Error(flag + ": unterminated IPv6 address in '" + text + "' (write [addr]:port)");
    }
    host = authority.substr(0, close + 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      return Error(flag + ": '" + text + "' is not a valid master; " + kValid);
    }
    if (!after.empty()) port = after.substr(1);
    if (host.size() < 3 || !std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        })) {
      return Error(flag + ": bad IPv6 address " + host + " in '" + text + "'");
    }
  } else {
    const size_t colon = authority.find(':');
    if (colon != std::string::npos && authority.find(':', colon + 1) != std::string::npos) {
      return Error(flag + ": write IPv6 addresses in brackets ([addr]:port), got '" + text + "'");
    }
    host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return Error(flag + ": empty port in '" + text + "' (1-65535)");
    }
    if (host.empty()) return Error(flag + ": no host in '" + text + "'; " + kValid);
    if (!std::all_of(host.begin(), host.end(), host_char)) {
      return Error(flag + ": bad host '" + host + "' in '" + text + "'; " + kValid);
    }
  }
  if (port.empty()) {
    port = std::to_string(kDefaultMasterPort);
  } else {
    const bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
                          return std::isdigit(static_cast<unsigned char>(c));
                        });
    if (!digits || std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return Error(flag + ": bad port '" + port + "' in '" + text + "' (1-65535)");
    }
  }
  return scheme + "://" + host + ":" + port + prefix;
}

std::optional<std::string> leader_url(const nlohmann::json& info) {
  if (!info.is_object()) return std::nullopt;
  static const nlohmann::json kNone = nlohmann::json::object();
  auto address_it = info.find("address");
  const nlohmann::json& address =
      address_it != info.end() && address_it->is_object() ? *address_it : kNone;

  std::string host = string_field(address, "ip");
  if (host.empty()) {
    // Mesos' MasterInfo.ip: the in_addr's bytes (network order) read as a
    // uint32 on the writer's host, as inet_pton and s_addr give it.
    std::optional<uint64_t> ip = unsigned_field(info, "ip", UINT32_MAX);
    if (ip && *ip != 0) {
      in_addr addr{};
      addr.s_addr = static_cast<uint32_t>(*ip);
      char text[INET_ADDRSTRLEN] = {};
      if (::inet_ntop(AF_INET, &addr, text, sizeof text) != nullptr) host = text;
    }
  }
  if (host.empty()) host = string_field(address, "hostname");
  if (host.empty()) host = string_field(info, "hostname");
  std::optional<uint64_t> port = unsigned_field(address, "port", 65535);
  if (!port || *port == 0) port = unsigned_field(info, "port", 65535);
  if (host.empty() || !port || *port == 0) return std::nullopt;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(*port);
}

// --- MasterDetector ---

MasterDetector::MasterDetector(std::string source,
                               std::function<void(std::optional<std::string>)> on_leader)
    : source_(std::move(source)), on_leader_(std::move(on_leader)) {}

MasterDetector::~MasterDetector() = default;

Result<std::unique_ptr<MasterDetector>> MasterDetector::create(
    EventLoop& loop, const std::string& master, Duration zk_session_timeout,
    std::function<void(std::optional<std::string>)> on_leader, const std::string& flag) {
  if (!zk::is_zk_url(master)) {
    Result<std::string> url = normalize_master_url(master, flag);
    if (!url.ok()) return Error(url.error());
    std::unique_ptr<MasterDetector> detector(new MasterDetector(*url, std::move(on_leader)));
    // Reported from the loop, as a ZooKeeper leader would be: the caller
    // has stored the detector by then.
    MasterDetector* raw = detector.get();
    loop.post([raw, alive = std::weak_ptr<bool>(raw->alive_), url = *url] {
      if (!alive.expired()) raw->report(url);
    });
    return detector;
  }
  Result<zk::ZkUrl> url = zk::ZkUrl::parse(master, flag);
  if (!url.ok()) return Error(url.error());
  std::unique_ptr<MasterDetector> detector(
      new MasterDetector(url->redacted(), std::move(on_leader)));
  MasterDetector* raw = detector.get();
  detector->zk_ = std::make_unique<zk::LeaderDetector>(
      loop, *url, zk_session_timeout,
      [raw, alive = std::weak_ptr<bool>(raw->alive_)](std::optional<nlohmann::json> info) {
        if (alive.expired()) return;
        if (!info) return raw->report(std::nullopt);
        std::optional<std::string> leader = leader_url(*info);
        if (!leader) {
          // A leader nobody can reach is no leader: wait for the next one.
          log::warning("The leading master's MasterInfo in ZooKeeper at {} has no address: {}",
                       raw->source_, info->dump());
        }
        raw->report(leader);
      });
  return detector;
}

void MasterDetector::report(std::optional<std::string> url) {
  // Clients reconnect on every report: a new node at the same address (a
  // master restarted in place) breaks their connection anyway, and their
  // own reconnect path handles that.
  if (reported_ && url == leader_) return;
  reported_ = true;
  leader_ = url;
  on_leader_(std::move(url));
}

// --- detect_leader_once ---

Result<std::string> detect_leader_once(const std::string& master, Duration timeout,
                                       const std::string& flag) {
  if (!zk::is_zk_url(master)) return normalize_master_url(master, flag);
  Result<zk::ZkUrl> url = zk::ZkUrl::parse(master, flag);
  if (!url.ok()) return Error(url.error());

  struct Outcome {
    std::mutex mutex;
    std::condition_variable changed;
    bool answered = false;  // ZooKeeper was reached (a report came)
    std::optional<std::string> leader;
    std::string unusable;  // MasterInfo of a leader without an address
  };
  auto outcome = std::make_shared<Outcome>();
  EventLoop loop;
  loop.start_thread();
  std::unique_ptr<zk::LeaderDetector> detector;  // loop-owned
  loop.call([&] {
    detector = std::make_unique<zk::LeaderDetector>(loop, *url, kOneShotSessionTimeout,
                                                    [outcome](std::optional<nlohmann::json> info) {
                                                      std::lock_guard lock(outcome->mutex);
                                                      outcome->answered = true;
                                                      if (info) {
                                                        outcome->leader = leader_url(*info);
                                                        if (!outcome->leader)
                                                          outcome->unusable = info->dump();
                                                      }
                                                      outcome->changed.notify_all();
                                                    });
  });
  std::optional<std::string> leader;
  bool answered = false;
  std::string unusable;
  {
    std::unique_lock lock(outcome->mutex);
    outcome->changed.wait_for(lock, timeout.chrono(), [&] { return outcome->leader.has_value(); });
    leader = outcome->leader;
    answered = outcome->answered;
    unusable = outcome->unusable;
  }
  loop.call([&] { detector.reset(); });
  loop.stop();
  loop.join();

  if (leader) return *leader;
  const std::string where = "ZooKeeper at " + url->redacted();
  if (!unusable.empty()) {
    return Error(flag + ": the leading master in " + where + " has no address: " + unusable);
  }
  if (answered) {
    return Error(flag + ": found no leading master in " + where + " within " + timeout.to_string() +
                 " (are the masters running with --zk=" + url->redacted() + "?)");
  }
  return Error(flag + ": could not reach " + where + " within " + timeout.to_string());
}

}  // namespace cairn::detector
