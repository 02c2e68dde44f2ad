// ContainerState: what GET /containers/{id}/json says about one container.
//
// The agent reads it after wait() to build the terminal task status (exit
// code, OOM kill, error), at recovery to learn whether a checkpointed
// container still runs and under which pid, and for the task's IP address
// and the host ports the engine chose. Times are absent (nullopt) while the
// engine reports its "never" value 0001-01-01T00:00:00Z.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::docker {

// A published port as the engine bound it.
struct PublishedPort {
  uint16_t container_port = 0;
  std::string protocol;  // tcp, udp, sctp
  std::string host_ip;
  uint16_t host_port = 0;
};

struct ContainerState {
  std::string id;
  std::string name;      // without the engine's leading '/'
  std::string image;     // as given at create ("debian:12")
  std::string image_id;  // "sha256:..."
  std::string status;    // created, running, paused, restarting, removing, exited, dead
  bool running = false;
  bool paused = false;
  bool restarting = false;
  bool oom_killed = false;
  bool dead = false;
  int pid = 0;  // host pid of the container's init process; 0 when not running
  int exit_code = 0;
  std::string error;  // the engine's explanation of a failed start, if any
  std::optional<std::chrono::system_clock::time_point> started_at;
  std::optional<std::chrono::system_clock::time_point> finished_at;
  std::string network_mode;
  // NetworkSettings.IPAddress, else the first network's address; empty with
  // host networking.
  std::string ip_address;
  std::vector<PublishedPort> ports;
  std::map<std::string, std::string> labels;
};

Result<ContainerState> parse_container_state(std::string_view json);

// RFC 3339 time as the engine writes it ("2024-05-01T10:00:00.123456789Z",
// or with a +hh:mm offset); nullopt for the zero time or text it cannot read.
std::optional<std::chrono::system_clock::time_point> parse_engine_time(std::string_view text);

}  // namespace cairn::docker
