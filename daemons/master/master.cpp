#include "daemons/master/master.hpp"
#include "daemons/master/master_counters.hpp"

#include <arpa/inet.h>

#include <cctype>

#include <fmt/core.h>

#include "lib/base/uuid.hpp"
#include "lib/logging/log.hpp"

namespace cairn::master {

Master::Master(EventLoop& loop, MasterOptions options, metrics::Registry& metrics,
               std::unique_ptr<Allocator> allocator, std::unique_ptr<Registry> registry)
    : loop_(loop),
      options_(std::move(options)),
      metrics_(metrics),
      allocator_(std::move(allocator)),
      registry_(std::move(registry)),
      id_(Uuid::random().to_string()),
      start_time_(std::chrono::steady_clock::now()),
      start_time_secs_(mesos::now_seconds()),
      counters_(std::make_unique<Counters>()) {
  register_metrics();
}

Master::~Master() = default;

void Master::start(uint16_t port, std::function<void(Status)> done) {
  port_ = port;
  registry_->recover([this, done = std::move(done)](Result<RegistryState> state) {
    if (!state.ok()) return done(Error("cannot recover the registry: " + state.error()));
    // A schedule that cannot be read is not dropped: machines it took down
    // would take agents back.
    Result<Maintenance> maintenance = Maintenance::from_json(state->maintenance);
    if (!maintenance.ok())
      return done(Error("cannot recover the registry: " + maintenance.error()));
    maintenance_ = std::move(*maintenance);
    // Weights: the registry (operator updates) wins over --weights.
    weights_ = options_.weights;
    for (const auto& [role, weight] : state->weights) weights_[role] = weight;
    allocator_->update_weights(weights_);
    for (const auto& [role, guarantee] : state->quotas) {
      Result<Resources> resources = Resources::from_json(guarantee);
      if (!resources.ok()) {
        log::warning("Ignoring the stored quota of role {}: {}", role, resources.error());
        continue;
      }
      quotas_[role] = *resources;
      allocator_->update_quota(role, *resources);
    }
    registered_frameworks_ = state->frameworks;
    for (const auto& [id, info] : registered_frameworks_)
      await_framework(id, info);
    for (const auto& [id, info] : state->unreachable) {
      auto agent = state->agents.find(id);
      unreachable_agents_[id] = agent != state->agents.end() ? agent->second : nlohmann::json{};
      unreachable_since_[id] = info;
    }
    // Agents admitted before the restart get --agent_reregister_timeout to
    // come back before they are marked unreachable.
    for (const auto& [id, info] : state->agents) {
      if (!state->unreachable.count(id)) recovering_agents_.insert(id);
    }
    if (!recovering_agents_.empty()) {
      log::info("Recovered {} admitted agents; waiting {} for them to re-register",
                recovering_agents_.size(), options_.flags.agent_reregister_timeout.to_string());
      reregister_timer_ = loop_.after(options_.flags.agent_reregister_timeout, [this] {
        std::set<std::string> missing = recovering_agents_;
        for (const std::string& id : missing) {
          mark_unreachable(id, "did not re-register within --agent_reregister_timeout");
        }
      });
    }
    recovered_ = true;
    elected_time_secs_ = mesos::now_seconds();
    log::info("Master {} ({}) elected as leader of cluster '{}' at {}:{}", id_, options_.hostname,
              options_.cluster, options_.advertised_ip, port_);
    schedule_allocation();
    done(ok_status());
  });
}

void Master::standby(uint16_t port) {
  port_ = port;
  standby_ = true;
}

void Master::set_leader(std::optional<nlohmann::json> master_info) {
  // A standby never redirects to its own address, which would send clients
  // straight back: the node there is either its own, just before the
  // election tells it that it leads, or its previous run's (a master that
  // restarted while ZooKeeper was unreachable could not close its session),
  // left until ZooKeeper expires that session.
  const std::string own_pid = fmt::format("master@{}:{}", options_.advertised_ip, port_);
  if (standby_ && master_info && master_info->value("pid", "") == own_pid) {
    if (master_info->value("id", "") != id_) {
      log::info(
          "The lowest json.info_ node is this master's previous run ({}), left until "
          "ZooKeeper expires its session; no master is leading yet",
          master_info->value("id", ""));
    }
    master_info.reset();
  }
  leader_ = std::move(master_info);
  if (!standby_) return;
  if (leader_) {
    log::info("Standing by; the leading master is {}", leader_location().value_or("?"));
  } else {
    log::info("Standing by; no master is leading");
  }
}

void Master::lead(std::unique_ptr<Registry> registry, std::function<void(Status)> done) {
  registry_ = std::move(registry);
  standby_ = false;
  log::info("Elected leader; recovering the registry");
  start(port_, std::move(done));
}

std::optional<std::string> Master::leader_location() const {
  if (!standby_) return fmt::format("//{}:{}", options_.hostname, port_);
  if (!leader_) return std::nullopt;
  const nlohmann::json address = leader_->value("address", nlohmann::json::object());
  std::string host = address.value("hostname", leader_->value("hostname", std::string()));
  if (host.empty()) host = address.value("ip", std::string());
  const nlohmann::json port = address.value("port", leader_->value("port", nlohmann::json()));
  if (host.empty() || !port.is_number_integer()) return std::nullopt;
  return fmt::format("//{}:{}", host, port.get<int>());
}

http::Handler Master::leader_only(http::Handler handler) {
  return [this, handler = std::move(handler)](http::Request request, http::Responder responder) {
    if (!standby_) return handler(std::move(request), std::move(responder));
    std::optional<std::string> leader = leader_location();
    if (!leader) {
      return responder.respond(
          http::text_response(503, "No master is leading yet (this master is a standby); retry"));
    }
    // Mesos' standby answer: the same request, at the leader.
    http::Response response(307, "", "");
    response.headers.set("Location", *leader + request.target);
    responder.respond(std::move(response));
  };
}

void Master::stop() {
  // A stopped master leads no more (an HA master that steps down stops first).
  recovered_ = false;
  allocation_timer_.cancel();
  reregister_timer_.cancel();
  recovering_frameworks_.clear();
  operator_heartbeat_.cancel();
  for (auto& [id, framework] : frameworks_) {
    framework.heartbeat.cancel();
    framework.failover.cancel();
    if (framework.stream) framework.stream->close();
  }
  for (auto& [id, agent] : agents_) {
    agent.ping_timer.cancel();
    if (agent.stream) agent.stream->close();
  }
  for (auto& [id, stream] : operator_streams_) stream->close();
  operator_streams_.clear();
}

std::string Master::next_framework_id() { return fmt::format("{}-{:04d}", id_, next_framework_++); }
std::string Master::next_agent_id() { return fmt::format("{}-S{}", id_, next_agent_++); }
std::string Master::next_offer_id() { return fmt::format("{}-O{}", id_, next_offer_++); }

void Master::defer(std::function<void()> fn) {
  loop_.post([alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

Framework* Master::find_framework(const std::string& id) {
  auto it = frameworks_.find(id);
  return it == frameworks_.end() ? nullptr : &it->second;
}

Agent* Master::find_agent(const std::string& id) {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

void Master::allocate_now() { run_allocation(); }

size_t Master::active_task_count() const {
  size_t n = 0;
  for (const auto& [id, framework] : frameworks_) n += framework.tasks.size();
  return n;
}

nlohmann::json Master::master_info() const {
  in_addr address{};
  ::inet_pton(AF_INET, options_.advertised_ip.c_str(), &address);
  return nlohmann::json{
      {"id", id_},
      // Mesos writes the IPv4 address as the uint32 of its network-order bytes.
      {"ip", static_cast<uint32_t>(address.s_addr)},
      {"port", port_},
      {"pid", fmt::format("master@{}:{}", options_.advertised_ip, port_)},
      {"hostname", options_.hostname},
      {"version", CAIRN_VERSION},
      {"address",
       {{"hostname", options_.hostname}, {"ip", options_.advertised_ip}, {"port", port_}}},
  };
}

double Master::uptime_secs() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time_).count();
}

void Master::register_metrics() {
  auto counter = [this](const std::string& name) {
    Result<std::shared_ptr<metrics::Counter>> c = metrics_.counter(name);
    return c.ok() ? *c : std::make_shared<metrics::Counter>();
  };
  auto gauge = [this](const std::string& name, metrics::GaugeCallback callback) {
    Status st = metrics_.gauge(name, "", std::move(callback));
    if (!st.ok()) log::warning("metric {}: {}", name, st.error());
  };
  using mesos::TaskState;
  for (auto [state, name] : std::initializer_list<std::pair<TaskState, const char*>>{
           {TaskState::kFinished, "finished"}, {TaskState::kFailed, "failed"},
           {TaskState::kKilled, "killed"}, {TaskState::kLost, "lost"}, {TaskState::kError, "error"},
           {TaskState::kDropped, "dropped"}, {TaskState::kGone, "gone"},
           {TaskState::kGoneByOperator, "gone_by_operator"}}) {
    counters_->terminal_tasks[state] = counter(std::string("master/tasks_") + name);
  }
  counters_->valid_status_updates = counter("master/valid_status_updates");
  counters_->invalid_status_updates = counter("master/invalid_status_updates");
  counters_->agent_registrations = counter("master/slave_registrations");
  counters_->agent_reregistrations = counter("master/slave_reregistrations");
  counters_->agent_removals = counter("master/slave_removals");
  counters_->agents_unreachable = counter("master/slave_unreachable_completed");
  counters_->offers_made = counter("master/offers_made");
  counters_->offers_declined = counter("master/offers_declined");
  counters_->offers_rescinded = counter("master/offers_rescinded");
  counters_->tasks_launched = counter("master/tasks_launched");
  counters_->invalid_scheduler_calls = counter("master/invalid_scheduler_calls");
  counters_->framework_messages = counter("master/valid_framework_to_executor_messages");
  counters_->allocation_runs = counter("allocator/allocation_runs");
  if (auto timer = metrics_.timer("allocator/allocation_run"); timer.ok()) {
    counters_->allocation_time = *timer;
  }

  gauge("master/elected", [this] { return leading() ? 1.0 : 0.0; });
  gauge("master/uptime_secs", [this] { return uptime_secs(); });
  auto count_agents = [this](auto predicate) {
    return [this, predicate]() -> std::optional<double> {
      double n = 0;
      for (const auto& [id, agent] : agents_) n += predicate(agent) ? 1 : 0;
      return n;
    };
  };
  gauge("master/slaves_active", count_agents([](const Agent& a) { return a.active; }));
  gauge("master/slaves_inactive", count_agents([](const Agent& a) { return !a.active; }));
  gauge("master/slaves_connected", count_agents([](const Agent& a) { return a.stream != nullptr; }));
  gauge("master/slaves_disconnected",
        count_agents([](const Agent& a) { return a.stream == nullptr; }));
  gauge("master/slaves_unreachable", [this] { return double(unreachable_agents_.size()); });
  auto count_frameworks = [this](auto predicate) {
    return [this, predicate]() -> std::optional<double> {
      double n = 0;
      for (const auto& [id, f] : frameworks_) n += predicate(f) ? 1 : 0;
      return n;
    };
  };
  gauge("master/frameworks_active", count_frameworks([](const Framework& f) { return f.active; }));
  gauge("master/frameworks_inactive",
        count_frameworks([](const Framework& f) { return !f.active; }));
  gauge("master/frameworks_connected",
        count_frameworks([](const Framework& f) { return f.stream != nullptr; }));
  gauge("master/frameworks_disconnected",
        count_frameworks([](const Framework& f) { return f.stream == nullptr; }));
  gauge("master/outstanding_offers", [this] { return double(offers_.size()); });
  for (auto [state, name] : std::initializer_list<std::pair<TaskState, const char*>>{
           {TaskState::kStaging, "staging"}, {TaskState::kStarting, "starting"},
           {TaskState::kRunning, "running"}, {TaskState::kKilling, "killing"},
           {TaskState::kUnreachable, "unreachable"}}) {
    gauge(std::string("master/tasks_") + name, [this, state = state]() -> std::optional<double> {
      double n = 0;
      for (const auto& [fid, f] : frameworks_) {
        for (const auto& [tid, t] : f.tasks) n += t.state == state ? 1 : 0;
        if (state == TaskState::kUnreachable) n += static_cast<double>(f.unreachable_tasks.size());
      }
      return n;
    });
  }
  for (const char* resource : {"cpus", "mem", "disk", "gpus"}) {
    std::string name = resource;
    auto total = [this, name] {
      double sum = 0;
      for (const auto& [id, agent] : agents_) {
        if (agent.active) sum += agent.total.scalar(name);
      }
      return sum;
    };
    auto used = [this, name] {
      double sum = 0;
      for (const auto& [id, f] : frameworks_) sum += (f.used + f.offered).scalar(name);
      return sum;
    };
    gauge("master/" + name + "_total", [total]() -> std::optional<double> { return total(); });
    gauge("master/" + name + "_used", [used]() -> std::optional<double> { return used(); });
    gauge("master/" + name + "_percent", [total, used]() -> std::optional<double> {
      double t = total();
      return t > 0 ? used() / t : 0.0;
    });
  }
}

}  // namespace cairn::master
