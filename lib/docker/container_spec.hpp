// ContainerSpec: everything the agent decides about a Docker container
// before creating it, and the Engine API request body it becomes.
//
// The agent fills one per Mesos container: the name "mesos-<container-id>"
// (so that recovery and operators find it), the image, the command (argv,
// or a shell script run with /bin/sh -c as Mesos does for shell commands),
// environment, labels (framework, executor and task ids, read back by list()
// at recovery), the sandbox bind-mounted at /mnt/mesos/sandbox, networking
// with port mappings, and the cgroup limits derived from the task's cpus and
// mem. validate() catches what the engine would reject with a vaguer
// message; create_container_body() is the JSON of POST /containers/create
// (the name travels in the query string, see DockerClient).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/units/bytes.hpp"
#include "lib/units/duration.hpp"

namespace cairn::docker {

// Where the sandbox appears inside the container (MESOS_SANDBOX).
inline constexpr std::string_view kSandboxMountPoint = "/mnt/mesos/sandbox";
// Prefix of the names of the containers the agent creates.
inline constexpr std::string_view kContainerNamePrefix = "mesos-";

// "mesos-" + the Mesos container id.
std::string mesos_container_name(std::string_view container_id);

struct PortMapping {
  uint16_t container_port = 0;
  std::string protocol = "tcp";  // tcp, udp or sctp
  uint16_t host_port = 0;        // 0: the engine picks a free one
  std::string host_ip;           // empty: every address
};

struct BindMount {
  std::string host_path;       // absolute; must exist
  std::string container_path;  // absolute
  bool read_only = false;
};

struct ContainerSpec {
  std::string name;  // empty: the engine invents one
  std::string image;

  // Cmd: the arguments; empty keeps the image's CMD.
  std::vector<std::string> command;
  // Entrypoint: nullopt keeps the image's ENTRYPOINT; an empty vector clears it.
  std::optional<std::vector<std::string>> entrypoint;

  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> labels;
  std::string working_dir;  // empty: the image's
  std::string user;         // "name", "uid" or "uid:gid"; empty: the image's
  std::string hostname;     // empty: the engine's choice

  // Host directory bind-mounted read-write at kSandboxMountPoint; empty: none.
  std::string sandbox_dir;
  std::vector<BindMount> mounts;

  // "host", "bridge", "none", "container:<id>" or a user-defined network;
  // empty: the engine's default.
  std::string network_mode;
  // Need bridge or a user-defined network.
  std::vector<PortMapping> ports;

  // HostConfig.Memory, with MemorySwap the same (no swap beyond it).
  std::optional<Bytes> memory_limit;
  // HostConfig.CpuShares (1024 per cpu, as Mesos computes it).
  std::optional<uint64_t> cpu_shares;
  // HostConfig.CpuPeriod/CpuQuota, whole microseconds; quota alone uses the
  // kernel's default period of 100ms.
  std::optional<Duration> cpu_period;
  std::optional<Duration> cpu_quota;

  bool privileged = false;

  // HostConfig.LogConfig. follow_logs() needs a driver the engine can read
  // back (json-file, local, journald); the sandbox files are the record, so
  // the engine's own copy is kept small by default.
  std::string log_driver = "json-file";
  std::map<std::string, std::string> log_options = {{"max-size", "10m"}, {"max-file", "2"}};

  // Runs `script` with /bin/sh -c (Mesos' CommandInfo.shell = true):
  // entrypoint {"/bin/sh", "-c"}, command {script}.
  void set_shell_command(std::string script);
};

// Every problem at once, one per line.
Status validate(const ContainerSpec& spec);

// The JSON body of POST /containers/create (does not validate).
std::string create_container_body(const ContainerSpec& spec);

}  // namespace cairn::docker
