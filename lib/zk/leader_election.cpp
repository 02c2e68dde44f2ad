#include "lib/zk/leader_election.hpp"

#include "lib/logging/log.hpp"

namespace cairn::zk {

std::optional<std::string> leading_node(const std::vector<std::string>& children) {
  std::optional<std::string> best;
  int64_t best_sequence = 0;
  for (const std::string& name : children) {
    if (name.rfind(kLeaderLabel, 0) != 0) continue;
    std::optional<int64_t> sequence = sequence_of(name);
    if (!sequence) continue;
    if (!best || *sequence < best_sequence) {
      best = name;
      best_sequence = *sequence;
    }
  }
  return best;
}

// --- LeaderContender ---

LeaderContender::LeaderContender(Client& client, std::string path, std::string data,
                                 std::function<void()> on_elected,
                                 std::function<void(std::string)> on_error)
    : client_(client),
      path_(std::move(path)),
      data_(std::move(data)),
      on_elected_(std::move(on_elected)),
      on_error_(std::move(on_error)) {}

LeaderContender::~LeaderContender() = default;

void LeaderContender::start() {
  std::weak_ptr<bool> alive = alive_;
  client_.create_parents(path_, [this, alive](Reply<Nothing> parents) {
    if (alive.expired()) return;
    if (!parents.ok()) return on_error_("cannot create " + path_ + ": " + parents.error);
    // A create that fails with a connection loss may still have happened;
    // the owner restarts with a new session, which removes such a node.
    client_.create(path_ + "/" + kLeaderLabel, data_, CreateMode::kEphemeralSequential,
                   [this, alive](Reply<std::string> created) {
                     if (alive.expired()) return;
                     if (!created.ok()) return on_error_(created.error);
                     node_ = created.value;
                     log::info("Joined the leader election as {}", *node_);
                     check();
                   });
  });
}

void LeaderContender::check() {
  std::weak_ptr<bool> alive = alive_;
  client_.children(path_, nullptr, [this, alive](Reply<std::vector<std::string>> children) {
    if (alive.expired() || elected_) return;
    if (!children.ok()) return on_error_(children.error);
    const std::string own = node_->substr(path_.size() + 1);
    std::optional<int64_t> own_sequence = sequence_of(own);
    // Watch only the contender just ahead of us (no herd on every change).
    std::optional<std::string> ahead;
    int64_t ahead_sequence = -1;
    bool present = false;
    for (const std::string& name : children.value) {
      if (name == own) present = true;
      if (name.rfind(kLeaderLabel, 0) != 0) continue;
      std::optional<int64_t> sequence = sequence_of(name);
      if (sequence && own_sequence && *sequence < *own_sequence && *sequence > ahead_sequence) {
        ahead = name;
        ahead_sequence = *sequence;
      }
    }
    if (!present) return on_error_("this contender's node " + *node_ + " disappeared");
    if (!ahead) {
      elected_ = true;
      return on_elected_();
    }
    client_.exists(path_ + "/" + *ahead,
                   [this, alive](WatchEvent) {
                     if (!alive.expired()) check();
                   },
                   [this, alive](Reply<std::optional<Stat>> stat) {
                     if (alive.expired()) return;
                     if (!stat.ok()) return on_error_(stat.error);
                     if (!stat.value) check();  // it went between the two reads
                   });
  });
}

// --- LeaderDetector ---

LeaderDetector::LeaderDetector(EventLoop& loop, ZkUrl url, Duration session_timeout,
                               std::function<void(std::optional<nlohmann::json>)> on_change)
    : loop_(loop),
      url_(std::move(url)),
      session_timeout_(session_timeout),
      on_change_(std::move(on_change)) {
  connect();
}

LeaderDetector::~LeaderDetector() = default;

void LeaderDetector::connect() {
  std::weak_ptr<bool> alive = alive_;
  ClientOptions options{url_.servers, session_timeout_, url_.credentials};
  client_ = std::make_unique<Client>(loop_, options, [this, alive](SessionEvent event) {
    if (alive.expired()) return;
    if (event == SessionEvent::kConnected) return refresh();
    if (event == SessionEvent::kExpired || event == SessionEvent::kAuthFailed) {
      log::warning("ZooKeeper session of the leader detector for {} {}; reconnecting",
                   url_.redacted(), event == SessionEvent::kExpired ? "expired" : "failed auth");
      report(std::nullopt, std::nullopt);
      // Not from inside the client's own callback: replace it on the next turn.
      reconnect_timer_ = loop_.after(Duration::milliseconds(200), [this] { connect(); });
    }
  });
}

void LeaderDetector::refresh() {
  const uint64_t generation = ++generation_;
  std::weak_ptr<bool> alive = alive_;
  auto again = [this, alive](WatchEvent) {
    if (!alive.expired()) refresh();
  };
  client_->children(url_.path, again, [this, alive, generation, again](
                                          Reply<std::vector<std::string>> children) {
    if (alive.expired() || generation != generation_) return;
    if (children.code == Code::kNoNode) {
      // No master has created the path yet: wait for it.
      report(std::nullopt, std::nullopt);
      // If the path appeared meanwhile, the watch will not fire: look again.
      client_->exists(url_.path, again,
                      [this, alive, generation](Reply<std::optional<Stat>> stat) {
                        if (alive.expired() || generation != generation_) return;
                        if (stat.ok() && stat.value) refresh();
                      });
      return;
    }
    if (!children.ok()) {
      log::warning("Leader detection: {}", children.error);
      return;  // a reconnect brings a kConnected and another refresh
    }
    std::optional<std::string> leader = leading_node(children.value);
    if (!leader) return report(std::nullopt, std::nullopt);
    if (leader == leader_node_ && reported_) return;
    std::string node = url_.path + "/" + *leader;
    client_->get(node, nullptr, [this, alive, generation, node](
                                    Reply<std::pair<std::string, Stat>> data) {
      if (alive.expired() || generation != generation_) return;
      if (data.code == Code::kNoNode) return refresh();  // it left meanwhile
      if (!data.ok()) return log::warning("Leader detection: {}", data.error);
      nlohmann::json info = nlohmann::json::parse(data.value.first, nullptr, false);
      if (info.is_discarded() || !info.is_object()) {
        log::warning("Leader detection: {} does not hold a JSON MasterInfo", node);
        return report(node, std::nullopt);
      }
      report(node, info);
    });
  });
}

void LeaderDetector::report(std::optional<std::string> node, std::optional<nlohmann::json> info) {
  if (reported_ && node == leader_node_ && info == leader_info_) return;
  reported_ = true;
  leader_node_ = std::move(node);
  leader_info_ = std::move(info);
  on_change_(leader_info_);
}

}  // namespace cairn::zk
