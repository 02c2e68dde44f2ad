// The agent with a real master and real cairn-executor processes: command
// tasks run, finish, fail and are killed; sandbox files are readable
// through /files; an agent restart keeps running tasks; --recover=cleanup
// kills them; with a zk:// --master the agent follows the leader elected
// in a real ZooKeeper server.
#include <gtest/gtest.h>
#include <signal.h>

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "daemons/agent/testing/agent_harness.hpp"
#include "daemons/master/testing/master_harness.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/zk/client.hpp"
#include "lib/zk/leader_election.hpp"
#include "lib/zk/testing/zk_server.hpp"
#include "lib/zk/testing/zk_test_support.hpp"

namespace cairn::agent {
namespace {

using master::testing::eventually;
using master::testing::MasterProcess;
using master::testing::RawScheduler;
using master::testing::TestClient;

nlohmann::json command_task(const std::string& id, const std::string& agent_id, const std::string& command,
                            double cpus = 0.1, double mem = 32) {
  return {{"name", id},
          {"task_id", {{"value", id}}},
          {"agent_id", {{"value", agent_id}}},
          {"resources",
           {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", cpus}}}},
            {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", mem}}}}}},
          {"command", {{"value", command}}}};
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("cairn-agent-test-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(counter_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    master_ = std::make_unique<MasterProcess>(master::testing::test_master_flags(dir_ + "/master"));
  }
  void TearDown() override {
    scheduler_.reset();
    agent_.reset();
    master_b_.reset();
    master_.reset();
    election_.reset();
    zookeeper_.reset();
    kill_leftover_executors();
    std::filesystem::remove_all(dir_);
    // The harness's --cgroups_root (cairn-test-<pid>), empty by now.
    for (const char* controller : {"cpu", "cpuacct", "memory", "freezer"}) {
      std::string root = std::string("/sys/fs/cgroup/") + controller + "/cairn-test-" + std::to_string(::getpid());
      std::error_code ec;
      for (const auto& container : std::filesystem::directory_iterator(root, ec)) {
        if (container.is_directory()) ::rmdir(container.path().c_str());
      }
      ::rmdir(root.c_str());
    }
  }
  // The executors (and their tasks) of this test: every process whose
  // environment points into this test's work dir.
  std::vector<pid_t> executor_pids() const {
    std::vector<pid_t> pids;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
      std::string name = entry.path().filename();
      if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
      Result<std::string> environ = fs::read_file(entry.path().string() + "/environ");
      if (environ.ok() && environ->find("MESOS_DIRECTORY=" + dir_) != std::string::npos) {
        pids.push_back(std::stoi(name));
      }
    }
    return pids;
  }
  // Executors left by a failed test must not outlive it.
  void kill_leftover_executors() {
    for (pid_t pid : executor_pids()) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
    }
  }
  testing::AgentProcessOptions agent_options() {
    testing::AgentProcessOptions o;
    o.master_url = master_->url();
    o.work_dir = dir_ + "/agent";
    o.executor_path = CAIRN_EXECUTOR_BINARY;
    return o;
  }
  void start_agent(testing::AgentProcessOptions o) {
    agent_ = std::make_unique<testing::AgentProcess>(o);
    ASSERT_TRUE(eventually([&] { return agent_->registered(); }));
  }
  // Subscribes a framework and waits for an offer from the agent.
  std::string subscribe() {
    scheduler_ = std::make_unique<RawScheduler>(client_, master_->url());
    EXPECT_EQ(scheduler_->subscribe({{"user", "root"}, {"name", "agent-test"}, {"failover_timeout", 60}}), 200);
    nlohmann::json offers = scheduler_->wait_for("OFFERS");
    EXPECT_FALSE(offers.is_null());
    return offers.is_null() ? "" : offers["offers"]["offers"][0]["id"]["value"].get<std::string>();
  }
  void launch(const std::string& offer_id, const nlohmann::json& task) {
    http::Response r = scheduler_->call({{"type", "ACCEPT"},
                                         {"accept",
                                          {{"offer_ids", {{{"value", offer_id}}}},
                                           {"operations", {{{"type", "LAUNCH"}, {"launch", {{"task_infos", {task}}}}}}},
                                           {"filters", {{"refuse_seconds", 0}}}}}});
    EXPECT_EQ(r.status, 202) << r.body;
  }
  // Waits for an update of `task_id` in `state` (acknowledging everything).
  nlohmann::json wait_state(const std::string& task_id, const std::string& state,
                            Duration timeout = Duration::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + timeout.chrono();
    while (std::chrono::steady_clock::now() < deadline) {
      nlohmann::json update = scheduler_->wait_for("UPDATE", Duration::seconds(1));
      if (update.is_null()) continue;
      const nlohmann::json& status = update["update"]["status"];
      if (status.contains("uuid")) {
        scheduler_->call({{"type", "ACKNOWLEDGE"},
                          {"acknowledge",
                           {{"agent_id", status["agent_id"]}, {"task_id", status["task_id"]}, {"uuid", status["uuid"]}}}});
      }
      if (std::getenv("CAIRN_TEST_DEBUG")) std::cerr << "UPDATE " << status.dump() << "\n";
      if (status["task_id"]["value"] == task_id && status["state"] == state) return status;
    }
    return {};
  }
  nlohmann::json agent_state() { return nlohmann::json::parse(client_.get(agent_->url() + "/state").body); }
  std::string sandbox_of(const std::string& executor_id) {
    const nlohmann::json state = agent_state();  // kept alive: the loop refers into it
    for (const auto& f : state["frameworks"]) {
      for (const auto* key : {"executors", "completed_executors"}) {
        for (const auto& e : f[key]) {
          if (e["id"] == executor_id) return e["directory"];
        }
      }
    }
    return "";
  }

  // Election nodes written by hand, as masters started with --zk write them.
  class Election {
   public:
    Election(const std::string& servers, std::string path) : path_(std::move(path)) {
      loop_.start_thread();
      loop_.call([&] {
        client_ = std::make_unique<zk::Client>(
            loop_, zk::ClientOptions{servers, Duration::seconds(10), std::nullopt},
            [](zk::SessionEvent) {});
      });
      EXPECT_TRUE(zk::testing::wait_until(
          [&] { return loop_.call([&] { return client_->connected(); }); }));
      auto parents = zk::testing::await_reply<zk::Nothing>(
          loop_, [&](auto done) { client_->create_parents(path_, done); });
      EXPECT_TRUE(parents.ok()) << parents.error;
    }
    ~Election() {
      loop_.call([&] { client_.reset(); });
      loop_.stop();
      loop_.join();
    }
    // A contender holding `master_info`; returns its node.
    std::string add(const nlohmann::json& master_info) {
      auto created = zk::testing::await_reply<std::string>(loop_, [&](auto done) {
        client_->create(path_ + "/" + zk::kLeaderLabel, master_info.dump(),
                        zk::CreateMode::kEphemeralSequential, done);
      });
      EXPECT_TRUE(created.ok()) << created.error;
      return created.value;
    }
    void remove(const std::string& node) {
      auto removed = zk::testing::await_reply<zk::Nothing>(
          loop_, [&](auto done) { client_->remove(node, -1, done); });
      EXPECT_TRUE(removed.ok()) << removed.error;
    }

   private:
    std::string path_;
    EventLoop loop_;
    std::unique_ptr<zk::Client> client_;  // loop-owned
  };

  static nlohmann::json master_info_of(MasterProcess& master) {
    return master.loop().call([&] { return master.master().master_info(); });
  }
  // Whether `master` lists the agent as active in /master/slaves.
  bool active_in(MasterProcess& master, const std::string& agent_id) {
    http::Response slaves = client_.get(master.url() + "/master/slaves");
    if (slaves.status != 200) return false;
    const nlohmann::json listed = nlohmann::json::parse(slaves.body);  // the loop refers into it
    for (const auto& agent : listed["slaves"]) {
      if (agent["id"] == agent_id) return agent.value("active", false);
    }
    return false;
  }

  static inline int counter_ = 0;
  std::string dir_;
  TestClient client_;
  std::unique_ptr<zk::testing::ZooKeeperServer> zookeeper_;
  std::unique_ptr<Election> election_;
  std::unique_ptr<MasterProcess> master_;
  std::unique_ptr<MasterProcess> master_b_;
  std::unique_ptr<testing::AgentProcess> agent_;
  std::unique_ptr<RawScheduler> scheduler_;
};

TEST_F(AgentTest, CommandTaskFinishesWithOutputInTheSandbox) {
  start_agent(agent_options());
  std::string offer = subscribe();
  launch(offer, command_task("hello", *agent_->agent_id(), "echo hello-from-cairn; echo to-stderr >&2"));
  EXPECT_FALSE(wait_state("hello", "TASK_RUNNING").is_null());
  nlohmann::json finished = wait_state("hello", "TASK_FINISHED");
  ASSERT_FALSE(finished.is_null());

  std::string sandbox = sandbox_of("hello");
  ASSERT_FALSE(sandbox.empty());
  http::Response read = client_.get(agent_->url() + "/files/read?path=" + sandbox + "/stdout&offset=0");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_NE(nlohmann::json::parse(read.body)["data"].get<std::string>().find("hello-from-cairn"), std::string::npos);
  http::Response size = client_.get(agent_->url() + "/files/read?path=" + sandbox + "/stderr&offset=-1");
  EXPECT_GT(nlohmann::json::parse(size.body)["offset"].get<int>(), 0);
  http::Response browse = client_.get(agent_->url() + "/files/browse?path=" + sandbox);
  EXPECT_NE(browse.body.find("stdout"), std::string::npos);
  EXPECT_EQ(client_.get(agent_->url() + "/files/read?path=/etc/passwd").status, 403);
  http::Response escape = client_.get(agent_->url() + "/files/read?path=" + sandbox + "/../../../../../../../../../../../../etc/passwd");
  EXPECT_EQ(escape.status, 403) << escape.body;
  EXPECT_EQ(client_.get(agent_->url() + "/files/read?path=" + sandbox + "/nope").status, 404);
  EXPECT_EQ(client_.get(agent_->url() + "/files/read?path=" + sandbox + "/stdout&offset=x").status, 400);
  // The latest link points at this run.
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(sandbox).parent_path() / "latest" / "stdout"));
}

TEST_F(AgentTest, FailingAndKilledTasks) {
  start_agent(agent_options());
  std::string offer = subscribe();
  launch(offer, command_task("fails", *agent_->agent_id(), "exit 3"));
  nlohmann::json failed = wait_state("fails", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null());
  EXPECT_NE(failed.value("message", "").find("3"), std::string::npos) << failed.dump();

  nlohmann::json offers = scheduler_->wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  launch(offers["offers"]["offers"][0]["id"]["value"], command_task("sleeper", *agent_->agent_id(), "sleep 1000"));
  ASSERT_FALSE(wait_state("sleeper", "TASK_RUNNING").is_null());
  scheduler_->call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "sleeper"}}}}}});
  EXPECT_FALSE(wait_state("sleeper", "TASK_KILLED").is_null());
}

TEST_F(AgentTest, AMachineTakenDownForMaintenanceKillsItsTasksUntilItIsUp) {
  start_agent(agent_options());
  launch(subscribe(), command_task("sleeper", *agent_->agent_id(), "sleep 1000"));
  ASSERT_FALSE(wait_state("sleeper", "TASK_RUNNING").is_null());
  ASSERT_FALSE(executor_pids().empty());

  // The machine as the agent announced it.
  const nlohmann::json slaves =
      nlohmann::json::parse(client_.get(master_->url() + "/master/slaves").body);
  const std::string pid = slaves["slaves"][0]["pid"];  // slave(1)@ip:port
  const std::string ip = pid.substr(pid.find('@') + 1, pid.rfind(':') - pid.find('@') - 1);
  const nlohmann::json machine{{"hostname", slaves["slaves"][0]["hostname"]}, {"ip", ip}};
  auto post = [&](const std::string& path, const nlohmann::json& body) {
    return client_.post_json(master_->url() + path, body).status;
  };
  ASSERT_EQ(post("/master/maintenance/schedule",
                 {{"windows",
                   {{{"machine_ids", {machine}},
                     {"unavailability", {{"start", {{"nanoseconds", 0}}}}}}}}}),
            200);
  ASSERT_EQ(post("/master/machine/down", nlohmann::json::array({machine})), 200);

  // The framework hears its task is lost; the agent kills the executor for
  // real and is refused while the machine is down.
  EXPECT_FALSE(wait_state("sleeper", "TASK_LOST").is_null());
  EXPECT_TRUE(eventually([&] { return executor_pids().empty(); }, Duration::seconds(30)));
  EXPECT_TRUE(eventually([&] { return !agent_->registered(); }));

  ASSERT_EQ(post("/master/machine/up", nlohmann::json::array({machine})), 200);
  EXPECT_TRUE(eventually([&] { return agent_->registered(); }, Duration::seconds(60)));
}

TEST_F(AgentTest, AgentRestartKeepsRunningTasks) {
  testing::AgentProcessOptions options = agent_options();
  start_agent(options);
  std::string agent_id = *agent_->agent_id();
  options.port = agent_->port();
  std::string offer = subscribe();
  launch(offer, command_task("survivor", agent_id, "sleep 1000"));
  ASSERT_FALSE(wait_state("survivor", "TASK_RUNNING").is_null());

  agent_.reset();  // the agent goes away; the executor keeps the task running
  agent_ = std::make_unique<testing::AgentProcess>(options);
  ASSERT_TRUE(eventually([&] { return agent_->registered(); }));
  EXPECT_EQ(*agent_->agent_id(), agent_id);
  EXPECT_TRUE(eventually([&] {
    const nlohmann::json state = agent_state();
    for (const auto& f : state["frameworks"]) {
      for (const auto& e : f["executors"]) {
        if (e["id"] == "survivor" && e["state"] == "RUNNING") return true;
      }
    }
    return false;
  }));
  scheduler_->call({{"type", "RECONCILE"}, {"reconcile", {{"tasks", {{{"task_id", {{"value", "survivor"}}}}}}}}});
  EXPECT_FALSE(wait_state("survivor", "TASK_RUNNING").is_null());
  // The reconnected executor still takes orders.
  scheduler_->call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "survivor"}}}}}});
  EXPECT_FALSE(wait_state("survivor", "TASK_KILLED").is_null());
}

TEST_F(AgentTest, RecoverCleanupKillsTasks) {
  testing::AgentProcessOptions options = agent_options();
  start_agent(options);
  options.port = agent_->port();
  std::string offer = subscribe();
  launch(offer, command_task("doomed", *agent_->agent_id(), "sleep 1000"));
  ASSERT_FALSE(wait_state("doomed", "TASK_RUNNING").is_null());
  agent_.reset();
  options.recover = "cleanup";
  agent_ = std::make_unique<testing::AgentProcess>(options);
  nlohmann::json killed = wait_state("doomed", "TASK_KILLED");
  ASSERT_FALSE(killed.is_null());
  EXPECT_EQ(killed["reason"], "REASON_AGENT_RECOVERY_CLEANUP");
}


TEST_F(AgentTest, FetchesUrisIntoTheSandboxBeforeTheTaskStarts) {
  start_agent(agent_options());
  std::string script = dir_ + "/hello.sh";
  ASSERT_TRUE(fs::write_file_atomically(script, "#!/bin/sh\necho fetched-and-ran\n").ok());
  std::string offer = subscribe();
  nlohmann::json task = command_task("fetching", *agent_->agent_id(), "./hello.sh");
  task["command"]["uris"] = {{{"value", script}, {"executable", true}}};
  launch(offer, task);
  ASSERT_FALSE(wait_state("fetching", "TASK_FINISHED").is_null());
  std::string sandbox = sandbox_of("fetching");
  Result<std::string> out = fs::read_file(sandbox + "/stdout");
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find("fetched-and-ran"), std::string::npos);

  // A URI that cannot be fetched fails the task with the reason.
  nlohmann::json offers = scheduler_->wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  nlohmann::json broken = command_task("unfetchable", *agent_->agent_id(), "true");
  broken["command"]["uris"] = {{{"value", dir_ + "/does-not-exist.tgz"}}};
  launch(offers["offers"]["offers"][0]["id"]["value"], broken);
  nlohmann::json failed = wait_state("unfetchable", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["reason"], "REASON_CONTAINER_LAUNCH_FAILED");
  EXPECT_NE(failed["message"].get<std::string>().find("does-not-exist"), std::string::npos) << failed.dump();
}

TEST_F(AgentTest, FollowsTheLeadingMasterElectedInZooKeeper) {
  if (std::string why = zk::testing::zookeeper_unavailable(); !why.empty()) GTEST_SKIP() << why;
  zookeeper_ = std::make_unique<zk::testing::ZooKeeperServer>(dir_ + "/zookeeper");
  Status started = zookeeper_->start();
  ASSERT_TRUE(started.ok()) << started.error();
  election_ = std::make_unique<Election>(zookeeper_->connect_string(), "/cairn/masters");
  std::string node_a = election_->add(master_info_of(*master_));

  testing::AgentProcessOptions options = agent_options();
  options.master_url = "zk://" + zookeeper_->connect_string() + "/cairn/masters";
  start_agent(options);
  std::string agent_id = *agent_->agent_id();
  EXPECT_TRUE(eventually([&] { return active_in(*master_, agent_id); }));

  std::string offer = subscribe();
  std::string framework_id = scheduler_->framework_id();
  launch(offer, command_task("steady", agent_id, "sleep 1000"));
  ASSERT_FALSE(wait_state("steady", "TASK_RUNNING").is_null());

  // Master B joins the election behind A; A's node goes (its session ended):
  // B leads, and the agent re-registers there under the same id, with its task.
  master_b_ =
      std::make_unique<MasterProcess>(master::testing::test_master_flags(dir_ + "/master-b"));
  election_->add(master_info_of(*master_b_));
  election_->remove(node_a);
  EXPECT_TRUE(eventually([&] { return active_in(*master_b_, agent_id); }, Duration::seconds(20)));
  EXPECT_EQ(agent_->agent_id(), agent_id);
  EXPECT_TRUE(agent_->registered());
  // It left A: A saw its stream end.
  EXPECT_TRUE(eventually([&] { return !active_in(*master_, agent_id); }));
  EXPECT_NE(client_.get(master_b_->url() + "/master/state").body.find("\"steady\""),
            std::string::npos);

  // The framework fails over to B; the kill goes through B, and the task's
  // updates come back through B (the agent sends them to the leader).
  scheduler_ = std::make_unique<RawScheduler>(client_, master_b_->url());
  ASSERT_EQ(scheduler_->subscribe({{"id", {{"value", framework_id}}},
                                   {"user", "root"},
                                   {"name", "agent-test"},
                                   {"failover_timeout", 60}}),
            200);
  ASSERT_FALSE(scheduler_->wait_for("SUBSCRIBED").is_null());
  http::Response kill =
      scheduler_->call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "steady"}}}}}});
  EXPECT_EQ(kill.status, 202) << kill.body;
  EXPECT_FALSE(wait_state("steady", "TASK_KILLED").is_null());

  // No leader at all: the agent waits (unregistered) until one is elected.
  election_.reset();  // its session ends, and B's node with it
  EXPECT_TRUE(eventually([&] { return !agent_->registered(); }, Duration::seconds(20)));
  election_ = std::make_unique<Election>(zookeeper_->connect_string(), "/cairn/masters");
  election_->add(master_info_of(*master_b_));
  EXPECT_TRUE(eventually([&] { return agent_->registered(); }, Duration::seconds(20)));
  EXPECT_EQ(agent_->agent_id(), agent_id);
}

// cgroups isolation needs root and the cgroup v1/v2 controllers.
bool cgroups_usable() { return ::geteuid() == 0 && std::filesystem::exists("/sys/fs/cgroup/memory/cgroup.procs"); }

TEST_F(AgentTest, MemoryLimitKillsTheTaskAndSaysWhy) {
  if (!cgroups_usable()) GTEST_SKIP() << "needs root and the cgroup memory controller";
  testing::AgentProcessOptions options = agent_options();
  options.isolation = "cgroups/cpu,cgroups/mem";
  start_agent(options);
  std::string offer = subscribe();
  launch(offer, command_task("hog", *agent_->agent_id(),
                             "python3 -c 'import time; b = bytearray(400 * 1024 * 1024); time.sleep(60)'", 0.5, 64));
  nlohmann::json failed = wait_state("hog", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["reason"], "REASON_CONTAINER_LIMITATION_MEMORY") << failed.dump();
  EXPECT_EQ(failed["source"], "SOURCE_AGENT");
}

TEST_F(AgentTest, CpuBoundTaskIsThrottledToItsShare) {
  if (!cgroups_usable()) GTEST_SKIP() << "needs root and the cgroup cpu controller";
  testing::AgentProcessOptions options = agent_options();
  options.isolation = "cgroups/cpu,cgroups/mem";
  start_agent(options);
  std::string offer = subscribe();
  launch(offer, command_task("spinner", *agent_->agent_id(), "while :; do :; done", 0.2, 32));
  ASSERT_FALSE(wait_state("spinner", "TASK_RUNNING").is_null());
  auto sample = [&]() -> nlohmann::json {
    nlohmann::json stats = nlohmann::json::parse(client_.get(agent_->url() + "/monitor/statistics").body);
    for (const auto& s : stats) {
      if (s["executor_id"] == "spinner") return s["statistics"];
    }
    return {};
  };
  nlohmann::json first = sample();
  ASSERT_FALSE(first.is_null());
  EXPECT_DOUBLE_EQ(first["cpus_limit"].get<double>(), 0.2);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  nlohmann::json second = sample();
  ASSERT_FALSE(second.is_null());
  double used = second["cpus_user_time_secs"].get<double>() + second["cpus_system_time_secs"].get<double>() -
                first["cpus_user_time_secs"].get<double>() - first["cpus_system_time_secs"].get<double>();
  double wall = second["timestamp"].get<double>() - first["timestamp"].get<double>();
  // Held to about 0.2 of a CPU; an unthrottled loop would use about 1.0.
  EXPECT_LT(used / wall, 0.6) << "used " << used << " s of CPU in " << wall << " s";
  EXPECT_GT(second["cpus_nr_throttled"].get<double>(), 0);
  EXPECT_GT(second["mem_limit_bytes"].get<double>(), 32.0 * 1024 * 1024);
  scheduler_->call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "spinner"}}}}}});
  EXPECT_FALSE(wait_state("spinner", "TASK_KILLED").is_null());
}


TEST_F(AgentTest, PrivateTmpAndPidNamespace) {
  if (!cgroups_usable()) GTEST_SKIP() << "needs root";
  testing::AgentProcessOptions options = agent_options();
  options.isolation = "cgroups/cpu,cgroups/mem,filesystem/shared,namespaces/pid";
  // A private /tmp hides anything under /tmp: the work dir must live elsewhere.
  std::string work_dir = "/var/tmp/cairn-agent-test-" + std::to_string(::getpid());
  options.work_dir = work_dir;
  // The agent stops first: it may still be checkpointing into work_dir.
  struct Cleanup {
    std::string dir;
    std::unique_ptr<testing::AgentProcess>& agent;
    ~Cleanup() {
      agent.reset();
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{work_dir, agent_};
  start_agent(options);
  std::string marker = "cairn-private-tmp-" + std::to_string(::getpid());
  std::string offer = subscribe();
  launch(offer, command_task("isolated", *agent_->agent_id(),
                             "echo pid=$$; touch /tmp/" + marker + "; ls /proc | grep -c '^[0-9]'"));
  ASSERT_FALSE(wait_state("isolated", "TASK_FINISHED").is_null());
  std::string sandbox = sandbox_of("isolated");
  Result<std::string> out = fs::read_file(sandbox + "/stdout");
  ASSERT_TRUE(out.ok());
  // In its own PID namespace the task sees only a handful of processes.
  size_t pid_at = out->find("pid=");
  ASSERT_NE(pid_at, std::string::npos) << *out;
  EXPECT_LT(std::stoi(out->substr(pid_at + 4)), 100) << *out;
  std::string count = out->substr(out->find('\n', pid_at) + 1);
  EXPECT_LT(std::stoi(count), 10) << *out;
  // Its /tmp was the sandbox's.
  EXPECT_TRUE(std::filesystem::exists(sandbox + "/tmp/" + marker));
  EXPECT_FALSE(std::filesystem::exists("/tmp/" + marker));
}

}  // namespace
}  // namespace cairn::agent
