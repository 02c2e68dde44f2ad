#include "lib/cgroups/oom_notifier.hpp"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "lib/cgroups/files.hpp"

namespace cairn::cgroups {

namespace {

uint64_t oom_kill_count(const std::map<std::string, uint64_t>& keyed) {
  auto it = keyed.find("oom_kill");
  return it == keyed.end() ? 0 : it->second;
}

}  // namespace

Result<OomNotifier> OomNotifier::watch(const Cgroup& cgroup) {
  const Cgroup::Place* memory = cgroup.place(Controller::memory);
  if (memory == nullptr) {
    return Error("cannot watch cgroup " + cgroup.path() + " for OOM: it has no memory controller");
  }
  const std::string& dir = memory->directory;

  if (memory->version == CgroupVersion::v2) {
    std::string events = files::join(dir, "memory.events");
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return Error("cannot create an inotify instance: " + files::errno_text(errno));
    if (::inotify_add_watch(fd, events.c_str(), IN_MODIFY) < 0) {
      int err = errno;
      ::close(fd);
      return Error("cannot watch " + events + ": " + files::errno_text(err));
    }
    // The baseline is read after the watch exists, so no change is missed.
    Result<std::map<std::string, uint64_t>> keyed = files::read_keyed(events);
    if (!keyed.ok()) {
      ::close(fd);
      return Error(keyed.error());
    }
    return OomNotifier(fd, CgroupVersion::v2, events, oom_kill_count(*keyed));
  }

  std::string control = files::join(dir, "cgroup.event_control");
  std::string oom_control = files::join(dir, "memory.oom_control");
  int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (efd < 0) return Error("cannot create an eventfd: " + files::errno_text(errno));
  int cfd = ::open(oom_control.c_str(), O_RDONLY | O_CLOEXEC);
  if (cfd < 0) {
    int err = errno;
    ::close(efd);
    return Error("cannot open " + oom_control + ": " + files::errno_text(err));
  }
  // "<eventfd> <fd of memory.oom_control>"; the kernel keeps what it needs,
  // so the oom_control fd can be closed right away.
  Status registered = files::write(control, std::to_string(efd) + " " + std::to_string(cfd));
  ::close(cfd);
  if (!registered.ok()) {
    ::close(efd);
    return Error(registered.error());
  }
  return OomNotifier(efd, CgroupVersion::v1, "", 0);
}

OomNotifier::OomNotifier(int fd, CgroupVersion version, std::string events_path, uint64_t oom_kills)
    : fd_(fd), version_(version), events_path_(std::move(events_path)), oom_kills_(oom_kills) {}

OomNotifier::OomNotifier(OomNotifier&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      version_(other.version_),
      events_path_(std::move(other.events_path_)),
      oom_kills_(other.oom_kills_) {}

OomNotifier& OomNotifier::operator=(OomNotifier&& other) noexcept {
  if (this != &other) {
    close_fd();
    fd_ = std::exchange(other.fd_, -1);
    version_ = other.version_;
    events_path_ = std::move(other.events_path_);
    oom_kills_ = other.oom_kills_;
  }
  return *this;
}

OomNotifier::~OomNotifier() {
  close_fd();
}

void OomNotifier::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<uint64_t> OomNotifier::read_events() {
  if (fd_ < 0) return Error("OOM notifier is closed");
  if (version_ == CgroupVersion::v1) {
    uint64_t count = 0;
    ssize_t n;
    do {
      n = ::read(fd_, &count, sizeof count);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN) return uint64_t{0};
      return Error("cannot read the OOM eventfd: " + files::errno_text(errno));
    }
    return count;
  }

  // Drain the inotify queue so the fd stops being readable, then compare.
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) {
      return Error("cannot read the inotify watch of " + events_path_ + ": " +
                   files::errno_text(errno));
    }
    break;
  }
  Result<std::map<std::string, uint64_t>> keyed = files::read_keyed(events_path_);
  if (!keyed.ok()) return Error(keyed.error());
  uint64_t now = oom_kill_count(*keyed);
  uint64_t delta = now > oom_kills_ ? now - oom_kills_ : 0;
  oom_kills_ = now;
  return delta;
}

}  // namespace cairn::cgroups
