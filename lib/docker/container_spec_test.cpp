#include "lib/docker/container_spec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cairn::docker {
namespace {

using Json = nlohmann::json;

ContainerSpec full_spec() {
  ContainerSpec spec;
  spec.name = mesos_container_name("0d6c7a3e-1f");
  spec.image = "debian:12";
  spec.command = {"/usr/bin/server", "--port", "8080"};
  spec.entrypoint = std::vector<std::string>{};
  spec.environment = {{"MESOS_SANDBOX", "/mnt/mesos/sandbox"}, {"EMPTY", ""}};
  spec.labels = {{"cairn.framework_id", "f1"}, {"cairn.task_id", "t1"}};
  spec.working_dir = "/srv";
  spec.user = "1000:1000";
  spec.hostname = "task-1";
  spec.sandbox_dir = "/var/lib/cairn/slaves/s1/frameworks/f1/executors/e1/runs/c1";
  spec.mounts = {{"/etc/ssl/certs", "/etc/ssl/certs", true}};
  spec.network_mode = "bridge";
  spec.ports = {{8080, "tcp", 31000, ""}, {8080, "tcp", 31001, "127.0.0.1"}, {53, "udp", 0, ""}};
  spec.memory_limit = Bytes(128 * Bytes::MB);
  spec.cpu_shares = 512;
  spec.cpu_period = Duration::milliseconds(100);
  spec.cpu_quota = Duration::milliseconds(50);
  spec.privileged = true;
  return spec;
}

TEST(ContainerSpec, NamesContainersTheMesosWay) {
  EXPECT_EQ(mesos_container_name("abc-123"), "mesos-abc-123");
}

TEST(ContainerSpec, BuildsTheCreateBody) {
  Json body = Json::parse(create_container_body(full_spec()));
  EXPECT_EQ(body["Image"], "debian:12");
  EXPECT_EQ(body["Cmd"], Json::array({"/usr/bin/server", "--port", "8080"}));
  EXPECT_EQ(body["Entrypoint"], Json::array());
  EXPECT_EQ(body["Env"], Json::array({"EMPTY=", "MESOS_SANDBOX=/mnt/mesos/sandbox"}));
  EXPECT_EQ(body["Labels"]["cairn.task_id"], "t1");
  EXPECT_EQ(body["WorkingDir"], "/srv");
  EXPECT_EQ(body["User"], "1000:1000");
  EXPECT_EQ(body["Hostname"], "task-1");
  EXPECT_EQ(body["Tty"], false);
  EXPECT_EQ(body["OpenStdin"], false);
  EXPECT_EQ(body["ExposedPorts"], Json::parse(R"({"8080/tcp": {}, "53/udp": {}})"));

  const Json& host = body["HostConfig"];
  EXPECT_EQ(host["Mounts"], Json::parse(R"([
    {"Type": "bind", "Source": "/var/lib/cairn/slaves/s1/frameworks/f1/executors/e1/runs/c1",
     "Target": "/mnt/mesos/sandbox", "ReadOnly": false},
    {"Type": "bind", "Source": "/etc/ssl/certs", "Target": "/etc/ssl/certs", "ReadOnly": true}])"));
  EXPECT_EQ(host["NetworkMode"], "bridge");
  EXPECT_EQ(host["PortBindings"], Json::parse(R"({
    "8080/tcp": [{"HostIp": "", "HostPort": "31000"}, {"HostIp": "127.0.0.1", "HostPort": "31001"}],
    "53/udp": [{"HostIp": "", "HostPort": ""}]})"));
  EXPECT_EQ(host["Memory"], 128 * 1024 * 1024);
  EXPECT_EQ(host["MemorySwap"], 128 * 1024 * 1024);
  EXPECT_EQ(host["CpuShares"], 512);
  EXPECT_EQ(host["CpuPeriod"], 100000);
  EXPECT_EQ(host["CpuQuota"], 50000);
  EXPECT_EQ(host["Privileged"], true);
  EXPECT_EQ(host["LogConfig"]["Type"], "json-file");
  EXPECT_EQ(host["LogConfig"]["Config"]["max-size"], "10m");
}

TEST(ContainerSpec, LeavesUnsetFieldsToTheImageAndTheEngine) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.log_driver.clear();
  Json body = Json::parse(create_container_body(spec));
  for (const char* key :
       {"Cmd", "Entrypoint", "Env", "Labels", "WorkingDir", "User", "Hostname", "ExposedPorts"}) {
    EXPECT_FALSE(body.contains(key)) << key;
  }
  EXPECT_EQ(body["HostConfig"], Json::parse(R"({"Privileged": false})"));
}

TEST(ContainerSpec, RunsShellCommandsWithBinSh) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.set_shell_command("echo $HOME && exit 3");
  Json body = Json::parse(create_container_body(spec));
  EXPECT_EQ(body["Entrypoint"], Json::array({"/bin/sh", "-c"}));
  EXPECT_EQ(body["Cmd"], Json::array({"echo $HOME && exit 3"}));
}

TEST(ContainerSpec, AcceptsAFullSpec) {
  EXPECT_TRUE(validate(full_spec()).ok());
}

TEST(ContainerSpec, ReportsEveryProblemAtOnce) {
  ContainerSpec spec;
  spec.name = "-bad name";
  spec.environment = {{"A=B", "c"}};
  spec.sandbox_dir = "relative/sandbox";
  spec.mounts = {{"/host", "container", false}};
  spec.network_mode = "host";
  spec.ports = {{0, "tcp", 1, ""}, {80, "icmp", 1, ""}};
  spec.memory_limit = Bytes(Bytes::MB);
  spec.cpu_quota = Duration::nanoseconds(10);
  spec.cpu_period = Duration::seconds(2);
  Status status = validate(spec);
  ASSERT_FALSE(status.ok());
  for (const char* expected :
       {"the image is empty", "container name '-bad name' is not valid",
        "environment variable name 'A=B'", "sandbox directory 'relative/sandbox'",
        "needs absolute paths", "container port 0", "protocol 'icmp'; valid: tcp, udp, sctp",
        "port mappings need bridge or a user-defined network, not network mode 'host'",
        "below Docker's minimum of 6MB", "below the kernel's minimum of 1ms",
        "cpu period 2secs is outside"}) {
    EXPECT_NE(status.error().find(expected), std::string::npos)
        << "missing '" << expected << "' in:\n"
        << status.error();
  }
}

TEST(ContainerSpec, AllowsPortMappingsOnUserNetworks) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.network_mode = "cairn-overlay";
  spec.ports = {{80, "tcp", 31000, ""}};
  EXPECT_TRUE(validate(spec).ok());
  spec.network_mode = "container:abc";
  EXPECT_FALSE(validate(spec).ok());
}

}  // namespace
}  // namespace cairn::docker
