// OomNotifier: a file descriptor that becomes readable when a container's
// cgroup runs out of memory.
//
// The agent must tell a framework promptly that a task died because it hit
// its memory limit (REASON_CONTAINER_LIMITATION_MEMORY). Under cgroup v1 the
// kernel signals an eventfd registered through cgroup.event_control on
// memory.oom_control; under v2 it reports every change of memory.events to
// inotify, so we watch that file. Either way the caller gets a plain fd to
// poll or to wrap in its event loop (no Asio here), and read_events() says
// how many OOMs happened since the last call (v2: OOM kills; a wake-up for
// another memory.events counter reads as 0). Note that the v1 kernel also
// signals the eventfd once when the cgroup is removed, so callers should
// confirm with Cgroup::oom_killed(), which is also the polling fallback the
// agent uses when an executor exits.
#pragma once

#include <cstdint>
#include <string>

#include "lib/base/result.hpp"
#include "lib/cgroups/cgroup.hpp"

namespace cairn::cgroups {

class OomNotifier {
 public:
  // Registers for the memory controller of `cgroup`.
  static Result<OomNotifier> watch(const Cgroup& cgroup);

  OomNotifier(OomNotifier&& other) noexcept;
  OomNotifier& operator=(OomNotifier&& other) noexcept;
  OomNotifier(const OomNotifier&) = delete;
  OomNotifier& operator=(const OomNotifier&) = delete;
  ~OomNotifier();

  // Non-blocking, close-on-exec; readable when something happened.
  int fd() const { return fd_; }
  CgroupVersion version() const { return version_; }

  // Events since the last call; 0 when nothing (new) happened. Never blocks.
  Result<uint64_t> read_events();

 private:
  OomNotifier(int fd, CgroupVersion version, std::string events_path, uint64_t oom_kills);
  void close_fd();

  int fd_ = -1;
  CgroupVersion version_ = CgroupVersion::v1;
  std::string events_path_;  // v2: memory.events
  uint64_t oom_kills_ = 0;   // v2: count seen by the last read
};

}  // namespace cairn::cgroups
