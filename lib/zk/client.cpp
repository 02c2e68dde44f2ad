#include "lib/zk/client.hpp"

#include <zookeeper/zookeeper.h>

#include <atomic>
#include <chrono>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <set>

#include "lib/logging/log.hpp"

namespace cairn::zk {

namespace {

Code code_of(int rc) {
  switch (rc) {
    case ZOK: return Code::kOk;
    case ZNONODE: return Code::kNoNode;
    case ZNODEEXISTS: return Code::kNodeExists;
    case ZBADVERSION: return Code::kBadVersion;
    case ZNOTEMPTY: return Code::kNotEmpty;
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT: return Code::kConnectionLoss;
    case ZSESSIONEXPIRED: return Code::kSessionExpired;
    case ZNOAUTH:
    case ZAUTHFAILED: return Code::kNoAuth;
    case ZCLOSING: return Code::kClosing;
    default: return Code::kOther;
  }
}

template <typename T>
Reply<T> reply_of(int rc, const std::string& what) {
  Reply<T> reply;
  reply.code = code_of(rc);
  if (rc != ZOK) reply.error = what + ": " + zerror(rc);
  return reply;
}

Stat stat_of(const ::Stat* s) {
  Stat out;
  if (s == nullptr) return out;
  out.czxid = s->czxid;
  out.mzxid = s->mzxid;
  out.version = s->version;
  out.cversion = s->cversion;
  out.ephemeral_owner = s->ephemeralOwner;
  out.data_length = s->dataLength;
  out.num_children = s->numChildren;
  return out;
}

int mode_of(CreateMode mode) {
  switch (mode) {
    case CreateMode::kPersistent: return ZOO_PERSISTENT;
    case CreateMode::kEphemeral: return ZOO_EPHEMERAL;
    case CreateMode::kPersistentSequential: return ZOO_PERSISTENT_SEQUENTIAL;
    case CreateMode::kEphemeralSequential: return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  return ZOO_PERSISTENT;
}

// With credentials: anyone may read (leader detectors), only the creator
// may change or delete (Mesos' EVERYONE_READ_CREATOR_ALL).
ACL kEveryoneReadCreatorAll[] = {{ZOO_PERM_READ, {const_cast<char*>("world"),
                                                  const_cast<char*>("anyone")}},
                                 {ZOO_PERM_ALL, {const_cast<char*>("auth"), const_cast<char*>("")}}};
ACL_vector kEveryoneReadCreatorAllVector = {2, kEveryoneReadCreatorAll};

void quiet_c_client_logging() {
  static std::once_flag once;
  // The C client logs every reconnect attempt at WARN; errors are enough
  // (sessions are reported through SessionEvent and our own log).
  std::call_once(once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR); });
}

// The C client's own messages, into our log. While no server answers it
// retries every few milliseconds and logs an error each time: one line per
// ten seconds says as much.
void c_client_log(const char* message) {
  static std::atomic<int64_t> last_ms{0};
  static std::atomic<int64_t> suppressed{0};
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t last = last_ms.load();
  if (last != 0 && now - last < 10'000) {
    ++suppressed;
    return;
  }
  if (!last_ms.compare_exchange_strong(last, now)) return;
  int64_t skipped = suppressed.exchange(0);
  std::string text(message);
  // "2026-11-25 11:01:29,577:25105(0x7f..):ZOO_ERROR@check_events@2985: Socket ..."
  size_t at = text.find("ZOO_");
  if (at != std::string::npos) text = text.substr(at);
  if (skipped > 0) text += " (" + std::to_string(skipped) + " more ZooKeeper client messages)";
  log::warning("ZooKeeper client: {}", text);
}

}  // namespace

struct WatchContext;

struct Client::Shared {
  EventLoop& loop;
  ClientOptions options;
  std::function<void(SessionEvent)> on_session;
  zhandle_t* handle = nullptr;
  // Set before zookeeper_close: C-thread callbacks stop posting, posted
  // callbacks that have not run yet are dropped.
  std::atomic<bool> closed{false};

  // Watch contexts not fired yet, freed at close (the C client never calls
  // a watcher after zookeeper_close returns).
  std::mutex watches_mutex;
  std::set<WatchContext*> watches;

  // Loop-thread state.
  bool connected = false;
  bool expired = false;
  Timer disconnected_timer;

  Shared(EventLoop& l, ClientOptions o, std::function<void(SessionEvent)> s)
      : loop(l), options(std::move(o)), on_session(std::move(s)) {}

  const ACL_vector* acl() const {
    return options.credentials ? &kEveryoneReadCreatorAllVector : &ZOO_OPEN_ACL_UNSAFE;
  }

  // From a C-client thread: runs fn on the loop unless the client closed.
  void post(std::weak_ptr<Shared> self, std::function<void()> fn) {
    if (closed.load()) return;
    loop.post([self = std::move(self), fn = std::move(fn)] {
      std::shared_ptr<Shared> shared = self.lock();
      if (shared && !shared->closed.load()) fn();
    });
  }

  void session_changed(int state);
};

struct WatchContext {
  std::weak_ptr<Client::Shared> shared;
  Watcher watcher;
};

namespace {

void session_watcher(zhandle_t*, int type, int state, const char*, void* context) {
  if (type != ZOO_SESSION_EVENT) return;
  auto* weak = static_cast<std::weak_ptr<Client::Shared>*>(context);
  std::shared_ptr<Client::Shared> shared = weak->lock();
  if (!shared) return;
  shared->post(*weak, [raw = shared.get(), state] { raw->session_changed(state); });
}

void path_watcher(zhandle_t*, int type, int, const char*, void* context) {
  // Session events reach every path watcher but do not consume it (the C
  // client re-arms watches after a reconnect); owners hear about sessions
  // through on_session.
  if (type == ZOO_SESSION_EVENT) return;
  auto* watch = static_cast<WatchContext*>(context);
  std::shared_ptr<Client::Shared> shared = watch->shared.lock();
  if (!shared) return;
  {
    std::lock_guard<std::mutex> lock(shared->watches_mutex);
    shared->watches.erase(watch);
  }
  WatchEvent event = type == ZOO_CREATED_EVENT   ? WatchEvent::kCreated
                     : type == ZOO_DELETED_EVENT ? WatchEvent::kDeleted
                     : type == ZOO_CHANGED_EVENT ? WatchEvent::kChanged
                     : type == ZOO_CHILD_EVENT   ? WatchEvent::kChildren
                                                 : WatchEvent::kSession;
  shared->post(watch->shared, [watcher = std::move(watch->watcher), event] { watcher(event); });
  delete watch;
}

// A watch context registered with the client, or nullptr for no watch.
WatchContext* add_watch(const std::shared_ptr<Client::Shared>& shared, Watcher watcher) {
  if (!watcher) return nullptr;
  auto* watch = new WatchContext{shared, std::move(watcher)};
  std::lock_guard<std::mutex> lock(shared->watches_mutex);
  shared->watches.insert(watch);
  return watch;
}

// A watch the server did not set (the request failed) is freed at once.
void drop_watch(const std::shared_ptr<Client::Shared>& shared, WatchContext* watch) {
  if (watch == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(shared->watches_mutex);
    if (shared->watches.erase(watch) == 0) return;
  }
  delete watch;
}

// One request in flight: what to call back, owned by the C client until
// its completion runs.
template <typename T>
struct Call {
  std::weak_ptr<Client::Shared> shared;
  std::string what;
  std::function<void(Reply<T>)> done;
  WatchContext* watch = nullptr;

  void finish(Reply<T> reply) {
    std::shared_ptr<Client::Shared> s = shared.lock();
    if (!s) return;
    s->post(shared, [done = std::move(done), reply = std::move(reply)]() mutable {
      done(std::move(reply));
    });
  }
  // Completion of a request that could not even be queued.
  void fail_now(int rc) {
    std::shared_ptr<Client::Shared> s = shared.lock();
    if (s) drop_watch(s, watch);
    finish(reply_of<T>(rc, what));
  }
};

}  // namespace

void Client::Shared::session_changed(int state) {
  if (expired) return;
  if (state == ZOO_CONNECTED_STATE) {
    disconnected_timer.cancel();
    if (!connected) {
      connected = true;
      on_session(SessionEvent::kConnected);
    }
    return;
  }
  if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
    connected = false;
    expired = true;
    disconnected_timer.cancel();
    on_session(state == ZOO_EXPIRED_SESSION_STATE ? SessionEvent::kExpired
                                                  : SessionEvent::kAuthFailed);
    return;
  }
  // Connecting or associating: the C client retries the servers by itself.
  if (connected) {
    connected = false;
    // The servers expire a session they have not heard from for its timeout;
    // once the timeout has passed without a reconnect, act as expired (the
    // C client would only say so after reconnecting).
    disconnected_timer = loop.after(options.session_timeout, [this] {
      if (connected || expired) return;
      expired = true;
      log::warning("ZooKeeper session lost: disconnected for the whole session timeout {}",
                   options.session_timeout.to_string());
      on_session(SessionEvent::kExpired);
    });
    on_session(SessionEvent::kDisconnected);
  }
}

Op Op::create(std::string path, std::string data, CreateMode mode) {
  return Op{Kind::kCreate, std::move(path), std::move(data), -1, mode};
}
Op Op::set(std::string path, std::string data, int32_t version) {
  return Op{Kind::kSet, std::move(path), std::move(data), version, CreateMode::kPersistent};
}
Op Op::remove(std::string path, int32_t version) {
  return Op{Kind::kDelete, std::move(path), "", version, CreateMode::kPersistent};
}
Op Op::check(std::string path, int32_t version) {
  return Op{Kind::kCheck, std::move(path), "", version, CreateMode::kPersistent};
}

Client::Client(EventLoop& loop, ClientOptions options, std::function<void(SessionEvent)> on_session)
    : shared_(std::make_shared<Shared>(loop, std::move(options), std::move(on_session))) {
  quiet_c_client_logging();
  // The watcher context outlives every C-client callback: freed after close.
  auto* context = new std::weak_ptr<Shared>(shared_);
  shared_->handle =
      zookeeper_init2(shared_->options.servers.c_str(), session_watcher,
                      static_cast<int>(shared_->options.session_timeout.ms()), nullptr, context,
                      0, c_client_log);
  if (shared_->handle == nullptr) {
    delete context;
    log::error("ZooKeeper client for {} could not start: {}", shared_->options.servers,
               std::strerror(errno));
    shared_->expired = true;
    loop.post([weak = std::weak_ptr<Shared>(shared_)] {
      if (auto s = weak.lock(); s && !s->closed) s->on_session(SessionEvent::kExpired);
    });
    return;
  }
  if (shared_->options.credentials) {
    const std::string& credentials = *shared_->options.credentials;
    zoo_add_auth(shared_->handle, "digest", credentials.c_str(),
                 static_cast<int>(credentials.size()), nullptr, nullptr);
  }
}

Client::~Client() {
  shared_->closed = true;
  shared_->disconnected_timer.cancel();
  if (shared_->handle != nullptr) {
    const void* context = zoo_get_context(shared_->handle);
    zookeeper_close(shared_->handle);  // joins the C client's threads
    delete static_cast<const std::weak_ptr<Shared>*>(context);
  }
  std::lock_guard<std::mutex> lock(shared_->watches_mutex);
  for (WatchContext* watch : shared_->watches) delete watch;
  shared_->watches.clear();
}

bool Client::connected() const { return shared_->connected; }
bool Client::expired() const { return shared_->expired; }
int64_t Client::session_id() const {
  if (shared_->handle == nullptr) return 0;
  const clientid_t* id = zoo_client_id(shared_->handle);
  return id == nullptr ? 0 : id->client_id;
}

void Client::create(const std::string& path, const std::string& data, CreateMode mode,
                    std::function<void(Reply<std::string>)> done) {
  auto* call = new Call<std::string>{shared_, "create " + path, std::move(done)};
  if (shared_->handle == nullptr) {
    call->fail_now(ZINVALIDSTATE);
    delete call;
    return;
  }
  int rc = zoo_acreate(
      shared_->handle, path.c_str(), data.data(), static_cast<int>(data.size()), shared_->acl(),
      mode_of(mode),
      [](int rc, const char* value, const void* context) {
        std::unique_ptr<Call<std::string>> call(
            static_cast<Call<std::string>*>(const_cast<void*>(context)));
        Reply<std::string> reply = reply_of<std::string>(rc, call->what);
        if (rc == ZOK && value != nullptr) reply.value = value;
        call->finish(std::move(reply));
      },
      call);
  if (rc != ZOK) {
    call->fail_now(rc);
    delete call;
  }
}

void Client::create_parents(const std::string& path, std::function<void(Reply<Nothing>)> done) {
  std::vector<std::string> prefixes;
  for (size_t slash = path.find('/', 1); ; slash = path.find('/', slash + 1)) {
    prefixes.push_back(path.substr(0, slash));
    if (slash == std::string::npos) break;
  }
  // One create after another; ZooKeeper has no mkdir -p.
  struct Walk {
    Client* client;
    std::vector<std::string> prefixes;
    std::function<void(Reply<Nothing>)> done;
    static void step(std::shared_ptr<Walk> walk, size_t i) {
      if (i == walk->prefixes.size()) return walk->done(Reply<Nothing>{});
      walk->client->create(walk->prefixes[i], "", CreateMode::kPersistent,
                           [walk, i](Reply<std::string> reply) {
                             if (!reply.ok() && reply.code != Code::kNodeExists) {
                               return walk->done(Reply<Nothing>{reply.code, reply.error, {}});
                             }
                             step(walk, i + 1);
                           });
    }
  };
  Walk::step(std::make_shared<Walk>(Walk{this, std::move(prefixes), std::move(done)}), 0);
}

void Client::get(const std::string& path, Watcher watcher,
                 std::function<void(Reply<std::pair<std::string, Stat>>)> done) {
  using Value = std::pair<std::string, Stat>;
  auto* call = new Call<Value>{shared_, "get " + path, std::move(done)};
  call->watch = add_watch(shared_, std::move(watcher));
  if (shared_->handle == nullptr) {
    call->fail_now(ZINVALIDSTATE);
    delete call;
    return;
  }
  int rc = zoo_awget(
      shared_->handle, path.c_str(), call->watch ? path_watcher : nullptr, call->watch,
      [](int rc, const char* value, int length, const ::Stat* stat, const void* context) {
        std::unique_ptr<Call<Value>> call(static_cast<Call<Value>*>(const_cast<void*>(context)));
        Reply<Value> reply = reply_of<Value>(rc, call->what);
        if (rc == ZOK) {
          if (value != nullptr && length > 0) reply.value.first.assign(value, size_t(length));
          reply.value.second = stat_of(stat);
        } else if (auto s = call->shared.lock()) {
          drop_watch(s, call->watch);
        }
        call->finish(std::move(reply));
      },
      call);
  if (rc != ZOK) {
    call->fail_now(rc);
    delete call;
  }
}

void Client::exists(const std::string& path, Watcher watcher,
                    std::function<void(Reply<std::optional<Stat>>)> done) {
  using Value = std::optional<Stat>;
  auto* call = new Call<Value>{shared_, "exists " + path, std::move(done)};
  call->watch = add_watch(shared_, std::move(watcher));
  if (shared_->handle == nullptr) {
    call->fail_now(ZINVALIDSTATE);
    delete call;
    return;
  }
  int rc = zoo_awexists(
      shared_->handle, path.c_str(), call->watch ? path_watcher : nullptr, call->watch,
      [](int rc, const ::Stat* stat, const void* context) {
        std::unique_ptr<Call<Value>> call(static_cast<Call<Value>*>(const_cast<void*>(context)));
        // A missing node is an answer (and the watch stays set for its creation).
        Reply<Value> reply = reply_of<Value>(rc == ZNONODE ? ZOK : rc, call->what);
        if (rc == ZOK) reply.value = stat_of(stat);
        if (rc != ZOK && rc != ZNONODE) {
          if (auto s = call->shared.lock()) drop_watch(s, call->watch);
        }
        call->finish(std::move(reply));
      },
      call);
  if (rc != ZOK) {
    call->fail_now(rc);
    delete call;
  }
}

void Client::children(const std::string& path, Watcher watcher,
                      std::function<void(Reply<std::vector<std::string>>)> done) {
  using Value = std::vector<std::string>;
  auto* call = new Call<Value>{shared_, "children of " + path, std::move(done)};
  call->watch = add_watch(shared_, std::move(watcher));
  if (shared_->handle == nullptr) {
    call->fail_now(ZINVALIDSTATE);
    delete call;
    return;
  }
  int rc = zoo_awget_children(
      shared_->handle, path.c_str(), call->watch ? path_watcher : nullptr, call->watch,
      [](int rc, const String_vector* strings, const void* context) {
        std::unique_ptr<Call<Value>> call(static_cast<Call<Value>*>(const_cast<void*>(context)));
        Reply<Value> reply = reply_of<Value>(rc, call->what);
        if (rc == ZOK && strings != nullptr) {
          reply.value.assign(strings->data, strings->data + strings->count);
        } else if (rc != ZOK) {
          if (auto s = call->shared.lock()) drop_watch(s, call->watch);
        }
        call->finish(std::move(reply));
      },
      call);
  if (rc != ZOK) {
    call->fail_now(rc);
    delete call;
  }
}

void Client::set(const std::string& path, const std::string& data, int32_t version,
                 std::function<void(Reply<Stat>)> done) {
  auto* call = new Call<Stat>{shared_, "set " + path, std::move(done)};
  if (shared_->handle == nullptr) {
    call->fail_now(ZINVALIDSTATE);
    delete call;
    return;
  }
  int rc = zoo_aset(
      shared_->handle, path.c_str(), data.data(), static_cast<int>(data.size()), version,
      [](int rc, const ::Stat* stat, const void* context) {
        std::unique_ptr<Call<Stat>> call(static_cast<Call<Stat>*>(const_cast<void*>(context)));
        Reply<Stat> reply = reply_of<Stat>(rc, call->what);
        if (rc == ZOK) reply.value = stat_of(stat);
        call->finish(std::move(reply));
      },
      call);
  if (rc != ZOK) {
    call->fail_now(rc);
    delete call;
  }
}

void Client::remove(const std::string& path, int32_t version,
                    std::function<void(Reply<Nothing>)> done) {
  auto* call = new Call<Nothing>{shared_, "delete " + path, std::move(done)};
  if (shared_->handle == nullptr) {
    call->fail_now(ZINVALIDSTATE);
    delete call;
    return;
  }
  int rc = zoo_adelete(
      shared_->handle, path.c_str(), version,
      [](int rc, const void* context) {
        std::unique_ptr<Call<Nothing>> call(
            static_cast<Call<Nothing>*>(const_cast<void*>(context)));
        call->finish(reply_of<Nothing>(rc, call->what));
      },
      call);
  if (rc != ZOK) {
    call->fail_now(rc);
    delete call;
  }
}

namespace {

// A multi() in flight: the C ops point into these buffers until completion.
struct MultiCall : Call<Nothing> {
  std::vector<Op> ops;
  std::vector<zoo_op_t> c_ops;
  std::vector<zoo_op_result_t> results;
  std::vector<std::vector<char>> created_paths;
  std::vector<::Stat> stats;
};

const char* kind_name(Op::Kind kind) {
  switch (kind) {
    case Op::Kind::kCreate: return "create";
    case Op::Kind::kSet: return "set";
    case Op::Kind::kDelete: return "delete";
    case Op::Kind::kCheck: return "check";
  }
  return "?";
}

}  // namespace

void Client::multi(std::vector<Op> ops, std::function<void(Reply<Nothing>)> done) {
  auto* call = new MultiCall;
  call->shared = shared_;
  call->what = "transaction of " + std::to_string(ops.size()) + " operations";
  call->done = std::move(done);
  call->ops = std::move(ops);
  const size_t n = call->ops.size();
  call->c_ops.resize(n);
  call->results.resize(n);
  call->created_paths.resize(n);
  call->stats.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Op& op = call->ops[i];
    zoo_op_t* c = &call->c_ops[i];
    switch (op.kind) {
      case Op::Kind::kCreate:
        call->created_paths[i].resize(op.path.size() + 16);
        zoo_create_op_init(c, op.path.c_str(), op.data.data(), static_cast<int>(op.data.size()),
                           shared_->acl(), mode_of(op.mode), call->created_paths[i].data(),
                           static_cast<int>(call->created_paths[i].size()));
        break;
      case Op::Kind::kSet:
        zoo_set_op_init(c, op.path.c_str(), op.data.data(), static_cast<int>(op.data.size()),
                        op.version, &call->stats[i]);
        break;
      case Op::Kind::kDelete: zoo_delete_op_init(c, op.path.c_str(), op.version); break;
      case Op::Kind::kCheck: zoo_check_op_init(c, op.path.c_str(), op.version); break;
    }
  }
  if (shared_->handle == nullptr || n == 0) {
    if (n == 0) call->finish(Reply<Nothing>{});
    else call->fail_now(ZINVALIDSTATE);
    delete call;
    return;
  }
  int rc = zoo_amulti(
      shared_->handle, static_cast<int>(n), call->c_ops.data(), call->results.data(),
      [](int rc, const void* context) {
        std::unique_ptr<MultiCall> call(static_cast<MultiCall*>(const_cast<void*>(context)));
        Reply<Nothing> reply = reply_of<Nothing>(rc, call->what);
        if (rc != ZOK) {
          // Name the operation that failed (the others report a rollback).
          for (size_t i = 0; i < call->results.size(); ++i) {
            int err = call->results[i].err;
            if (err != ZOK && err != ZRUNTIMEINCONSISTENCY) {
              reply.code = code_of(err);
              reply.error = std::string(kind_name(call->ops[i].kind)) + " " + call->ops[i].path +
                            " (operation " + std::to_string(i + 1) + " of " +
                            std::to_string(call->ops.size()) + "): " + zerror(err);
              break;
            }
          }
        }
        call->finish(std::move(reply));
      },
      call);
  if (rc != ZOK) {
    call->fail_now(rc);
    delete call;
  }
}

std::optional<int64_t> sequence_of(const std::string& name) {
  // ZooKeeper appends exactly ten digits.
  if (name.size() < 10) return std::nullopt;
  int64_t value = 0;
  for (size_t i = name.size() - 10; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return std::nullopt;
    value = value * 10 + (name[i] - '0');
  }
  return value;
}

}  // namespace cairn::zk
