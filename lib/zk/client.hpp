// zk::Client: an asynchronous ZooKeeper session over the C client
// (zookeeper_mt) whose callbacks all run on the owner's EventLoop.
//
// The C client does its network I/O and completions on two threads of its
// own; every completion and watch is copied there and posted to the loop, so
// the owner's state is touched only on its loop thread and nothing here
// blocks it. One Client is one ZooKeeper session: it reports kConnected,
// kDisconnected (the C client is reconnecting) and finally kExpired, after
// which the Client is dead and the owner makes a new one. A session that
// stays disconnected for its whole timeout is reported expired by the client
// itself (as Mesos does): the servers will have expired it, so ephemeral
// nodes such as a leader's are gone. With credentials, nodes are created
// readable by anyone and writable only by their creator (Mesos' ACL), so
// third-party leader detectors need no password.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/event/event_loop.hpp"
#include "lib/units/duration.hpp"

namespace cairn::zk {

// ZooKeeper's return codes that callers branch on; everything else is kOther
// (the message says which).
enum class Code { kOk, kNoNode, kNodeExists, kBadVersion, kNotEmpty, kConnectionLoss,
                  kSessionExpired, kNoAuth, kClosing, kOther };

// The outcome of one request: a code, a message for logs, and the value.
template <typename T>
struct Reply {
  Code code = Code::kOk;
  std::string error;  // empty when ok
  T value{};
  bool ok() const { return code == Code::kOk; }
};
struct Nothing {};

struct Stat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int64_t ephemeral_owner = 0;
  int32_t data_length = 0;
  int32_t num_children = 0;
};

enum class CreateMode { kPersistent, kEphemeral, kPersistentSequential, kEphemeralSequential };

enum class SessionEvent { kConnected, kDisconnected, kExpired, kAuthFailed };

// A watch fires at most once, on the loop, with the event's kind.
enum class WatchEvent { kCreated, kDeleted, kChanged, kChildren, kSession };
using Watcher = std::function<void(WatchEvent)>;

// One operation of a multi() transaction.
struct Op {
  enum class Kind { kCreate, kSet, kDelete, kCheck } kind;
  std::string path;
  std::string data;  // kCreate, kSet
  int32_t version = -1;  // kSet, kDelete, kCheck; -1 = any
  CreateMode mode = CreateMode::kPersistent;

  static Op create(std::string path, std::string data, CreateMode mode = CreateMode::kPersistent);
  static Op set(std::string path, std::string data, int32_t version);
  static Op remove(std::string path, int32_t version);
  static Op check(std::string path, int32_t version);
};

struct ClientOptions {
  std::string servers;  // "host1:2181,host2:2181"
  Duration session_timeout = Duration::seconds(10);
  std::optional<std::string> credentials;  // digest "user:password"
};

class Client {
 public:
  // Starts connecting at once; `on_session` hears every session change.
  Client(EventLoop& loop, ClientOptions options, std::function<void(SessionEvent)> on_session);
  // Closes the session (its ephemeral nodes go at once); callbacks of
  // requests still in flight are dropped. Call on the loop thread.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const;
  bool expired() const;
  int64_t session_id() const;

  // Replies carry the created path (with its sequence suffix).
  void create(const std::string& path, const std::string& data, CreateMode mode,
              std::function<void(Reply<std::string>)> done);
  // Creates `path` and its missing parents as empty persistent nodes.
  void create_parents(const std::string& path, std::function<void(Reply<Nothing>)> done);
  void get(const std::string& path, Watcher watch,
           std::function<void(Reply<std::pair<std::string, Stat>>)> done);
  void exists(const std::string& path, Watcher watch,
              std::function<void(Reply<std::optional<Stat>>)> done);
  void children(const std::string& path, Watcher watch,
                std::function<void(Reply<std::vector<std::string>>)> done);
  void set(const std::string& path, const std::string& data, int32_t version,
           std::function<void(Reply<Stat>)> done);
  void remove(const std::string& path, int32_t version, std::function<void(Reply<Nothing>)> done);
  // All or nothing. On failure the reply's error names the first failed op.
  void multi(std::vector<Op> ops, std::function<void(Reply<Nothing>)> done);

  // The largest request the servers accept (jute.maxbuffer's default, 1 MB),
  // minus room for headers: multi() callers split bigger transactions.
  static constexpr size_t kMaxRequestBytes = 1000 * 1000;

 // Implementation: the state the C client's threads reach (client.cpp).
  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

// "json.info_0000000012" → 12; nullopt when `name` has no sequence suffix.
std::optional<int64_t> sequence_of(const std::string& name);

}  // namespace cairn::zk
