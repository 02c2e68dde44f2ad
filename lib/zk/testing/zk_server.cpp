#include "lib/zk/testing/zk_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "lib/fs/atomic_file.hpp"
#include "lib/process/launch.hpp"

namespace cairn::zk::testing {

namespace {

constexpr const char* kJar = "/usr/share/java/zookeeper.jar";
constexpr const char* kLogger = "/usr/share/java/slf4j-nop.jar";

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

// Sends a four-letter command and returns the answer ("" when not serving).
std::string four_letters(uint16_t port, const char* command) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A server still starting may accept and not answer: never wait long.
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::write(fd, command, 4) == 4) {
    char buffer[512];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) answer.append(buffer, size_t(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace

std::string zookeeper_unavailable() {
  if (!std::filesystem::exists(kJar)) return std::string(kJar) + " is missing (apt zookeeper)";
  if (::access("/usr/bin/java", X_OK) != 0) return "no /usr/bin/java";
  return "";
}

ZooKeeperServer::ZooKeeperServer(std::string dir) : dir_(std::move(dir)), port_(free_port()) {}

ZooKeeperServer::~ZooKeeperServer() { kill(); }

Status ZooKeeperServer::start() {
  if (Status st = fs::create_directories(dir_ + "/data"); !st.ok()) return st;
  std::string config = "tickTime=500\n"
                       "dataDir=" + dir_ + "/data\n"
                       "clientPort=" + std::to_string(port_) + "\n"
                       "clientPortAddress=127.0.0.1\n"
                       "maxSessionTimeout=60000\n"
                       "4lw.commands.whitelist=*\n"
                       "admin.enableServer=false\n";
  if (Status st = fs::write_file_atomically(dir_ + "/zoo.cfg", config); !st.ok()) return st;
  process::ProcessSpec spec;
  spec.argv = {"/usr/bin/java", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
               "-cp", dir_ + ":" + kJar + ":" + kLogger,
               "org.apache.zookeeper.server.ZooKeeperServerMain", dir_ + "/zoo.cfg"};
  spec.stdout_path = dir_ + "/zookeeper.log";
  spec.stderr_path = dir_ + "/zookeeper.log";
  spec.working_directory = dir_;
  spec.die_with_parent = true;  // no orphaned JVM when a test binary crashes
  Result<pid_t> pid = process::launch_process(spec);
  if (!pid.ok()) return Error("cannot start ZooKeeper: " + pid.error());
  pid_ = *pid;
  for (int i = 0; i < 300; ++i) {
    if (four_letters(port_, "ruok") == "imok") return ok_status();
    if (!process::process_alive(pid_, true)) {
      pid_ = -1;
      return Error("ZooKeeper exited at start; see " + dir_ + "/zookeeper.log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Error("ZooKeeper did not answer on port " + std::to_string(port_) + " within 30 s");
}

void ZooKeeperServer::kill() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);  // its own session: the JVM and any child
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace cairn::zk::testing
