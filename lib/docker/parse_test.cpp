// Reading the engine's answers (samples from Docker 20.10) and building
// request targets.
#include <gtest/gtest.h>

#include "lib/docker/api_path.hpp"
#include "lib/docker/container_list.hpp"
#include "lib/docker/container_state.hpp"
#include "lib/docker/container_stats.hpp"
#include "lib/docker/image_info.hpp"
#include "lib/docker/version_info.hpp"

namespace cairn::docker {
namespace {

using namespace std::chrono;

TEST(ApiPath, EscapesIdsAndQueryValues) {
  EXPECT_EQ(detail::percent_encode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(detail::percent_encode("Az09-._~"), "Az09-._~");
  EXPECT_EQ(detail::api_target("/containers/json"), "/v1.41/containers/json");
  EXPECT_EQ(
      detail::api_target("/containers/json", {{"all", "1"}, {"filters", R"({"label":["a=b"]})"}}),
      "/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
  EXPECT_EQ(detail::container_path("mesos-1/../x", "/json"), "/containers/mesos-1%2F..%2Fx/json");
  EXPECT_EQ(detail::image_path("registry:5000/cairn/test-base:latest", "/json"),
            "/images/registry:5000/cairn/test-base:latest/json");
  EXPECT_EQ(detail::image_path("a b@sha256:00"), "/images/a%20b@sha256:00");
}

TEST(ContainerList, BuildsFilters) {
  EXPECT_EQ(list_filters_json({}), "");
  ContainerFilter filter;
  filter.labels = {"cairn.agent=a1", "cairn.task_id"};
  filter.name = "^mesos-";
  EXPECT_EQ(list_filters_json(filter),
            R"({"label":["cairn.agent=a1","cairn.task_id"],"name":["^mesos-"]})");
}

TEST(ContainerList, ReadsSummaries) {
  auto list = parse_container_list(R"([
    {"Id": "e60b93dd", "Names": ["/mesos-c1"], "Image": "cairn/test-base", "ImageID": "sha256:1c8a",
     "Command": "sleep 100", "Created": 1764056667, "Ports": [], "Labels": {"cairn.task_id": "t1"},
     "State": "running", "Status": "Up 2 seconds", "HostConfig": {"NetworkMode": "default"}},
    {"Id": "77aa", "Names": null, "Labels": null, "State": "exited"}])");
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->size(), 2u);
  const auto& first = (*list)[0];
  EXPECT_EQ(first.id, "e60b93dd");
  EXPECT_EQ(first.names, std::vector<std::string>{"mesos-c1"});
  EXPECT_EQ(first.image, "cairn/test-base");
  EXPECT_EQ(first.image_id, "sha256:1c8a");
  EXPECT_EQ(first.created, 1764056667);
  EXPECT_EQ(first.labels.at("cairn.task_id"), "t1");
  EXPECT_EQ(first.state, "running");
  EXPECT_EQ(first.status, "Up 2 seconds");
  EXPECT_TRUE((*list)[1].names.empty());
  EXPECT_EQ((*list)[1].state, "exited");

  EXPECT_FALSE(parse_container_list(R"({"message": "oops"})").ok());
}

TEST(ContainerState, ReadsAnOomKilledContainer) {
  auto state = parse_container_state(R"({
    "Id": "e60b93dd32846f45", "Name": "/oom", "Image": "sha256:1c8acee8",
    "State": {"Status": "exited", "Running": false, "Paused": false, "Restarting": false,
              "OOMKilled": true, "Dead": false, "Pid": 0, "ExitCode": 137, "Error": "",
              "StartedAt": "2026-11-25T07:44:26.450541546Z",
              "FinishedAt": "2026-11-25T07:44:26.737174395Z"},
    "Config": {"Image": "cairn/test-base", "Labels": {"cairn.task_id": "t1"}},
    "HostConfig": {"NetworkMode": "bridge"},
    "NetworkSettings": {"IPAddress": "", "Ports": {},
                        "Networks": {"bridge": {"IPAddress": "172.17.0.2"}}}})");
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->id, "e60b93dd32846f45");
  EXPECT_EQ(state->name, "oom");
  EXPECT_EQ(state->image, "cairn/test-base");
  EXPECT_EQ(state->image_id, "sha256:1c8acee8");
  EXPECT_EQ(state->status, "exited");
  EXPECT_FALSE(state->running);
  EXPECT_TRUE(state->oom_killed);
  EXPECT_EQ(state->exit_code, 137);
  EXPECT_EQ(state->pid, 0);
  ASSERT_TRUE(state->started_at && state->finished_at);
  EXPECT_EQ(duration_cast<microseconds>(*state->finished_at - *state->started_at).count(), 286632);
  EXPECT_EQ(state->network_mode, "bridge");
  EXPECT_EQ(state->ip_address, "172.17.0.2");
  EXPECT_EQ(state->labels.at("cairn.task_id"), "t1");
}

TEST(ContainerState, ReadsPublishedPortsAndACreatedContainer) {
  auto state = parse_container_state(R"({
    "Id": "abc", "Name": "/mesos-1",
    "State": {"Status": "created", "Running": false, "Pid": 0, "ExitCode": 0,
              "StartedAt": "0001-01-01T00:00:00Z", "FinishedAt": "0001-01-01T00:00:00Z"},
    "Config": {"Image": "img", "Labels": null},
    "NetworkSettings": {"IPAddress": "172.17.0.3",
      "Ports": {"8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "18080"},
                             {"HostIp": "::", "HostPort": "18080"}],
                "9090/udp": null}}})");
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->status, "created");
  EXPECT_FALSE(state->started_at);
  EXPECT_FALSE(state->finished_at);
  EXPECT_TRUE(state->labels.empty());
  EXPECT_EQ(state->ip_address, "172.17.0.3");
  ASSERT_EQ(state->ports.size(), 2u);
  EXPECT_EQ(state->ports[0].container_port, 8080);
  EXPECT_EQ(state->ports[0].protocol, "tcp");
  EXPECT_EQ(state->ports[0].host_ip, "0.0.0.0");
  EXPECT_EQ(state->ports[0].host_port, 18080);
  EXPECT_EQ(state->ports[1].host_ip, "::");
}

TEST(ContainerState, RefusesAnswersWithoutAnId) {
  EXPECT_FALSE(parse_container_state("{}").ok());
  EXPECT_FALSE(parse_container_state("not json").ok());
  EXPECT_FALSE(parse_container_state("[]").ok());
}

TEST(ContainerState, ReadsEngineTimes) {
  auto t = parse_engine_time("2024-05-01T10:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(system_clock::to_time_t(*t), 1714557600);
  auto fractional = parse_engine_time("2024-05-01T10:00:00.5Z");
  ASSERT_TRUE(fractional);
  EXPECT_EQ(duration_cast<milliseconds>(*fractional - *t).count(), 500);
  auto offset = parse_engine_time("2024-05-01T12:00:00.000000001+02:00");
  ASSERT_TRUE(offset);
  EXPECT_EQ(duration_cast<nanoseconds>(*offset - *t).count(), 1);
  EXPECT_FALSE(parse_engine_time("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_engine_time(""));
  EXPECT_FALSE(parse_engine_time("2024-05-01 10:00:00"));
  EXPECT_FALSE(parse_engine_time("2024-05-01T10:00:00"));
  EXPECT_FALSE(parse_engine_time("2024-05-01T10:00:00Zjunk"));
}

TEST(ContainerStats, ReadsACgroupV1Sample) {
  auto stats = parse_container_stats(R"({
    "read": "2026-11-25T07:44:27.062586165Z", "pids_stats": {"current": 3},
    "cpu_stats": {"cpu_usage": {"total_usage": 22593448, "percpu_usage": [3734061, 18859387],
                                "usage_in_kernelmode": 10000000, "usage_in_usermode": 20000000},
                  "system_cpu_usage": 8949210000000, "online_cpus": 2,
                  "throttling_data": {"periods": 40, "throttled_periods": 7,
                                      "throttled_time": 123456789}},
    "memory_stats": {"usage": 643072, "max_usage": 3809280, "limit": 52428800,
                     "stats": {"rss": 102400, "total_rss": 204800, "cache": 4096,
                               "total_cache": 8192}},
    "networks": {"eth0": {"rx_bytes": 736, "rx_packets": 8, "tx_bytes": 10, "tx_packets": 1},
                 "eth1": {"rx_bytes": 4, "rx_packets": 1, "tx_errors": 2, "tx_dropped": 3}}})");
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_EQ(stats->cpu_total.ns(), 22593448);
  EXPECT_EQ(stats->cpu_user, Duration::milliseconds(20));
  EXPECT_EQ(stats->cpu_system, Duration::milliseconds(10));
  EXPECT_EQ(stats->online_cpus, 2u);
  EXPECT_EQ(stats->cpu_periods, 40u);
  EXPECT_EQ(stats->cpu_throttled_periods, 7u);
  EXPECT_EQ(stats->cpu_throttled.ns(), 123456789);
  EXPECT_EQ(stats->memory_usage.bytes(), 643072u);
  EXPECT_EQ(stats->memory_max_usage.bytes(), 3809280u);
  EXPECT_EQ(stats->memory_limit, Bytes(50 * Bytes::MB));
  EXPECT_EQ(stats->memory_rss.bytes(), 204800u);
  EXPECT_EQ(stats->memory_cache.bytes(), 8192u);
  EXPECT_EQ(stats->pids, 3u);
  EXPECT_EQ(stats->net_rx_bytes, 740u);
  EXPECT_EQ(stats->net_rx_packets, 9u);
  EXPECT_EQ(stats->net_tx_bytes, 10u);
  EXPECT_EQ(stats->net_tx_errors, 2u);
  EXPECT_EQ(stats->net_tx_dropped, 3u);
}

TEST(ContainerStats, ReadsACgroupV2SampleAndAStoppedContainer) {
  auto v2 = parse_container_stats(
      R"({"memory_stats": {"usage": 10, "limit": 20, "stats": {"anon": 7, "file": 3}}})");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->memory_rss.bytes(), 7u);
  EXPECT_EQ(v2->memory_cache.bytes(), 3u);
  auto stopped = parse_container_stats(
      R"({"read": "0001-01-01T00:00:00Z", "pids_stats": {}, "cpu_stats": {"cpu_usage": {"total_usage": 0}},
          "memory_stats": {}, "networks": null})");
  ASSERT_TRUE(stopped.ok()) << stopped.error();
  EXPECT_EQ(stopped->cpu_total.ns(), 0);
  EXPECT_EQ(stopped->memory_limit.bytes(), 0u);
}

TEST(VersionInfo, ReadsTheEngineVersionAndChecksTheApi) {
  auto info = parse_version_info(R"({"Platform":{"Name":""},"Version":"20.10.24+dfsg1",
    "ApiVersion":"1.41","MinAPIVersion":"1.12","GitCommit":"5d6db84","GoVersion":"go1.19.8",
    "Os":"linux","Arch":"amd64","KernelVersion":"6.1.0"})");
  ASSERT_TRUE(info.ok()) << info.error();
  EXPECT_EQ(info->version, "20.10.24+dfsg1");
  EXPECT_EQ(info->api_version, "1.41");
  EXPECT_EQ(info->min_api_version, "1.12");
  EXPECT_EQ(info->os, "linux");
  EXPECT_EQ(info->arch, "amd64");
  EXPECT_EQ(info->kernel_version, "6.1.0");
  EXPECT_EQ(info->git_commit, "5d6db84");
  EXPECT_TRUE(check_engine(*info).ok());
  EXPECT_TRUE(info->supports_api("1.40"));
  EXPECT_FALSE(info->supports_api("1.42"));

  VersionInfo newer = *info;
  newer.api_version = "1.45";
  EXPECT_TRUE(check_engine(newer).ok());
  VersionInfo old = *info;
  old.version = "19.03.15";
  old.api_version = "1.40";
  Status refused = check_engine(old);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(),
            "the Docker engine 19.03.15 speaks Engine API 1.40; Cairn needs API 1.41 (Docker "
            "20.10) or newer");
  VersionInfo garbled = *info;
  garbled.api_version = "one";
  EXPECT_FALSE(garbled.supports_api("1.0"));
  EXPECT_FALSE(parse_version_info("{}").ok());
}

TEST(ImageInfo, ReadsAnImage) {
  auto info = parse_image_info(R"({"Id": "sha256:1c8a", "RepoTags": ["cairn/test-base:latest"],
    "Created": "2026-11-25T07:44:00Z", "Size": 3400000,
    "Config": {"Entrypoint": null, "Cmd": ["/bin/sh"], "Env": ["PATH=/bin"], "WorkingDir": "",
               "User": "nobody"}})");
  ASSERT_TRUE(info.ok()) << info.error();
  EXPECT_EQ(info->id, "sha256:1c8a");
  EXPECT_EQ(info->repo_tags, std::vector<std::string>{"cairn/test-base:latest"});
  EXPECT_EQ(info->size.bytes(), 3400000u);
  EXPECT_TRUE(info->entrypoint.empty());
  EXPECT_EQ(info->command, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(info->environment, std::vector<std::string>{"PATH=/bin"});
  EXPECT_EQ(info->user, "nobody");
}

}  // namespace
}  // namespace cairn::docker
