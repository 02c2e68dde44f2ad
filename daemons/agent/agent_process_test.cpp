// The cairn-agent binary killed with SIGKILL and started again: a running
// task keeps running, and an update its executor produced while the agent
// was dead is delivered after recovery.
#include <gtest/gtest.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "daemons/master/testing/master_harness.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/process/launch.hpp"

namespace cairn::agent {
namespace {

using master::testing::eventually;

class AgentBinary {
 public:
  AgentBinary(std::string master_url, std::string work_dir, uint16_t port)
      : master_(std::move(master_url)), work_dir_(std::move(work_dir)), port_(port) {}
  ~AgentBinary() { kill(SIGKILL); }
  bool start() {
    std::map<std::string, std::string> env{{"PATH", "/usr/bin:/bin"}};
    process::ProcessSpec spec{{CAIRN_AGENT_BINARY, "--master=" + master_, "--work_dir=" + work_dir_,
                               "--ip=127.0.0.1", "--port=" + std::to_string(port_),
                               "--resources=cpus:2;mem:1024;disk:1024;ports:[31000-31100]",
                               "--executor_registration_timeout=30secs", "--registration_backoff_factor=100ms"},
                              env, work_dir_, work_dir_ + "/agent.log", work_dir_ + "/agent.log"};
    Result<pid_t> pid = process::launch_process(spec);
    if (!pid.ok()) return false;
    pid_ = *pid;
    return true;
  }
  void kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::string master_, work_dir_;
  uint16_t port_;
  pid_t pid_ = -1;
};

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(AgentProcessTest, SigkillAndRestartKeepsTasksAndDeliversUpdates) {
  std::string dir = std::filesystem::temp_directory_path() / ("cairn-agent-process-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/agent");
  master::testing::MasterProcess master(master::testing::test_master_flags(dir + "/master"));
  master::testing::TestClient client;
  AgentBinary agent(master.url(), dir + "/agent", free_port());
  ASSERT_TRUE(agent.start());
  ASSERT_TRUE(eventually([&] {
    nlohmann::json m = nlohmann::json::parse(client.get(master.url() + "/metrics/snapshot").body);
    return m["master/slaves_active"] == 1.0;
  }));

  master::testing::RawScheduler scheduler(client, master.url());
  ASSERT_EQ(scheduler.subscribe({{"user", "root"}, {"name", "restart"}, {"failover_timeout", 300}}), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  const nlohmann::json& offer = offers["offers"]["offers"][0];
  auto task = [&](const std::string& id, const std::string& command) {
    return nlohmann::json{{"name", id},
                          {"task_id", {{"value", id}}},
                          {"agent_id", offer["agent_id"]},
                          {"resources", {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 0.1}}}}}},
                          {"command", {{"value", command}}}};
  };
  scheduler.call({{"type", "ACCEPT"},
                  {"accept",
                   {{"offer_ids", {offer["id"]}},
                    {"operations",
                     {{{"type", "LAUNCH"},
                       {"launch", {{"task_infos", {task("long", "sleep 1000"), task("short", "sleep 4")}}}}}}}}}});
  std::map<std::string, std::string> states;
  // Answers to RECONCILE only: re-sent unacknowledged updates (an ack lost
  // with the killed agent) may arrive in between.
  std::map<std::string, std::string> reconciled;
  auto pump = [&](Duration timeout) {
    nlohmann::json update = scheduler.wait_for("UPDATE", timeout);
    if (update.is_null()) return;
    const nlohmann::json& status = update["update"]["status"];
    states[status["task_id"]["value"]] = status["state"];
    if (status.value("reason", "") == "REASON_RECONCILIATION") reconciled[status["task_id"]["value"]] = status["state"];
    if (status.contains("uuid")) {
      scheduler.call({{"type", "ACKNOWLEDGE"},
                      {"acknowledge",
                       {{"agent_id", status["agent_id"]}, {"task_id", status["task_id"]}, {"uuid", status["uuid"]}}}});
    }
  };
  for (int i = 0; i < 50 && !(states["long"] == "TASK_RUNNING" && states["short"] == "TASK_RUNNING"); ++i) {
    pump(Duration::seconds(1));
  }
  ASSERT_EQ(states["long"], "TASK_RUNNING");
  ASSERT_EQ(states["short"], "TASK_RUNNING");

  // The agent dies hard; "short" finishes while it is gone.
  agent.kill(SIGKILL);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  ASSERT_TRUE(agent.start());
  for (int i = 0; i < 60 && states["short"] != "TASK_FINISHED"; ++i) pump(Duration::seconds(1));
  EXPECT_EQ(states["short"], "TASK_FINISHED");

  scheduler.call({{"type", "RECONCILE"}, {"reconcile", {{"tasks", {{{"task_id", {{"value", "long"}}}}}}}}});
  for (int i = 0; i < 20 && reconciled["long"].empty(); ++i) pump(Duration::seconds(1));
  EXPECT_EQ(reconciled["long"], "TASK_RUNNING");

  // Clean up through the cluster: the framework's teardown kills "long".
  scheduler.call({{"type", "TEARDOWN"}});
  std::this_thread::sleep_for(std::chrono::seconds(3));
  agent.kill(SIGTERM);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    Result<std::string> environ = fs::read_file(entry.path().string() + "/environ");
    if (environ.ok() && environ->find("MESOS_DIRECTORY=" + dir) != std::string::npos) ::kill(std::stoi(name), SIGKILL);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cairn::agent
