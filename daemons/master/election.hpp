// MasterElection: an HA master's candidacy (--zk). It holds the master's
// ZooKeeper session, joins the election with the master's MasterInfo as an
// ephemeral sequential json.info_ node, follows the current leader so that
// the standby can redirect to it, and, once elected, hands the master a
// ZooKeeper registry to recover from and lead with.
//
// A master that loses its session, its node or a registry write is no
// longer sure to lead; it must stop acting as leader at once. The election
// then calls `step_down` exactly once, and the process starts over as a
// standby (main.cpp re-executes itself: all leader state is dropped).
// Safety does not hang on timing: every registry write checks this
// master's election node in the same transaction, so a master whose
// session has ended cannot write, and two leaders never both write.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "daemons/master/master.hpp"
#include "lib/zk/client.hpp"
#include "lib/zk/leader_election.hpp"
#include "lib/zk/zk_url.hpp"

namespace cairn::master {

class MasterElection {
 public:
  MasterElection(EventLoop& loop, Master& master, zk::ZkUrl url, Duration session_timeout,
                 std::function<void(std::string why)> step_down);
  // Closes both ZooKeeper sessions (a leader's node goes at once).
  ~MasterElection();
  MasterElection(const MasterElection&) = delete;
  MasterElection& operator=(const MasterElection&) = delete;

  // Call once the master serves as a standby (its port is known).
  void start();

 private:
  void elected();
  void fail(const std::string& why);

  EventLoop& loop_;
  Master& master_;
  zk::ZkUrl url_;
  Duration session_timeout_;
  std::function<void(std::string)> step_down_;
  std::unique_ptr<zk::Client> client_;
  std::unique_ptr<zk::LeaderContender> contender_;
  std::unique_ptr<zk::LeaderDetector> detector_;
  bool failed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cairn::master
