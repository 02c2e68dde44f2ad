// failover_bench: how long an HA Cairn cluster goes without a working leader
// when the leading master is SIGKILLed, at 1,000 agents and 10,000 tasks.
//
// Everything is real and on loopback: one standalone ZooKeeper server
// (lib/zk/testing: Debian's zookeeper 3.8, tickTime 500 ms; a single server,
// not an ensemble, so a registry write is one fsync, not a quorum's), and
// two cairn-master child processes electing their leader through it
// (--zk=zk://127.0.0.1:PORT/mesos --quorum=2 --zk_session_timeout=T). The
// bench starts master A, waits until it leads, starts master B (a standby),
// registers N SimulatedAgents (daemons/master/testing) with A on two event
// loops, and has one PARTITION_AWARE framework with a week-long
// failover_timeout (failover_framework.hpp, raw v1 JSON) launch 10 tasks per
// agent until T tasks run and every status update is acknowledged. It
// records both masters' RSS and then SIGKILLs A; from that instant (T0) it
// measures
//   (1) a new leader elected: a MasterDetector (lib/detector, what agents
//       and frameworks use) reports B; B's json.info_ node is now the
//       lowest, which happens once ZooKeeper expires A's session: one
//       session timeout after A's last ping (its client pings every third
//       of the timeout), at ZooKeeper's next tick, so 2/3 of a session
//       timeout to a session timeout and a tick after the kill;
//   (2) registry recovered: B's /metrics/snapshot shows master/elected 1
//       (polled every 20 ms; it turns 1 once B has read the registry);
//   (3), (4) 90% and 100% of the agents re-registered with B: when the
//       detector reports B, every agent follows it as cairn-agent does
//       (reregistering_agent.hpp: a random delay of up to
//       --registration_backoff_factor, REGISTER with its id and its tasks,
//       retried with a doubling backoff while B refuses); an agent counts
//       when B's REGISTERED reaches it;
//   (5) first offer: the framework re-subscribes to B with its framework id
//       when the detector reports B (retrying with the scheduler SDK's
//       backoff while B refuses) and the first OFFERS event arrives.
// Then it prints the tasks and agents B knows (all T tasks should be
// running: none lost), B's RSS, and the retry counts. The figures depend on
// the session timeout above all; they are figures only: nothing here
// asserts on time. The exit status is 1 when the run cannot complete (a
// master died, agents or tasks never reached the state waited for, B never
// led), with what was missing and the masters' log tails; 77 when
// ZooKeeper cannot run here (java and /usr/share/java/zookeeper.jar are
// needed), which CTest counts as skipped.
//
//   failover_bench                       1,000 agents, 10,000 tasks
//   failover_bench --quick               100 agents, 1,000 tasks (CTest smoke run)
//   failover_bench --agents=N --tasks=T
//   options: --zk_session_timeout=10secs (the masters' and the detector's;
//              the production default)
//            --allocation_interval=1secs (the masters')
//            --registration_backoff_factor=1secs (the agents'; 0secs: all
//              re-register the instant B is detected, and retry at once)
//            --framework_backoff=1secs (the framework's first retry delay)
//            --timeout=300 (seconds, for each phase)
//            --keep_logs (copy both masters' logs out of the temp dir)
#include <signal.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/bench_args.hpp"
#include "bench/common/figures.hpp"
#include "bench/common/machine.hpp"
#include "bench/common/master_child.hpp"
#include "bench/failover/failover_framework.hpp"
#include "bench/failover/reregistering_agent.hpp"
#include "daemons/master/testing/master_harness.hpp"
#include "daemons/master/testing/simulated_agent.hpp"
#include "lib/detector/master_detector.hpp"
#include "lib/mesos/task_state.hpp"
#include "lib/resources/resources.hpp"
#include "lib/zk/client.hpp"
#include "lib/zk/leader_election.hpp"
#include "lib/zk/testing/zk_server.hpp"

#ifndef CAIRN_MASTER_BINARY
#error "CAIRN_MASTER_BINARY must name the cairn-master executable"
#endif

namespace {

using cairn::Duration;
using cairn::Error;
using cairn::EventLoop;
using cairn::Result;
using cairn::Status;
using cairn::bench::Clock;
using cairn::bench::FailoverFramework;
using cairn::bench::FailoverFrameworkFigures;
using cairn::bench::FailoverFrameworkOptions;
using cairn::bench::interrupted;
using cairn::bench::load_average;
using cairn::bench::MasterChild;
using cairn::bench::MasterChildOptions;
using cairn::bench::ms_between;
using cairn::bench::ReregisteringAgent;
using cairn::bench::ReregisteringAgentOptions;
using cairn::bench::seconds_since;
using cairn::bench::whole;
using cairn::master::testing::SimulatedAgent;
using cairn::master::testing::SimulatedAgentOptions;
using cairn::master::testing::TestClient;

constexpr const char* kAgentResources = "cpus:32;mem:131072;disk:1000000;ports:[31000-32000]";
constexpr const char* kElectionPath = "/mesos";
constexpr size_t kAgentLoops = 2;  // the machine has 2 cores
constexpr auto kMetricsPoll = std::chrono::milliseconds(20);
constexpr int kSkipped = 77;  // CTest's SKIP_RETURN_CODE
constexpr const char* kProgram = "failover_bench";

struct Settings {
  size_t agents = 1000;
  size_t tasks = 10000;
  Duration zk_session_timeout = Duration::seconds(10);
  Duration allocation_interval = Duration::seconds(1);
  Duration registration_backoff_factor = Duration::seconds(1);
  Duration framework_backoff = Duration::seconds(1);
  int timeout_seconds = 300;
  bool keep_logs = false;
};

// What a run measured. Instants are milliseconds after the SIGKILL (T0);
// negative when never seen.
struct Figures {
  // Setup.
  double zk_start_s = 0, a_elected_s = 0, agents_registered_s = 0, tasks_running_s = 0;
  uint16_t zk_port = 0;
  long a_rss_kib = -1, b_standby_rss_kib = -1, b_rss_kib = -1;
  double a_tasks_running = -1;
  // Failover.
  double no_leader_ms = -1;                      // the detector reported no leader (if it did)
  double leader_ms = -1;                         // (1)
  double recovered_ms = -1;                      // (2)
  double agents_90_ms = -1, agents_100_ms = -1;  // (3), (4)
  size_t agents_90_count = 0;
  double first_agent_ms = -1;
  double subscribed_ms = -1;   // the framework's SUBSCRIBED from B
  double first_offer_ms = -1;  // (5)
  double b_cpu_s = -1;         // B's CPU time from T0 until all of the above
  double load_before = -1, load_after = -1;
  // Afterwards, as B reports them.
  double b_agents_active = -1, b_tasks_running = -1, b_tasks_staging = -1, b_tasks_unreachable = -1,
         b_tasks_lost = -1, b_frameworks_active = -1, b_reregistrations = -1;
  size_t framework_running = 0;
  size_t agent_attempts = 0, agent_refusals = 0, agents_refused = 0, agent_streams_broken = 0;
  std::string agent_refusal_example;
  size_t framework_attempts = 0, framework_refusals = 0;
  std::string framework_refusal_example;
  std::vector<std::string> framework_messages;
  std::vector<std::string> saved_logs;
};

// One whole run: ZooKeeper, two masters, agents and a framework. The
// destructor tears everything down, whatever happened.
class Run {
 public:
  explicit Run(const Settings& settings) : settings_(settings) {}
  ~Run() { teardown(); }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  Result<Figures> execute();

 private:
  Status setup_zookeeper();
  Result<std::unique_ptr<MasterChild>> spawn_master();
  // Polls `done` every `poll` until it holds; fails early when a master
  // dies (A before the kill) or the user interrupts.
  Status wait_until(const std::string& what, Duration timeout, const std::function<bool()>& done,
                    const std::function<std::string()>& missing = {},
                    Duration poll = Duration::milliseconds(50));
  double metric(const MasterChild& master, const char* name);
  int contenders();
  size_t registered_with_a() const;
  size_t pending_updates() const;
  FailoverFrameworkFigures framework_figures();
  std::string describe_masters();
  void on_leader(std::optional<std::string> url);
  void move_to(const std::string& url);
  void teardown();

  const Settings& settings_;
  std::string root_;  // temp dir: ZooKeeper's data
  std::unique_ptr<cairn::zk::testing::ZooKeeperServer> zk_;
  std::string zk_url_;
  std::unique_ptr<MasterChild> a_, b_;
  std::unique_ptr<TestClient> http_;
  std::unique_ptr<EventLoop> control_;  // the detector and a ZooKeeper client
  std::unique_ptr<cairn::zk::Client> zk_client_;
  std::unique_ptr<cairn::detector::MasterDetector> detector_;
  std::array<std::unique_ptr<EventLoop>, kAgentLoops> loops_;
  std::array<std::vector<std::unique_ptr<SimulatedAgent>>, kAgentLoops> agents_;
  std::array<std::vector<std::shared_ptr<ReregisteringAgent>>, kAgentLoops> movers_;
  std::unique_ptr<EventLoop> framework_loop_;
  std::shared_ptr<FailoverFramework> framework_;

  // Written on the control loop, read by the main thread.
  std::mutex mutex_;
  std::optional<std::string> leader_;  // the detector's last report
  bool a_leading_ = false;             // A was seen leading (and must go on until the kill)
  std::atomic<bool> killed_{false};
  Clock::time_point t0_;
  std::optional<Clock::time_point> no_leader_at_, leader_at_;
};

Status Run::setup_zookeeper() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "cairn-failover-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  root_ = pattern;
  zk_ = std::make_unique<cairn::zk::testing::ZooKeeperServer>(root_ + "/zookeeper");
  if (Status started = zk_->start(); !started.ok()) return started;
  zk_url_ = "zk://" + zk_->connect_string() + kElectionPath;
  return cairn::ok_status();
}

Result<std::unique_ptr<MasterChild>> Run::spawn_master() {
  MasterChildOptions options;
  options.binary = CAIRN_MASTER_BINARY;
  options.allocation_interval = settings_.allocation_interval.to_string();
  options.extra_flags = {"--zk=" + zk_url_, "--quorum=2",
                         "--zk_session_timeout=" + settings_.zk_session_timeout.to_string(),
                         "--hostname=127.0.0.1"};
  return MasterChild::spawn(options);
}

Status Run::wait_until(const std::string& what, Duration timeout, const std::function<bool()>& done,
                       const std::function<std::string()>& missing, Duration poll) {
  const auto deadline = Clock::now() + timeout.chrono();
  auto next_leader_check = Clock::now() + std::chrono::seconds(1);
  while (true) {
    if (done()) return cairn::ok_status();
    std::string problem;
    // A master that steps down restarts as a standby and the agents it
    // refused meanwhile never come back: say so now, not at the timeout.
    const bool check_leader = a_ && !killed_ && a_leading_ && Clock::now() >= next_leader_check;
    if (check_leader) next_leader_check = Clock::now() + std::chrono::seconds(1);
    if (a_ && !killed_ && a_->exited()) {
      problem = "cairn-master A " + *a_->exited();
    } else if (check_leader && metric(*a_, "master/elected") == 0) {
      problem = "master A no longer leads";
    } else if (b_ && b_->exited()) {
      problem = "cairn-master B " + *b_->exited();
    } else if (interrupted()) {
      problem = "interrupted";
    } else if (Clock::now() >= deadline) {
      problem = "timed out after " + std::to_string(timeout.ms() / 1000) + " s";
    }
    if (!problem.empty()) {
      std::string message = "while waiting for " + what + ": " + problem;
      std::string state = missing ? missing() : "";
      if (!state.empty()) message += "\n" + state;
      return Error(message + "\n" + describe_masters());
    }
    std::this_thread::sleep_for(poll.chrono());
  }
}

double Run::metric(const MasterChild& master, const char* name) {
  std::optional<nlohmann::json> snapshot = cairn::bench::metrics_snapshot(*http_, master);
  return snapshot ? cairn::bench::metric_value(*snapshot, name) : -1;
}

// The json.info_ nodes under the election path (-1: ZooKeeper did not say).
int Run::contenders() {
  auto result = std::make_shared<std::promise<int>>();
  std::future<int> future = result->get_future();
  control_->post([this, result] {
    zk_client_->children(kElectionPath, {},
                         [result](cairn::zk::Reply<std::vector<std::string>> reply) {
                           int count = 0;
                           for (const std::string& child : reply.value)
                             count += child.rfind(cairn::zk::kLeaderLabel, 0) == 0 ? 1 : 0;
                           result->set_value(reply.ok() ? count : -1);
                         });
  });
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return -1;
  return future.get();
}

size_t Run::registered_with_a() const {
  size_t count = 0;
  for (const auto& loop_agents : agents_) {
    for (const auto& agent : loop_agents)
      count += agent->registered() ? 1 : 0;
  }
  return count;
}

size_t Run::pending_updates() const {
  size_t count = 0;
  for (const auto& loop_agents : agents_) {
    for (const auto& agent : loop_agents)
      count += agent->pending_updates();
  }
  return count;
}

FailoverFrameworkFigures Run::framework_figures() {
  if (!framework_loop_ || !framework_) return {};
  return framework_loop_->call([this] { return framework_->figures(); });
}

std::string Run::describe_masters() {
  std::string out;
  for (auto [name, master] : {std::pair{"A", a_.get()}, std::pair{"B", b_.get()}}) {
    if (master == nullptr) continue;
    out += "master " + std::string(name) + " (" + master->url() + ")";
    if (auto exit = master->exited()) out += " " + *exit;
    out += ", last lines of its output:\n" + master->log_tail(15);
    std::string saved = master->save_log();
    if (!saved.empty()) out += "  its whole log: " + saved + "\n";
  }
  return out;
}

// On the control loop: the detector's report.
void Run::on_leader(std::optional<std::string> url) {
  const Clock::time_point now = Clock::now();
  bool move = false;
  {
    std::lock_guard lock(mutex_);
    leader_ = url;
    if (killed_) {
      if (!url && !no_leader_at_) no_leader_at_ = now;
      if (url && b_ && *url == b_->url() && !leader_at_) {
        leader_at_ = now;
        move = true;
      }
    }
  }
  if (move) move_to(*url);
}

// Every agent and the framework follow the new leader, as they would on
// hearing it from ZooKeeper themselves.
void Run::move_to(const std::string& url) {
  for (size_t l = 0; l < kAgentLoops; ++l) {
    loops_[l]->post([this, l, url] {
      for (auto& agent : agents_[l])
        agent->disconnect();  // the old master is gone
      for (auto& mover : movers_[l])
        mover->follow(url);
    });
  }
  framework_loop_->post([this, url] { framework_->subscribe(url); });
}

Result<Figures> Run::execute() {
  Figures figures;
  figures.load_before = load_average();
  const size_t n = settings_.agents;
  const size_t per_agent = (settings_.tasks + n - 1) / n;

  // ZooKeeper and the loops.
  Clock::time_point started = Clock::now();
  if (Status zk = setup_zookeeper(); !zk.ok())
    return Error("cannot start ZooKeeper: " + zk.error());
  figures.zk_start_s = seconds_since(started);
  figures.zk_port = zk_->port();
  http_ = std::make_unique<TestClient>();
  control_ = std::make_unique<EventLoop>();
  control_->start_thread();
  for (auto& loop : loops_) {
    loop = std::make_unique<EventLoop>();
    loop->start_thread();
  }
  framework_loop_ = std::make_unique<EventLoop>();
  framework_loop_->start_thread();

  // Master A leads, then B stands by.
  started = Clock::now();
  Result<std::unique_ptr<MasterChild>> spawned = spawn_master();
  if (!spawned.ok()) return Error("cannot start cairn-master A: " + spawned.error());
  a_ = std::move(*spawned);
  Status ok = wait_until("master A to lead (master/elected 1)", Duration::seconds(60),
                         [&] { return metric(*a_, "master/elected") == 1; });
  if (!ok.ok()) return Error(ok.error());
  figures.a_elected_s = seconds_since(started);
  a_leading_ = true;
  // A client of our own, to count the election's nodes (created once the
  // server surely serves: a session opened while it starts gets dropped).
  control_->call([this] {
    zk_client_ = std::make_unique<cairn::zk::Client>(
        *control_,
        cairn::zk::ClientOptions{zk_->connect_string(), settings_.zk_session_timeout, std::nullopt},
        [](cairn::zk::SessionEvent) {});
  });
  spawned = spawn_master();
  if (!spawned.ok()) return Error("cannot start cairn-master B: " + spawned.error());
  b_ = std::move(*spawned);
  const std::string a_location = "//127.0.0.1:" + std::to_string(a_->port());
  ok = wait_until(
      "master B to stand by (307 to A from /master/redirect, two json.info_ nodes)",
      Duration::seconds(60),
      [&] {
        cairn::http::Response redirect = http_->get(b_->url() + "/master/redirect");
        return redirect.status == 307 &&
               redirect.headers.get("Location").value_or("") == a_location &&
               metric(*b_, "master/elected") == 0 && contenders() == 2;
      },
      [&] { return "json.info_ nodes under /mesos: " + std::to_string(contenders()); });
  if (!ok.ok()) return Error(ok.error());

  // Agents register with A.
  started = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    SimulatedAgentOptions agent;
    agent.master = a_->url();
    agent.hostname = "agent-" + std::to_string(i) + ".failover";
    agent.resources = kAgentResources;
    agent.update_retry = Duration::seconds(5);
    agents_[i % kAgentLoops].push_back(
        std::make_unique<SimulatedAgent>(*loops_[i % kAgentLoops], agent));
  }
  for (size_t l = 0; l < kAgentLoops; ++l) {
    loops_[l]->post([this, l] {
      for (auto& agent : agents_[l])
        agent->start();
    });
  }
  ok = wait_until(
      "master/slaves_active == " + std::to_string(n) + " on A",
      Duration::seconds(settings_.timeout_seconds),
      [&] { return metric(*a_, "master/slaves_active") == static_cast<double>(n); },
      [&] {
        return "agents registered: " + std::to_string(registered_with_a()) + "/" +
               std::to_string(n) +
               "; A's master/slaves_active=" + whole(metric(*a_, "master/slaves_active"));
      });
  if (!ok.ok()) return Error(ok.error());
  figures.agents_registered_s = seconds_since(started);

  // The framework launches its tasks through A.
  started = Clock::now();
  FailoverFrameworkOptions framework;
  framework.tasks = settings_.tasks;
  framework.tasks_per_agent = per_agent;
  framework.initial_backoff = settings_.framework_backoff;
  framework_ = std::make_shared<FailoverFramework>(*framework_loop_, framework);
  framework_loop_->post([this] { framework_->subscribe(a_->url()); });
  ok = wait_until(
      "all " + std::to_string(settings_.tasks) + " tasks to be TASK_RUNNING",
      Duration::seconds(settings_.timeout_seconds),
      [&] {
        return framework_->running() >= settings_.tasks && pending_updates() == 0 &&
               metric(*a_, "master/tasks_running") == static_cast<double>(settings_.tasks);
      },
      [&] {
        FailoverFrameworkFigures f = framework_figures();
        std::string out =
            "framework " + f.framework_id + ": launched " + std::to_string(f.launched) +
            ", running " + std::to_string(f.running) + ", offers " + std::to_string(f.offers) +
            ", call errors " + std::to_string(f.call_errors) +
            "; agent updates not acknowledged: " + std::to_string(pending_updates()) +
            "; A's master/tasks_running=" + whole(metric(*a_, "master/tasks_running"));
        if (f.fatal) out += "\n  " + *f.fatal;
        for (const std::string& message : f.messages)
          out += "\n  " + message;
        return out;
      });
  if (!ok.ok()) return Error(ok.error());
  figures.tasks_running_s = seconds_since(started);

  // What each agent will report to the next leader: its id, AgentInfo, and
  // its live tasks with their FrameworkInfos, as SimulatedAgent would.
  Result<cairn::Resources> resources = cairn::Resources::parse(kAgentResources);
  if (!resources.ok()) return Error("agent resources: " + resources.error());
  const nlohmann::json resources_json = resources->to_json(cairn::ResourceFormat::kPostRefinement);
  for (size_t l = 0; l < kAgentLoops; ++l) {
    for (size_t k = 0; k < agents_[l].size(); ++k) {
      const SimulatedAgent& agent = *agents_[l][k];
      const size_t index = k * kAgentLoops + l;
      ReregisteringAgentOptions mover;
      mover.agent_id = agent.agent_id().value_or("");
      mover.agent_info = {{"id", {{"value", mover.agent_id}}},
                          {"hostname", "agent-" + std::to_string(index) + ".failover"},
                          {"port", 5051},
                          {"ip", "127.0.0.1"},
                          {"resources", resources_json}};
      const std::map<std::string, cairn::mesos::TaskState> states = agent.tasks();
      std::map<std::string, nlohmann::json> frameworks;
      for (const nlohmann::json& event : agent.events()) {
        if (event.value("type", "") != "RUN_TASK") continue;
        const nlohmann::json& run = event.at("run_task");
        nlohmann::json task = run.at("task");
        const std::string task_id = task.at("task_id").at("value").get<std::string>();
        const std::string framework_id =
            run.at("framework_info").at("id").at("value").get<std::string>();
        auto state = states.find(task_id);
        if (state == states.end() || cairn::mesos::is_terminal(state->second)) continue;
        task["framework_id"] = {{"value", framework_id}};
        task["state"] = std::string(cairn::mesos::to_string(state->second));
        mover.tasks.push_back(std::move(task));
        frameworks[framework_id] = run.at("framework_info");
      }
      for (auto& [id, info] : frameworks)
        mover.frameworks.push_back(info);
      mover.backoff_factor = settings_.registration_backoff_factor;
      mover.seed = index + 1;
      movers_[l].push_back(std::make_shared<ReregisteringAgent>(*loops_[l], std::move(mover)));
    }
  }
  size_t moved_tasks = 0;
  for (const auto& loop_movers : movers_) {
    for (const auto& mover : loop_movers)
      moved_tasks += mover->task_count();
  }
  if (moved_tasks != settings_.tasks) {
    return Error("the agents run " + std::to_string(moved_tasks) + " tasks, not " +
                 std::to_string(settings_.tasks));
  }

  figures.a_rss_kib = a_->rss_kib();
  figures.b_standby_rss_kib = b_->rss_kib();
  figures.a_tasks_running = metric(*a_, "master/tasks_running");

  // The detector, which must see A lead before the kill.
  const std::string detector_error = control_->call([this]() -> std::string {
    auto created = cairn::detector::MasterDetector::create(
        *control_, zk_url_, settings_.zk_session_timeout,
        [this](std::optional<std::string> url) { on_leader(std::move(url)); });
    if (!created.ok()) return created.error();
    detector_ = std::move(*created);
    return "";
  });
  if (!detector_error.empty()) return Error("cannot follow the election: " + detector_error);
  ok = wait_until("the detector to report A as the leader", Duration::seconds(30), [&] {
    std::lock_guard lock(mutex_);
    return leader_ == a_->url();
  });
  if (!ok.ok()) return Error(ok.error());
  ok = wait_until("two election nodes before the kill", Duration::seconds(10),
                  [&] { return contenders() == 2; });
  if (!ok.ok()) return Error(ok.error());

  // T0.
  const double b_cpu_before = b_->cpu_seconds();
  {
    std::lock_guard lock(mutex_);
    t0_ = Clock::now();
    killed_ = true;
  }
  if (::kill(a_->pid(), SIGKILL) != 0) {
    return Error(std::string("cannot SIGKILL master A: ") + std::strerror(errno));
  }
  const Clock::time_point t0 = t0_;

  std::optional<Clock::time_point> recovered_at;
  auto next_poll = Clock::now();
  std::vector<Clock::time_point> registered;
  std::optional<Clock::time_point> first_offer_at, subscribed_at;
  const size_t wanted_90 = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(n)));
  ok = wait_until(
      "the failover to complete",
      settings_.zk_session_timeout + Duration::seconds(settings_.timeout_seconds),
      [&] {
        (void)a_->exited();  // reaps A
        if (!recovered_at && Clock::now() >= next_poll) {
          next_poll = Clock::now() + kMetricsPoll;
          if (metric(*b_, "master/elected") == 1) recovered_at = Clock::now();
        }
        registered.clear();
        for (const auto& loop_movers : movers_) {
          for (const auto& mover : loop_movers) {
            if (auto at = mover->registered_at()) registered.push_back(*at);
          }
        }
        if (!first_offer_at) {
          FailoverFrameworkFigures f = framework_figures();
          if (f.master == b_->url()) {  // not A's, from before the kill
            first_offer_at = f.first_offer_at;
            subscribed_at = f.subscribed_at;
          }
        }
        return recovered_at && registered.size() == n && first_offer_at;
      },
      [&] {
        FailoverFrameworkFigures f = framework_figures();
        std::lock_guard lock(mutex_);
        std::string out =
            std::string("detector: ") +
            (leader_at_
                 ? "reported B after " + whole(ms_between(t0, *leader_at_)) + " ms"
                 : "has not reported B (its last report: " + leader_.value_or("none") + ")") +
            "; B master/elected " + (recovered_at ? "1" : "not 1") + "; agents re-registered " +
            std::to_string(registered.size()) + "/" + std::to_string(n) +
            "; framework: SUBSCRIBE attempts " + std::to_string(f.subscribe_attempts) +
            (f.subscribed_at ? ", subscribed" : ", not subscribed") +
            (f.first_offer_at ? ", has an offer" : ", no offer") +
            (f.last_refusal.empty() ? "" : " (last refusal: " + f.last_refusal + ")");
        for (const auto& loop_movers : movers_) {
          for (const auto& mover : loop_movers) {
            if (!mover->registered_at() && !mover->last_problem().empty()) {
              out += "\nan agent not re-registered: " + mover->last_problem();
              return out;
            }
          }
        }
        return out;
      },
      Duration::milliseconds(5));
  if (!ok.ok()) return Error(ok.error());
  figures.b_cpu_s = b_->cpu_seconds() - b_cpu_before;
  {
    std::lock_guard lock(mutex_);
    if (no_leader_at_) figures.no_leader_ms = ms_between(t0, *no_leader_at_);
    if (leader_at_) figures.leader_ms = ms_between(t0, *leader_at_);
  }
  figures.recovered_ms = ms_between(t0, *recovered_at);
  std::sort(registered.begin(), registered.end());
  figures.first_agent_ms = ms_between(t0, registered.front());
  figures.agents_90_count = wanted_90;
  figures.agents_90_ms = ms_between(t0, registered[std::max<size_t>(wanted_90, 1) - 1]);
  figures.agents_100_ms = ms_between(t0, registered.back());
  figures.first_offer_ms = ms_between(t0, *first_offer_at);
  if (subscribed_at) figures.subscribed_ms = ms_between(t0, *subscribed_at);

  // What B knows now (bounded wait for its counts to settle).
  (void)wait_until("B to report every task", Duration::seconds(30), [&] {
    return metric(*b_, "master/tasks_running") == static_cast<double>(settings_.tasks) &&
           metric(*b_, "master/slaves_active") == static_cast<double>(n);
  });
  if (std::optional<nlohmann::json> snapshot = cairn::bench::metrics_snapshot(*http_, *b_)) {
    auto read = [&](const char* name) { return cairn::bench::metric_value(*snapshot, name); };
    figures.b_agents_active = read("master/slaves_active");
    figures.b_tasks_running = read("master/tasks_running");
    figures.b_tasks_staging = read("master/tasks_staging");
    figures.b_tasks_unreachable = read("master/tasks_unreachable");
    figures.b_tasks_lost = read("master/tasks_lost");
    figures.b_frameworks_active = read("master/frameworks_active");
    figures.b_reregistrations = read("master/slave_reregistrations");
  }
  figures.b_rss_kib = b_->rss_kib();
  figures.load_after = load_average();
  for (const auto& loop_movers : movers_) {
    for (const auto& mover : loop_movers) {
      figures.agent_attempts += mover->attempts();
      figures.agent_refusals += mover->refusals();
      figures.agents_refused += mover->refusals() > 0 ? 1 : 0;
      figures.agent_streams_broken += mover->broken();
      if (figures.agent_refusal_example.empty() && mover->refusals() > 0)
        figures.agent_refusal_example = mover->last_problem();
    }
  }
  FailoverFrameworkFigures f = framework_figures();
  figures.framework_running = f.running;
  figures.framework_attempts = f.subscribe_attempts;
  figures.framework_refusals = f.subscribe_refusals;
  figures.framework_refusal_example = f.last_refusal;
  figures.framework_messages = f.messages;
  if (settings_.keep_logs) {
    for (MasterChild* master : {a_.get(), b_.get()}) {
      std::string saved = master->save_log();
      if (!saved.empty()) figures.saved_logs.push_back(saved);
    }
  }
  if (auto exit = b_->exited()) {
    return Error("cairn-master B " + *exit + " before the end of the run\n" + describe_masters());
  }
  return figures;
}

void Run::teardown() {
  if (framework_loop_) {
    framework_loop_->call([this] {
      if (framework_) framework_->stop();
      framework_.reset();
    });
    framework_loop_->stop();
    framework_loop_->join();
    framework_loop_.reset();
  }
  if (control_) {
    control_->call([this] {
      detector_.reset();
      zk_client_.reset();
    });
    control_->stop();
    control_->join();
    control_.reset();
  }
  // Masters before the agents' loops: nothing is left to re-register with.
  if (b_) b_->stop();
  if (a_) a_->stop();
  for (size_t l = 0; l < kAgentLoops; ++l) {
    if (!loops_[l]) continue;
    // Agents own clients and timers of their loop: release them there.
    loops_[l]->call([&] {
      for (auto& mover : movers_[l])
        mover->stop();
      movers_[l].clear();
      agents_[l].clear();
    });
    loops_[l]->stop();
    loops_[l]->join();
    loops_[l].reset();
  }
  http_.reset();
  a_.reset();
  b_.reset();
  zk_.reset();  // kills the server
  if (!root_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    root_.clear();
  }
}

void print_figures(const Settings& settings, const Figures& f) {
  auto mib = [](long kib) { return kib < 0 ? -1.0 : static_cast<double>(kib) / 1024.0; };
  auto instant = [](double ms) { return ms < 0 ? std::string("-") : whole(ms); };
  const size_t per_agent = (settings.tasks + settings.agents - 1) / settings.agents;
  std::printf("cairn-master failover: SIGKILL the leader, with %zu agents and %zu tasks\n",
              settings.agents, settings.tasks);
  std::printf(
      "ZooKeeper: one standalone server (zookeeper 3.8, tickTime 500 ms) on 127.0.0.1:%u, "
      "started in %.1f s\n",
      f.zk_port, f.zk_start_s);
  std::printf(
      "masters A and B: --zk=zk://127.0.0.1:%u/mesos --quorum=2 --zk_session_timeout=%s "
      "--allocation_interval=%s\n",
      f.zk_port, settings.zk_session_timeout.to_string().c_str(),
      settings.allocation_interval.to_string().c_str());
  std::printf(
      "setup: A elected in %.1f s; %zu agents (%s) registered with A in %.1f s; %zu tasks "
      "(%zu per agent, cpus 0.1, mem 32) running in %.1f s\n",
      f.a_elected_s, settings.agents, kAgentResources, f.agents_registered_s, settings.tasks,
      per_agent, f.tasks_running_s);
  std::printf(
      "followers: agents re-register after a random delay of up to "
      "--registration_backoff_factor=%s, then back off doubling; the framework re-subscribes "
      "at once, then backs off from %s\n",
      settings.registration_backoff_factor.to_string().c_str(),
      settings.framework_backoff.to_string().c_str());
  std::printf("\n  %-62s %10s\n", "after SIGKILL of the leader (T0)", "ms");
  if (f.no_leader_ms >= 0)
    std::printf("      %-58s %10s\n", "the detector reports no leader",
                instant(f.no_leader_ms).c_str());
  std::printf("  (1) %-58s %10s\n", "new leader elected (the detector reports B)",
              instant(f.leader_ms).c_str());
  std::printf("  (2) %-58s %10s\n", "registry recovered (B's master/elected = 1)",
              instant(f.recovered_ms).c_str());
  std::printf("      %-58s %10s\n", "first agent re-registered with B",
              instant(f.first_agent_ms).c_str());
  char label[96];
  std::snprintf(label, sizeof label, "90%% of the agents re-registered with B (%zu/%zu)",
                f.agents_90_count, settings.agents);
  std::printf("  (3) %-58s %10s\n", label, instant(f.agents_90_ms).c_str());
  std::snprintf(label, sizeof label, "100%% of the agents re-registered with B (%zu)",
                settings.agents);
  std::printf("  (4) %-58s %10s\n", label, instant(f.agents_100_ms).c_str());
  std::printf("      %-58s %10s\n", "framework re-subscribed (SUBSCRIBED from B)",
              instant(f.subscribed_ms).c_str());
  std::printf("  (5) %-58s %10s\n", "first offer to the framework from B",
              instant(f.first_offer_ms).c_str());
  std::printf("\n");
  std::printf(
      "master RSS: A (leader) before the kill %.1f MiB; B as standby %.1f MiB; B leading "
      "afterwards %.1f MiB; B's CPU time from T0 to the last of (1)-(5) %.2f s\n",
      mib(f.a_rss_kib), mib(f.b_standby_rss_kib), mib(f.b_rss_kib), f.b_cpu_s);
  std::printf(
      "counts: tasks running on A before %s, on B after %s (staging %s, unreachable %s, lost %s; "
      "the framework sees %zu RUNNING); agents active on B %s/%zu (re-registrations %s); "
      "frameworks active on B %s\n",
      whole(f.a_tasks_running).c_str(), whole(f.b_tasks_running).c_str(),
      whole(f.b_tasks_staging).c_str(), whole(f.b_tasks_unreachable).c_str(),
      whole(f.b_tasks_lost).c_str(), f.framework_running, whole(f.b_agents_active).c_str(),
      settings.agents, whole(f.b_reregistrations).c_str(), whole(f.b_frameworks_active).c_str());
  std::printf(
      "retries: agents sent %zu REGISTER calls, %zu refused (agents refused at least once: %zu), "
      "%zu "
      "streams broke after REGISTERED; the framework sent B %zu SUBSCRIBE calls, %zu refused\n",
      f.agent_attempts, f.agent_refusals, f.agents_refused, f.agent_streams_broken,
      f.framework_attempts, f.framework_refusals);
  if (!f.agent_refusal_example.empty())
    std::printf("  an agent's refusal: %s\n", f.agent_refusal_example.c_str());
  if (!f.framework_refusal_example.empty())
    std::printf("  the framework's last refusal: %s\n", f.framework_refusal_example.c_str());
  for (const std::string& message : f.framework_messages)
    std::printf("  framework: %s\n", message.c_str());
  if (f.b_tasks_running != static_cast<double>(settings.tasks)) {
    std::printf("WARNING: B reports %s running tasks, %zu were running on A\n",
                whole(f.b_tasks_running).c_str(), settings.tasks);
  }
  std::printf(
      "load average %.1f -> %.1f (%u cores, shared by the bench, ZooKeeper and both masters)\n",
      f.load_before, f.load_after, std::thread::hardware_concurrency());
  for (const std::string& log : f.saved_logs)
    std::printf("a master's log: %s\n", log.c_str());
  std::printf(
      "\n(1) from a MasterDetector's ZooKeeper watch: A's node goes when ZooKeeper expires A's "
      "session, one session timeout (%s) after A last reached it (its client pings every third "
      "of that), at the next 500 ms tick; (2) polled every %lld ms, so up to that late; "
      "(3)-(5) when the event reached the agent or the framework. Figures only.\n",
      settings.zk_session_timeout.to_string().c_str(),
      static_cast<long long>(kMetricsPoll.count()));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  std::optional<size_t> agents, tasks;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    size_t value = 0;
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--keep_logs") {
      settings.keep_logs = true;
    } else if (cairn::bench::parse_size(kProgram, arg, "agents", &value)) {
      agents = value;
    } else if (cairn::bench::parse_size(kProgram, arg, "tasks", &value)) {
      tasks = value;
    } else if (cairn::bench::parse_size(kProgram, arg, "timeout", &value)) {
      settings.timeout_seconds = static_cast<int>(std::max<size_t>(1, value));
    } else if (cairn::bench::parse_duration(kProgram, arg, "zk_session_timeout",
                                            &settings.zk_session_timeout) ||
               cairn::bench::parse_duration(kProgram, arg, "allocation_interval",
                                            &settings.allocation_interval) ||
               cairn::bench::parse_duration(kProgram, arg, "registration_backoff_factor",
                                            &settings.registration_backoff_factor) ||
               cairn::bench::parse_duration(kProgram, arg, "framework_backoff",
                                            &settings.framework_backoff)) {
    } else if (arg == "--help" || arg == "-h") {
      std::printf(
          "Usage: failover_bench [--quick | --agents=N --tasks=T] [--zk_session_timeout=10secs]\n"
          "                      [--allocation_interval=1secs] "
          "[--registration_backoff_factor=1secs]\n"
          "                      [--framework_backoff=1secs] [--timeout=SECONDS] [--keep_logs]\n"
          "SIGKILLs the leading cairn-master (%s) of two electing through ZooKeeper and prints\n"
          "how long until a new leader, a recovered registry, re-registered agents and a first\n"
          "offer. Default 1000 agents and 10000 tasks; --quick: 100 and 1000.\n",
          CAIRN_MASTER_BINARY);
      return 0;
    } else {
      std::fprintf(stderr, "failover_bench: unknown argument '%s' (see --help)\n", arg.c_str());
      return 2;
    }
  }
  if (quick) {
    settings.agents = 100;
    settings.tasks = 1000;
  }
  if (agents) settings.agents = *agents;
  if (tasks) settings.tasks = *tasks;
  if (settings.agents == 0) {
    std::fprintf(stderr, "failover_bench: --agents must be at least 1\n");
    return 2;
  }
  // The ZooKeeper server accepts session timeouts from 2 ticks to 60 s.
  if (settings.zk_session_timeout < Duration::seconds(1) ||
      settings.zk_session_timeout > Duration::seconds(60)) {
    std::fprintf(stderr, "failover_bench: --zk_session_timeout must be from 1secs to 60secs\n");
    return 2;
  }
  if (std::string why = cairn::zk::testing::zookeeper_unavailable(); !why.empty()) {
    std::printf("failover_bench: skipped: ZooKeeper cannot run here: %s\n", why.c_str());
    return kSkipped;
  }

  cairn::bench::raise_file_limit(kProgram);
  cairn::bench::catch_interrupts();

  Result<Figures> figures = Error("not run");
  {
    Run run(settings);
    figures = run.execute();
  }  // torn down before printing
  if (!figures.ok()) {
    std::fflush(stdout);
    std::fprintf(stderr, "failover_bench: the run (%zu agents, %zu tasks) did not complete: %s\n",
                 settings.agents, settings.tasks, figures.error().c_str());
    return 1;
  }
  print_figures(settings, *figures);
  return 0;
}
