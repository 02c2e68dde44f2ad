// `cairn maintenance` as an operator runs it: the real binary against a real
// master (in this process) with a simulated agent on the drained machine.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "daemons/master/testing/master_harness.hpp"
#include "daemons/master/testing/simulated_agent.hpp"

namespace cairn::cli {
namespace {

using master::testing::eventually;
using master::testing::MasterProcess;
using master::testing::SimulatedAgent;
using master::testing::SimulatedAgentOptions;
using master::testing::TestClient;

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class MaintenanceCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("cairn-cli-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    master_ = std::make_unique<MasterProcess>(master::testing::test_master_flags(dir_.string()));
    SimulatedAgentOptions options;
    options.master = master_->url();
    options.hostname = "node1";
    agent_ = std::make_unique<SimulatedAgent>(client_.loop(), options);
    client_.loop().call([&] { agent_->start(); });
    ASSERT_TRUE(eventually([&] { return agent_->registered(); }));
  }
  void TearDown() override {
    agent_.reset();
    master_.reset();
    std::filesystem::remove_all(dir_);
  }

  CliRun cairn(const std::string& arguments) {
    const std::string command = std::string(CAIRN_CLI_BINARY) + " maintenance --master=127.0.0.1:" +
                                std::to_string(master_->port()) + " " + arguments + " 2>&1";
    CliRun run;
    FILE* out = ::popen(command.c_str(), "r");
    if (out == nullptr) return run;
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof(buffer), out)) > 0) run.output.append(buffer, n);
    const int status = ::pclose(out);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }

  std::filesystem::path dir_;
  TestClient client_;
  std::unique_ptr<MasterProcess> master_;
  std::unique_ptr<SimulatedAgent> agent_;
};

TEST_F(MaintenanceCommandTest, DrainDownAndUpAMachine) {
  CliRun status = cairn("status");
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_EQ(status.output.find("node1"), std::string::npos) << status.output;

  CliRun drained = cairn("drain node1/127.0.0.1 --duration=2hrs");
  ASSERT_EQ(drained.exit_code, 0) << drained.output;
  status = cairn("");  // status is the default
  EXPECT_NE(status.output.find("node1/127.0.0.1"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("DRAINING"), std::string::npos) << status.output;
  CliRun schedule = cairn("schedule");
  ASSERT_EQ(schedule.exit_code, 0) << schedule.output;
  nlohmann::json json = nlohmann::json::parse(schedule.output, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << schedule.output;
  EXPECT_EQ(json["windows"][0]["unavailability"]["duration"]["nanoseconds"], 7'200'000'000'000LL);

  // The master's refusals reach the operator with exit code 2.
  CliRun unknown = cairn("down node9");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("not in the maintenance schedule"), std::string::npos)
      << unknown.output;

  CliRun down = cairn("down node1/127.0.0.1");
  ASSERT_EQ(down.exit_code, 0) << down.output;
  EXPECT_NE(cairn("status").output.find("DOWN"), std::string::npos);
  EXPECT_TRUE(eventually([&] {
    for (const nlohmann::json& event : agent_->events()) {
      if (event.value("type", "") == "SHUTDOWN") return true;
    }
    return false;
  }));

  // A saved schedule that leaves a DOWN machine out is refused.
  const std::string file = (dir_ / "empty.json").string();
  std::ofstream(file) << "{}";
  CliRun replaced = cairn("schedule --file=" + file);
  EXPECT_EQ(replaced.exit_code, 2);
  EXPECT_NE(replaced.output.find("is DOWN and must stay in the schedule"), std::string::npos)
      << replaced.output;

  CliRun up = cairn("up node1/127.0.0.1");
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(cairn("status").output.find("node1"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(cairn("schedule").output), nlohmann::json::object());
}

}  // namespace
}  // namespace cairn::cli
