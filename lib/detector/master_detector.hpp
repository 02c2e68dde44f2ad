// Finding the leading master from a --master flag, for every client of the
// master: agents, frameworks using the scheduler SDK, and the `cairn` CLI.
//
// --master is either a fixed master ("host:port", "http(s)://host:port")
// or a ZooKeeper URL ("zk://[user:password@]host1:2181,host2:2181/mesos")
// under which the masters hold their election (lib/zk/leader_election.hpp);
// "file:///path" may name a file holding either form, so that a password
// stays out of `ps`. MasterDetector turns both into one stream of "the
// leader is now at http://ip:port" (or "there is none") on an EventLoop, so
// that a client follows a fail-over the same way it follows a fixed master.
// detect_leader_once() is the blocking, one-shot form for command-line tools.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/units/duration.hpp"

namespace cairn::zk {
class LeaderDetector;
}

namespace cairn::detector {

inline constexpr uint16_t kDefaultMasterPort = 5050;

// The base URL of a fixed master, "http(s)://host:port[/prefix]" without a
// trailing '/': "host" and "host:port" get http://, a missing port is
// 5050, "[v6]:port" is kept. "file:///path" reads the master from the
// file. ZooKeeper URLs are refused (they need a MasterDetector); `flag`
// names the flag in errors, which say what is valid.
Result<std::string> normalize_master_url(const std::string& text,
                                         const std::string& flag = "--master");

// "http://<ip>:<port>" of a master from its MasterInfo JSON as Mesos and
// Cairn masters write it into ZooKeeper: address.ip, else the uint32 `ip`
// (network-order bytes), else the hostname; address.port, else `port`.
// Nullopt when it names no host or port.
std::optional<std::string> leader_url(const nlohmann::json& master_info);

// Follows the leading master on an EventLoop. Create, use and destroy it on
// the loop's thread; nothing it does blocks the loop.
class MasterDetector {
 public:
  // `on_leader` runs on the loop, never from inside create(): once with the
  // URL of a fixed master; for a ZooKeeper URL each time the leader's URL
  // changes, with nullopt while there is no leader (none elected, or
  // ZooKeeper unreachable for a whole session). `on_leader` must not
  // destroy the detector. An error when `master` is neither a valid master
  // nor a valid ZooKeeper URL (the error names `flag` and what is valid).
  static Result<std::unique_ptr<MasterDetector>> create(
      EventLoop& loop, const std::string& master, Duration zk_session_timeout,
      std::function<void(std::optional<std::string>)> on_leader,
      const std::string& flag = "--master");
  ~MasterDetector();
  MasterDetector(const MasterDetector&) = delete;
  MasterDetector& operator=(const MasterDetector&) = delete;

  // True when following a ZooKeeper election.
  bool follows_zookeeper() const { return zk_ != nullptr; }
  // What is followed, for logs: the master's URL, or the ZooKeeper URL
  // without its credentials.
  const std::string& source() const { return source_; }
  // The last URL reported (nullopt before the first report, or no leader).
  const std::optional<std::string>& leader() const { return leader_; }

 private:
  MasterDetector(std::string source, std::function<void(std::optional<std::string>)> on_leader);
  void report(std::optional<std::string> url);

  std::string source_;
  std::function<void(std::optional<std::string>)> on_leader_;
  std::unique_ptr<zk::LeaderDetector> zk_;
  bool reported_ = false;
  std::optional<std::string> leader_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Blocking, for command-line tools: the leading master's URL from
// `master`. A fixed master is only normalised; for a ZooKeeper URL this
// runs a detector on an EventLoop thread of its own and waits up to
// `timeout` for a leader. The error names the ZooKeeper URL (without its
// credentials), the timeout, and whether ZooKeeper answered at all.
Result<std::string> detect_leader_once(const std::string& master, Duration timeout,
                                       const std::string& flag = "--master");

}  // namespace cairn::detector
