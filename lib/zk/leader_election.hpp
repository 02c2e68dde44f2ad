// Leader election and detection the Mesos way: every contender holds an
// ephemeral sequential node `<path>/json.info_NNNNNNNNNN` whose data is its
// JSON MasterInfo, and the lowest sequence number leads. Third-party
// detectors (Mesos' own, Marathon, mesos-dns) read the same nodes.
//
// LeaderContender joins the election on a Client the caller owns; it never
// rejoins by itself: a contender whose session ends has lost its place and
// its owner starts over (the master restarts as a standby). LeaderDetector
// only watches; it owns its session and recreates it after an expiry, so it
// follows leadership for as long as it lives.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/zk/client.hpp"
#include "lib/zk/zk_url.hpp"

namespace cairn::zk {

inline constexpr const char* kLeaderLabel = "json.info_";

// The leading node among `children` of the election path (lowest sequence
// of those labelled json.info_), or nullopt.
std::optional<std::string> leading_node(const std::vector<std::string>& children);

class LeaderContender {
 public:
  // `on_elected` runs once, when this contender's node becomes the lowest.
  // `on_error` runs when the contender cannot go on (its node could not be
  // created or read); the owner should close the session and start over.
  LeaderContender(Client& client, std::string path, std::string data,
                  std::function<void()> on_elected, std::function<void(std::string)> on_error);
  ~LeaderContender();
  LeaderContender(const LeaderContender&) = delete;
  LeaderContender& operator=(const LeaderContender&) = delete;

  // Creates the node (and the path's parents). Call once connected.
  void start();
  // Full path of this contender's node once created.
  const std::optional<std::string>& node() const { return node_; }
  bool elected() const { return elected_; }

 private:
  void check();

  Client& client_;
  std::string path_;
  std::string data_;
  std::function<void()> on_elected_;
  std::function<void(std::string)> on_error_;
  std::optional<std::string> node_;
  bool elected_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class LeaderDetector {
 public:
  // `on_change` runs on the loop with the leader's MasterInfo JSON each time
  // the leader changes, and with nullopt while there is none.
  LeaderDetector(EventLoop& loop, ZkUrl url, Duration session_timeout,
                 std::function<void(std::optional<nlohmann::json>)> on_change);
  ~LeaderDetector();
  LeaderDetector(const LeaderDetector&) = delete;
  LeaderDetector& operator=(const LeaderDetector&) = delete;

 private:
  void connect();
  void refresh();
  void report(std::optional<std::string> node, std::optional<nlohmann::json> info);

  EventLoop& loop_;
  ZkUrl url_;
  Duration session_timeout_;
  std::function<void(std::optional<nlohmann::json>)> on_change_;
  std::unique_ptr<Client> client_;
  Timer reconnect_timer_;
  uint64_t generation_ = 0;  // refreshes overtaken by a newer one are ignored
  bool reported_ = false;
  std::optional<std::string> leader_node_;
  std::optional<nlohmann::json> leader_info_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cairn::zk
