// ZkRegistry: the registry of an HA cluster, kept in ZooKeeper and written
// only by the leading master (Mesos keeps it in its replicated log; the
// ZooKeeper ensemble that elects the leader already gives us a replicated,
// versioned store).
//
// Layout under <root>/registry:
//   meta          {"format":1, "shards":S, "weights":{...}, "quotas":{...},
//                  "maintenance":{...} (when anything is scheduled)}
//   shards/NNN    {"agents":{id: AgentInfo}, "unreachable":{id: seconds},
//                  "frameworks":{id: FrameworkInfo}}   (NNN = 000 .. S-1)
// An id lives in shard fnv1a(id) % S, so an agent and its unreachable entry
// share a node. Why shards: ZooKeeper refuses any node or request over
// jute.maxbuffer (1 MB), and 50,000 agents of ~1 KB are 50 MB; over S = 256
// nodes that is ~200 KB each, and a write rewrites only the shards it
// changed. S is stored in meta and an existing meta's S wins, so the layout
// of an existing cluster never changes.
//
// Writes: as in local_registry.cpp, every apply() of one loop turn shares a
// write, and callers hear `done` only once it is durable. A write is one
// multi(): check(leader_node) -- the master's ephemeral election node, gone
// once its session is -- plus a set of every changed node at the version
// this master last read or wrote (create for a node that does not exist
// yet). A master that lost its leadership, or whose view is stale because
// another master wrote since, changes nothing. Changed nodes too big for one
// request (~1 MB: thousands of agents admitted in one turn) go in several
// such multis, one after another; atomicity is then per multi. Any failed write leaves the
// registry failed: the outcome may be unknown (connection loss) or the master
// was deposed, so it must not go on writing; it steps down and the next
// leader recovers from ZooKeeper. Writes never overlap: apply()s made while
// one is in flight wait for the next.
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemons/master/registry.hpp"
#include "lib/zk/client.hpp"

namespace cairn::master {

namespace {

constexpr int kFormat = 1;
constexpr int kDefaultShards = 256;
constexpr int kMaxShards = 1000;  // shard names have three digits
constexpr int32_t kAbsent = -1;   // a node not created yet (written with create)
constexpr int kMetaNode = -1;     // Write::node of the meta node
// What one operation adds to a request beyond its path and data (op header,
// version, ACL of a create), generously.
constexpr size_t kOpOverhead = 256;
// The bytes of node data (plus overheads) one multi() may carry: the
// client's limit with room to spare for the request's own framing.
constexpr size_t kRequestBudget = zk::Client::kMaxRequestBytes - 64 * 1024;

// 32-bit FNV-1a: shard placement must be the same in every build and on
// every master, which std::hash does not promise.
uint32_t fnv1a(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

// Calls mark(key) for every key added, removed or changed between two maps.
template <typename V, typename F>
void diff(const std::map<std::string, V>& before, const std::map<std::string, V>& after, F mark) {
  auto a = before.begin();
  auto b = after.begin();
  while (a != before.end() || b != after.end()) {
    if (b == after.end() || (a != before.end() && a->first < b->first)) {
      mark(a->first);
      ++a;
    } else if (a == before.end() || b->first < a->first) {
      mark(b->first);
      ++b;
    } else {
      if (!(a->second == b->second)) mark(a->first);
      ++a;
      ++b;
    }
  }
}

// Appends `"key":value` to a JSON object being written by hand (shards are
// serialised without copying every AgentInfo into a temporary json).
template <typename V>
void append_member(std::string& out, const std::string& key, const V& value) {
  if (out.back() != '{') out += ',';
  out += nlohmann::json(key).dump();
  out += ':';
  out += nlohmann::json(value).dump();
}

class ZkRegistry : public Registry {
 public:
  ZkRegistry(EventLoop& loop, zk::Client& client, std::string root, std::string leader_node)
      : loop_(loop), client_(client), leader_node_(std::move(leader_node)) {
    while (!root.empty() && root.back() == '/') {
      root.pop_back();
    }
    dir_ = root + "/registry";
  }

  void recover(std::function<void(Result<RegistryState>)> done) override {
    client_.create_parents(shards_dir(), [this, alive = std::weak_ptr<bool>(alive_),
                                          done](zk::Reply<zk::Nothing> made) {
      if (alive.expired()) return;
      if (!made.ok()) {
        return done(Error("registry: cannot create " + shards_dir() + ": " + made.error));
      }
      read_meta(done);
    });
  }

  void apply(Mutation mutation, std::function<void(Status)> done) override {
    if (!failed_.empty() || !recovered_) {
      // Refused without a write; still answered on a later turn, as a write's
      // outcome would be, so that callers never see `done` re-entrantly.
      Status refused = Error(!failed_.empty() ? failed_ : "registry: apply() before recover()");
      loop_.post([alive = std::weak_ptr<bool>(alive_), done = std::move(done), refused] {
        if (!alive.expired()) done(refused);
      });
      return;
    }
    pending_.push_back({std::move(mutation), std::move(done)});
    schedule_flush();
  }

  const RegistryState& stored() const override { return state_; }
  bool settled() const override { return pending_.empty() && !writing_; }

 private:
  struct Pending {
    Mutation mutation;
    std::function<void(Status)> done;
  };
  // One changed node: its new data and the version it must still have.
  struct Write {
    std::string path;
    std::string data;
    int32_t version;
    int node;  // shard index, or kMetaNode
  };
  // The entries a batch changed (added, removed or modified).
  struct Changes {
    std::vector<std::string> agents, unreachable, frameworks;
    bool meta = false;  // weights, quotas or maintenance: the meta node's
  };
  // A flush in flight: the batch, what it changed, and its writes cut into
  // multis that fit in one request each.
  struct Flush {
    std::vector<Pending> batch;
    Changes changes;
    std::vector<std::vector<Write>> groups;
    size_t sent = 0;  // groups written so far
  };

  std::string shards_dir() const { return dir_ + "/shards"; }
  std::string meta_path() const { return dir_ + "/meta"; }
  std::string shard_path(int shard) const {
    char name[16];
    std::snprintf(name, sizeof(name), "%03d", shard);
    return shards_dir() + "/" + name;
  }
  int shard_of(const std::string& id) const {
    return static_cast<int>(fnv1a(id) % static_cast<uint32_t>(shards_));
  }

  Status parse_meta(const std::string& data, RegistryState& state) {
    // An empty node (made by hand, or by a tool's mkdir -p) holds nothing yet.
    if (data.empty()) return ok_status();
    nlohmann::json json = nlohmann::json::parse(data, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return Error("registry: " + meta_path() + " is not a JSON object");
    }
    const nlohmann::json& format = json.value("format", nlohmann::json(kFormat));
    if (format != nlohmann::json(kFormat)) {
      return Error("registry: " + meta_path() + " has format " + format.dump() +
                   "; this master reads format " + std::to_string(kFormat));
    }
    if (json.contains("shards")) {
      const nlohmann::json& shards = json["shards"];
      if (!shards.is_number_integer() || shards.get<int64_t>() < 1 ||
          shards.get<int64_t>() > kMaxShards) {
        return Error("registry: " + meta_path() + " has shards " + shards.dump() +
                     "; expected an integer from 1 to " + std::to_string(kMaxShards));
      }
      shards_ = shards.get<int>();
    }
    nlohmann::json cluster{{"weights", json.value("weights", nlohmann::json::object())},
                           {"quotas", json.value("quotas", nlohmann::json::object())},
                           {"maintenance", json.value("maintenance", nlohmann::json::object())}};
    Result<RegistryState> parsed = RegistryState::from_json(cluster);
    if (!parsed.ok()) return Error(meta_path() + ": " + parsed.error());
    state.weights = std::move(parsed->weights);
    state.quotas = std::move(parsed->quotas);
    state.maintenance = std::move(parsed->maintenance);
    meta_current_ = json.contains("shards");
    return ok_status();
  }

  // Merges shard `shard`'s node into `state`, refusing entries filed in the
  // wrong shard (a write would then leave a stale copy behind).
  Status parse_shard(int shard, const std::string& data, RegistryState& state) const {
    if (data.empty()) return ok_status();
    const std::string path = shard_path(shard);
    nlohmann::json json = nlohmann::json::parse(data, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return Error("registry: " + path + " is not a JSON object");
    }
    json.erase("weights");  // not a shard's, and from_json would read them
    json.erase("quotas");
    json.erase("maintenance");
    Result<RegistryState> parsed = RegistryState::from_json(json);
    if (!parsed.ok()) return Error(path + ": " + parsed.error());
    auto misplaced = [&](const char* kind, const std::string& id) -> std::optional<Error> {
      if (shard_of(id) == shard) return std::nullopt;
      return Error("registry: " + path + " holds " + kind + " " + id + ", which belongs in " +
                   shard_path(shard_of(id)));
    };
    for (auto& [id, info] : parsed->agents) {
      if (auto wrong = misplaced("agent", id)) return *wrong;
      state.agents[id] = std::move(info);
    }
    for (auto& [id, time] : parsed->unreachable) {
      if (auto wrong = misplaced("unreachable agent", id)) return *wrong;
      state.unreachable[id] = time;
    }
    for (auto& [id, info] : parsed->frameworks) {
      if (auto wrong = misplaced("framework", id)) return *wrong;
      state.frameworks[id] = std::move(info);
    }
    return ok_status();
  }

  // Meta first: it says how many shards there are.
  void read_meta(std::function<void(Result<RegistryState>)> done) {
    client_.get(meta_path(), nullptr,
                [this, alive = std::weak_ptr<bool>(alive_),
                 done](zk::Reply<std::pair<std::string, zk::Stat>> got) {
                  if (alive.expired()) return;
                  RegistryState state;
                  if (got.ok()) {
                    meta_version_ = got.value.second.version;
                    if (Status parsed = parse_meta(got.value.first, state); !parsed.ok()) {
                      return done(Error(parsed.error()));
                    }
                  } else if (got.code != zk::Code::kNoNode) {
                    return done(Error("registry: cannot read " + meta_path() + ": " + got.error));
                  }
                  read_shards(std::move(state), done);
                });
  }

  // Reads every shard at once (one round trip, not S in a row) and finishes
  // recovery when the last reply is in.
  void read_shards(RegistryState state, std::function<void(Result<RegistryState>)> done) {
    struct Gather {
      RegistryState state;
      std::vector<int32_t> versions;
      int remaining;
      std::string error;  // the first one
      std::function<void(Result<RegistryState>)> done;
    };
    auto gather = std::make_shared<Gather>(
        Gather{std::move(state), std::vector<int32_t>(shards_, kAbsent), shards_, "", done});
    std::weak_ptr<bool> alive = alive_;
    for (int shard = 0; shard < shards_; ++shard) {
      client_.get(shard_path(shard), nullptr,
                  [this, alive, gather, shard](zk::Reply<std::pair<std::string, zk::Stat>> got) {
                    if (alive.expired()) return;
                    if (gather->error.empty()) {
                      if (got.ok()) {
                        gather->versions[shard] = got.value.second.version;
                        Status parsed = parse_shard(shard, got.value.first, gather->state);
                        if (!parsed.ok()) gather->error = parsed.error();
                      } else if (got.code != zk::Code::kNoNode) {
                        gather->error =
                            "registry: cannot read " + shard_path(shard) + ": " + got.error;
                      }
                    }
                    if (--gather->remaining > 0) return;
                    if (!gather->error.empty()) return gather->done(Error(gather->error));
                    state_ = std::move(gather->state);
                    work_ = state_;
                    versions_ = std::move(gather->versions);
                    recovered_ = true;
                    gather->done(state_);
                  });
    }
  }

  void schedule_flush() {
    if (flush_posted_ || writing_ || pending_.empty()) return;
    flush_posted_ = true;
    loop_.post([alive = std::weak_ptr<bool>(alive_), this] {
      if (alive.expired()) return;
      flush_posted_ = false;
      flush();
    });
  }

  void flush() {
    if (writing_ || pending_.empty()) return;
    auto flush = std::make_shared<Flush>();
    flush->batch.swap(pending_);
    for (Pending& p : flush->batch) {
      p.mutation(work_);
    }
    flush->changes = changes();
    std::vector<Write> writes = writes_for(flush->changes);

    // Pack the writes into as few multis as fit in a request; each carries
    // the leader check. A node too big for any request is refused outright:
    // nothing was written, so the registry stays usable.
    const size_t base = leader_node_.size() + kOpOverhead;
    flush->groups.emplace_back();
    size_t bytes = base;
    for (Write& w : writes) {
      const size_t cost = w.path.size() + w.data.size() + kOpOverhead;
      if (base + cost > kRequestBudget) {
        copy_changes(flush->changes, state_, work_);
        return finish(std::move(flush->batch),
                      Error("registry: " + w.path + " would hold " + std::to_string(w.data.size()) +
                            " bytes, more than ZooKeeper accepts in one request; change refused"));
      }
      if (!flush->groups.back().empty() && bytes + cost > kRequestBudget) {
        flush->groups.emplace_back();
        bytes = base;
      }
      flush->groups.back().push_back(std::move(w));
      bytes += cost;
    }
    if (flush->groups.back().empty()) {  // the batch changed nothing
      return finish(std::move(flush->batch), ok_status());
    }
    writing_ = true;
    send(flush);
  }

  // What the batch just applied to work_ changed from state_. A comparison
  // walks the whole registry, but costs a fraction of copying it.
  Changes changes() const {
    Changes changes;
    diff(state_.agents, work_.agents, [&](const std::string& id) { changes.agents.push_back(id); });
    diff(state_.unreachable, work_.unreachable,
         [&](const std::string& id) { changes.unreachable.push_back(id); });
    diff(state_.frameworks, work_.frameworks,
         [&](const std::string& id) { changes.frameworks.push_back(id); });
    changes.meta = work_.weights != state_.weights || work_.quotas != state_.quotas ||
                   work_.maintenance != state_.maintenance;
    return changes;
  }

  // Makes `to` hold `from`'s version of the changed entries: adopts a
  // written batch into state_, or takes a refused one back out of work_.
  static void copy_changes(const Changes& changes, const RegistryState& from, RegistryState& to) {
    auto copy = [](const auto& source, auto& target, const std::vector<std::string>& keys) {
      for (const std::string& key : keys) {
        auto it = source.find(key);
        if (it == source.end()) {
          target.erase(key);
        } else {
          target[key] = it->second;
        }
      }
    };
    copy(from.agents, to.agents, changes.agents);
    copy(from.unreachable, to.unreachable, changes.unreachable);
    copy(from.frameworks, to.frameworks, changes.frameworks);
    if (changes.meta) {
      to.weights = from.weights;
      to.quotas = from.quotas;
      to.maintenance = from.maintenance;
    }
  }

  // The nodes to write for `changes`, as work_ holds them; meta first (so
  // that the first write records the shard count with the first shard).
  std::vector<Write> writes_for(const Changes& changes) const {
    std::vector<Write> writes;
    if (!meta_current_ || changes.meta) {
      nlohmann::json meta{{"format", kFormat},
                          {"shards", shards_},
                          {"weights", nlohmann::json::object()},
                          {"quotas", nlohmann::json::object()}};
      for (const auto& [role, weight] : work_.weights) {
        meta["weights"][role] = weight;
      }
      for (const auto& [role, guarantee] : work_.quotas) {
        meta["quotas"][role] = guarantee;
      }
      if (!work_.maintenance.empty()) meta["maintenance"] = work_.maintenance;
      writes.push_back({meta_path(), meta.dump(), meta_version_, kMetaNode});
    }

    std::vector<char> dirty(shards_, 0);
    for (const auto* ids : {&changes.agents, &changes.unreachable, &changes.frameworks}) {
      for (const std::string& id : *ids) {
        dirty[shard_of(id)] = 1;
      }
    }

    // A dirty shard is rewritten whole: its three objects are built side by
    // side in one pass over each map (std::map order = sorted keys, as
    // nlohmann's own objects dump them).
    struct Parts {
      std::string agents = "{", unreachable = "{", frameworks = "{";
    };
    std::map<int, Parts> parts;
    for (int shard = 0; shard < shards_; ++shard) {
      if (dirty[shard]) parts[shard];
    }
    if (parts.empty()) return writes;
    for (const auto& [id, info] : work_.agents) {
      if (int s = shard_of(id); dirty[s]) append_member(parts[s].agents, id, info);
    }
    for (const auto& [id, time] : work_.unreachable) {
      if (int s = shard_of(id); dirty[s]) append_member(parts[s].unreachable, id, time);
    }
    for (const auto& [id, info] : work_.frameworks) {
      if (int s = shard_of(id); dirty[s]) append_member(parts[s].frameworks, id, info);
    }
    for (auto& [shard, p] : parts) {
      std::string data = "{\"agents\":" + p.agents + "},\"frameworks\":" + p.frameworks +
                         "},\"unreachable\":" + p.unreachable + "}}";
      writes.push_back({shard_path(shard), std::move(data), versions_[shard], shard});
    }
    return writes;
  }

  // Sends the next multi of `flush`, or adopts its state once all are in.
  // Atomicity is per multi: when a flush needed several (more than ~1 MB of
  // changed shards, e.g. thousands of agents admitted in one turn) and a
  // later one fails, the earlier ones stay written; the registry is then
  // failed, and the next leader recovers what was written.
  void send(std::shared_ptr<Flush> flush) {
    if (flush->sent == flush->groups.size()) {
      copy_changes(flush->changes, work_, state_);
      writing_ = false;
      return finish(std::move(flush->batch), ok_status());
    }
    std::vector<zk::Op> ops;
    ops.push_back(zk::Op::check(leader_node_, -1));
    for (Write& w : flush->groups[flush->sent]) {
      // The data is needed only in the request; keep path and version.
      ops.push_back(w.version == kAbsent ? zk::Op::create(w.path, std::move(w.data))
                                         : zk::Op::set(w.path, std::move(w.data), w.version));
    }
    client_.multi(std::move(ops),
                  [this, alive = std::weak_ptr<bool>(alive_), flush](zk::Reply<zk::Nothing> reply) {
                    if (alive.expired()) return;
                    if (!reply.ok()) return fail(*flush, reply);
                    // A create leaves version 0, a set the next version.
                    for (const Write& w : flush->groups[flush->sent]) {
                      if (w.node == kMetaNode) {
                        meta_version_ = w.version + 1;
                        meta_current_ = true;
                      } else {
                        versions_[w.node] = w.version + 1;
                      }
                    }
                    ++flush->sent;
                    send(flush);
                  });
  }

  void fail(Flush& flush, const zk::Reply<zk::Nothing>& reply) {
    std::string why = "registry write failed: " + reply.error;
    if (reply.code == zk::Code::kNoNode && reply.error.starts_with("check " + leader_node_ + " ")) {
      why += " (this master is no longer the leader)";
    } else if (reply.code == zk::Code::kBadVersion || reply.code == zk::Code::kNoNode ||
               reply.code == zk::Code::kNodeExists) {
      why +=
          " (another master wrote the registry since this one read it: this master is no "
          "longer the leader)";
    } else {
      why += " (the outcome is unknown)";
    }
    if (flush.sent > 0) {
      why += "; " + std::to_string(flush.sent) + " of its " + std::to_string(flush.groups.size()) +
             " transactions were written";
    }
    failed_ = why;
    writing_ = false;
    copy_changes(flush.changes, state_, work_);
    // Everything waiting fails too: it would be written on top of a state
    // this master can no longer vouch for.
    std::vector<Pending> all = std::move(flush.batch);
    for (Pending& p : pending_) {
      all.push_back(std::move(p));
    }
    pending_.clear();
    finish(std::move(all), Error(why));
  }

  // Answers a batch. A `done` may apply() again or destroy this registry
  // (a master that steps down drops it), so nothing here touches `this`
  // after the first call unless the registry is still alive.
  void finish(std::vector<Pending> batch, Status status) {
    std::weak_ptr<bool> alive = alive_;
    for (Pending& p : batch) {
      p.done(status);
    }
    if (!alive.expired()) schedule_flush();
  }

  EventLoop& loop_;
  zk::Client& client_;
  std::string leader_node_;
  std::string dir_;  // <root>/registry

  int shards_ = kDefaultShards;
  // state_ is what ZooKeeper holds; work_ is state_ plus the batch being
  // written (equal between flushes). A flush applies its mutations to work_
  // and copies only the changed entries across, instead of copying the whole
  // registry per flush (0.3-0.7 s with its release at 50,000 agents of 1 KB).
  RegistryState state_;
  RegistryState work_;
  int32_t meta_version_ = kAbsent;
  bool meta_current_ = false;      // meta holds this format's layout (else written first)
  std::vector<int32_t> versions_;  // per shard; kAbsent = no node yet
  bool recovered_ = false;

  std::vector<Pending> pending_;
  bool flush_posted_ = false;
  bool writing_ = false;
  std::string failed_;  // why, once a write failed; later apply()s fail with it

  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<Registry> make_zk_registry(EventLoop& loop, zk::Client& client, std::string root,
                                           std::string leader_node) {
  return std::make_unique<ZkRegistry>(loop, client, std::move(root), std::move(leader_node));
}

}  // namespace cairn::master
