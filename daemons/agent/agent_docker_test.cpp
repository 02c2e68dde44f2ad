// Tasks in Docker containers through a real, private dockerd (lib/docker's
// TestEngine) and the agent's docker support: output in the sandbox, exit
// codes, kills, and memory limits.
#include <gtest/gtest.h>

#include <filesystem>

#include "daemons/agent/testing/agent_harness.hpp"
#include "daemons/master/testing/master_harness.hpp"
#include "lib/docker/testing/test_engine.hpp"
#include "lib/fs/atomic_file.hpp"

namespace cairn::agent {
namespace {

using master::testing::eventually;

class AgentDockerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = new docker::testing::TestEngine;
    engine_->start();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  void SetUp() override {
    if (!engine_->skip_reason().empty()) GTEST_SKIP() << engine_->skip_reason();
    ASSERT_TRUE(engine_->failure().empty()) << engine_->failure();
    dir_ = std::filesystem::temp_directory_path() / ("cairn-agent-docker-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    master_ = std::make_unique<master::testing::MasterProcess>(master::testing::test_master_flags(dir_ + "/master"));
    testing::AgentProcessOptions options;
    options.master_url = master_->url();
    options.work_dir = dir_ + "/agent";
    options.executor_path = "/nonexistent";  // Docker tasks need no executor
    options.containerizers = "mesos,docker";
    options.docker_socket = engine_->socket_path();
    agent_ = std::make_unique<testing::AgentProcess>(options);
    ASSERT_TRUE(eventually([&] { return agent_->registered(); }));
    scheduler_ = std::make_unique<master::testing::RawScheduler>(client_, master_->url());
    ASSERT_EQ(scheduler_->subscribe({{"user", "root"}, {"name", "docker-test"}}), 200);
  }
  void TearDown() override {
    scheduler_.reset();
    agent_.reset();
    master_.reset();
    std::filesystem::remove_all(dir_);
  }
  void launch(const std::string& id, const std::string& command, double mem = 64) {
    nlohmann::json offers = scheduler_->wait_for("OFFERS");
    ASSERT_FALSE(offers.is_null());
    const nlohmann::json& offer = offers["offers"]["offers"][0];
    nlohmann::json task{
        {"name", id},
        {"task_id", {{"value", id}}},
        {"agent_id", offer["agent_id"]},
        {"resources",
         {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 0.2}}}},
          {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", mem}}}}}},
        {"command", {{"value", command}}},
        {"container", {{"type", "DOCKER"}, {"docker", {{"image", docker::testing::kTestImage}, {"network", "NONE"}}}}}};
    http::Response r = scheduler_->call({{"type", "ACCEPT"},
                                         {"accept",
                                          {{"offer_ids", {offer["id"]}},
                                           {"operations", {{{"type", "LAUNCH"}, {"launch", {{"task_infos", {task}}}}}}},
                                           {"filters", {{"refuse_seconds", 0}}}}}});
    ASSERT_EQ(r.status, 202) << r.body;
  }
  nlohmann::json wait_state(const std::string& id, const std::string& state) {
    for (int i = 0; i < 60; ++i) {
      nlohmann::json update = scheduler_->wait_for("UPDATE", Duration::seconds(1));
      if (update.is_null()) continue;
      const nlohmann::json& status = update["update"]["status"];
      if (status.contains("uuid")) {
        scheduler_->call({{"type", "ACKNOWLEDGE"},
                          {"acknowledge",
                           {{"agent_id", status["agent_id"]}, {"task_id", status["task_id"]}, {"uuid", status["uuid"]}}}});
      }
      if (status["task_id"]["value"] == id && status["state"] == state) return status;
    }
    return {};
  }
  std::string sandbox_of(const std::string& id) {
    const nlohmann::json state = nlohmann::json::parse(client_.get(agent_->url() + "/state").body);
    for (const auto& f : state["frameworks"]) {
      for (const char* key : {"executors", "completed_executors"}) {
        for (const auto& e : f[key]) {
          if (e["id"] == id) return e["directory"];
        }
      }
    }
    return "";
  }

  static inline docker::testing::TestEngine* engine_ = nullptr;
  static inline int counter_ = 0;
  std::string dir_;
  master::testing::TestClient client_;
  std::unique_ptr<master::testing::MasterProcess> master_;
  std::unique_ptr<testing::AgentProcess> agent_;
  std::unique_ptr<master::testing::RawScheduler> scheduler_;
};

TEST_F(AgentDockerTest, RunsATaskInAContainerWithItsOutputInTheSandbox) {
  launch("docker-hello", "echo hello-from-docker; echo sandbox=$MESOS_SANDBOX; exit 0");
  EXPECT_FALSE(wait_state("docker-hello", "TASK_RUNNING").is_null());
  ASSERT_FALSE(wait_state("docker-hello", "TASK_FINISHED").is_null());
  std::string sandbox = sandbox_of("docker-hello");
  ASSERT_FALSE(sandbox.empty());
  EXPECT_TRUE(eventually([&] {
    Result<std::string> out = fs::read_file(sandbox + "/stdout");
    return out.ok() && out->find("hello-from-docker") != std::string::npos &&
           out->find("sandbox=/mnt/mesos/sandbox") != std::string::npos;
  }));
}

TEST_F(AgentDockerTest, ExitCodesKillsAndMemoryLimits) {
  launch("docker-fails", "exit 3");
  nlohmann::json failed = wait_state("docker-fails", "TASK_FAILED");
  ASSERT_FALSE(failed.is_null());
  EXPECT_NE(failed["message"].get<std::string>().find("3"), std::string::npos);

  launch("docker-sleeps", "sleep 1000");
  ASSERT_FALSE(wait_state("docker-sleeps", "TASK_RUNNING").is_null());
  scheduler_->call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "docker-sleeps"}}}}}});
  EXPECT_FALSE(wait_state("docker-sleeps", "TASK_KILLED").is_null());

  launch("docker-hog", R"(x=$(head -c 200000000 /dev/zero | tr "\0" a); echo ${#x})", 32);
  nlohmann::json oom = wait_state("docker-hog", "TASK_FAILED");
  ASSERT_FALSE(oom.is_null());
  EXPECT_EQ(oom["reason"], "REASON_CONTAINER_LIMITATION_MEMORY") << oom.dump();
}

}  // namespace
}  // namespace cairn::agent
