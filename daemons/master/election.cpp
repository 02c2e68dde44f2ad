#include "daemons/master/election.hpp"

#include "lib/logging/log.hpp"

namespace cairn::master {

namespace {

// The ZooKeeper registry, reporting any failed write as the end of this
// master's leadership (the write failed because another master leads, or
// because this one can no longer prove it does).
class SteppingDownRegistry : public Registry {
 public:
  SteppingDownRegistry(std::unique_ptr<Registry> inner, std::function<void(std::string)> fail)
      : inner_(std::move(inner)), fail_(std::move(fail)) {}

  void recover(std::function<void(Result<RegistryState>)> done) override {
    inner_->recover(std::move(done));
  }
  void apply(Mutation mutation, std::function<void(Status)> done) override {
    inner_->apply(std::move(mutation), [fail = fail_, done = std::move(done)](Status written) {
      done(written);
      if (!written.ok()) fail(written.error());
    });
  }
  const RegistryState& stored() const override { return inner_->stored(); }
  bool settled() const override { return inner_->settled(); }

 private:
  std::unique_ptr<Registry> inner_;
  std::function<void(std::string)> fail_;
};

}  // namespace

MasterElection::MasterElection(EventLoop& loop, Master& master, zk::ZkUrl url,
                               Duration session_timeout, std::function<void(std::string)> step_down)
    : loop_(loop),
      master_(master),
      url_(std::move(url)),
      session_timeout_(session_timeout),
      step_down_(std::move(step_down)) {}

MasterElection::~MasterElection() {
  contender_.reset();
  detector_.reset();
  client_.reset();
}

void MasterElection::start() {
  std::weak_ptr<bool> alive = alive_;
  detector_ = std::make_unique<zk::LeaderDetector>(
      loop_, url_, session_timeout_, [this, alive](std::optional<nlohmann::json> leader) {
        if (!alive.expired()) master_.set_leader(std::move(leader));
      });
  zk::ClientOptions options{url_.servers, session_timeout_, url_.credentials};
  client_ = std::make_unique<zk::Client>(loop_, options, [this, alive](zk::SessionEvent event) {
    if (alive.expired()) return;
    switch (event) {
      case zk::SessionEvent::kConnected:
        log::info("Connected to ZooKeeper at {} (session {:#x})", url_.redacted(),
                  client_->session_id());
        if (!contender_) {
          contender_ = std::make_unique<zk::LeaderContender>(
              *client_, url_.path, master_.master_info().dump(), [this] { elected(); },
              [this](std::string why) { fail("leader election: " + why); });
          contender_->start();
        }
        break;
      case zk::SessionEvent::kDisconnected:
        log::warning("Disconnected from ZooKeeper; {} if not reconnected within {}",
                     master_.leading() ? "stepping down as leader" : "starting over",
                     session_timeout_.to_string());
        break;
      case zk::SessionEvent::kExpired: fail("the ZooKeeper session expired"); break;
      case zk::SessionEvent::kAuthFailed:
        fail("ZooKeeper refused the credentials of " + url_.redacted());
        break;
    }
  });
}

void MasterElection::elected() {
  log::info("Elected as the leading master (node {})", contender_->node().value_or("?"));
  auto registry = std::make_unique<SteppingDownRegistry>(
      make_zk_registry(loop_, *client_, url_.path, *contender_->node()),
      [this, alive = std::weak_ptr<bool>(alive_)](std::string why) {
        if (!alive.expired()) fail(why);
      });
  master_.lead(std::move(registry), [this, alive = std::weak_ptr<bool>(alive_)](Status led) {
    if (!alive.expired() && !led.ok()) fail(led.error());
  });
}

void MasterElection::fail(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  // Not from inside a ZooKeeper callback: the owner tears the session down.
  loop_.post([step_down = step_down_, why] { step_down(why); });
}

}  // namespace cairn::master
