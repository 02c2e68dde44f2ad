#include "tests/e2e/testing/zookeeper_ensemble.hpp"

#include <unistd.h>

#include <filesystem>

#include "lib/fs/atomic_file.hpp"
#include "tests/e2e/testing/command.hpp"
#include "tests/e2e/testing/eventually.hpp"
#include "tests/e2e/testing/tcp.hpp"

namespace cairn::e2e {

namespace {

constexpr const char* kZooKeeperJar = "/usr/share/java/zookeeper.jar";
// slf4j-simple makes the server log to stderr, i.e. into server.log;
// slf4j-nop (the testbed recipe) is the fallback and logs nothing.
constexpr const char* kSlf4jSimpleJar = "/usr/share/java/slf4j-simple.jar";
constexpr const char* kSlf4jNopJar = "/usr/share/java/slf4j-nop.jar";

bool file_exists(const char* path) {
  return ::access(path, R_OK) == 0;
}

std::string server_dir(const std::string& work_dir, size_t i) {
  return (std::filesystem::absolute(work_dir) / ("zk" + std::to_string(i + 1))).string();
}

std::string zoo_cfg(const ZooKeeperEnsemble::Options& options, size_t i, const std::string& dir) {
  const ZooKeeperEnsemble::Server& self = options.servers[i];
  std::string cfg;
  cfg += "tickTime=" + std::to_string(options.tick_time_ms) + "\n";
  cfg += "initLimit=10\n";
  cfg += "syncLimit=5\n";
  cfg += "dataDir=" + dir + "/data\n";
  cfg += "clientPort=" + std::to_string(self.client_port) + "\n";
  cfg += "clientPortAddress=" + self.address + "\n";
  cfg += "4lw.commands.whitelist=*\n";
  cfg += "admin.enableServer=false\n";
  // Without server lines QuorumPeerMain runs the standalone server.
  if (options.servers.size() > 1) {
    for (size_t j = 0; j < options.servers.size(); ++j) {
      const ZooKeeperEnsemble::Server& s = options.servers[j];
      cfg += "server." + std::to_string(j + 1) + "=" + s.address + ":" +
             std::to_string(s.quorum_port) + ":" + std::to_string(s.election_port) + "\n";
    }
  }
  return cfg;
}

}  // namespace

Status ZooKeeperEnsemble::available() {
  Result<std::string> java = find_program("java");
  if (!java.ok()) return Error("ZooKeeper needs Java: " + java.error());
  if (!file_exists(kZooKeeperJar)) {
    return Error(std::string(kZooKeeperJar) + " is missing (apt-get install zookeeper)");
  }
  return ok_status();
}

Result<std::unique_ptr<ZooKeeperEnsemble>> ZooKeeperEnsemble::launch(Options options) {
  Status usable = available();
  if (!usable.ok()) return Error(usable.error());
  if (options.work_dir.empty()) return Error("the ZooKeeper ensemble needs a work_dir");
  if (options.servers.empty()) return Error("a ZooKeeper ensemble needs at least one server");

  std::unique_ptr<ZooKeeperEnsemble> ensemble(new ZooKeeperEnsemble(options));
  const std::string logger = file_exists(kSlf4jSimpleJar) ? kSlf4jSimpleJar : kSlf4jNopJar;
  for (size_t i = 0; i < options.servers.size(); ++i) {
    const Server& server = options.servers[i];
    const std::string dir = server_dir(options.work_dir, i);
    for (const std::string& sub : {dir + "/conf", dir + "/data"}) {
      Status made = fs::create_directories(sub);
      if (!made.ok()) return Error(made.error());
    }
    for (const auto& [path, content] :
         {std::pair<std::string, std::string>{dir + "/data/myid", std::to_string(i + 1) + "\n"},
          std::pair<std::string, std::string>{dir + "/conf/zoo.cfg", zoo_cfg(options, i, dir)}}) {
      Status written = fs::write_file_atomically(path, content);
      if (!written.ok()) return Error(written.error());
    }

    DaemonProcess::Options daemon;
    daemon.argv = {
        "java",
        "-Xmx" + options.java_heap,
        "-Xms32m",
        // Small, quick JVMs: three of them share two cores with the test.
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData",
        "-Djava.net.preferIPv4Stack=true",
        "-Dzookeeper.admin.enableServer=false",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
        "-cp",
        dir + "/conf:" + kZooKeeperJar + ":" + logger,
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        dir + "/conf/zoo.cfg",
    };
    daemon.log_path = dir + "/server.log";
    daemon.working_directory = dir;
    daemon.host = server.host;
    ensemble->servers_.push_back(std::make_unique<DaemonProcess>(std::move(daemon)));
  }
  for (size_t i = 0; i < ensemble->size(); ++i) {
    Status started = ensemble->start(i);
    if (!started.ok()) return Error(started.error());
  }
  return ensemble;
}

ZooKeeperEnsemble::~ZooKeeperEnsemble() {
  stop_all();
}

std::string ZooKeeperEnsemble::endpoint(size_t i) const {
  const Server& s = options_.servers.at(i);
  return s.address + ":" + std::to_string(s.client_port);
}

std::string ZooKeeperEnsemble::connect_string() const {
  std::string text;
  for (size_t i = 0; i < size(); ++i) {
    if (!text.empty()) text += ',';
    text += endpoint(i);
  }
  return text;
}

Result<std::string> ZooKeeperEnsemble::four_letter_word(const std::string& address, int port,
                                                        const std::string& word, Duration timeout) {
  // The server answers and closes the connection.
  return tcp_exchange(address, port, word, timeout);
}

std::string ZooKeeperEnsemble::mode(size_t i) const {
  if (!running(i)) return "";
  const Server& s = options_.servers.at(i);
  // Short: a partitioned server must not stall a polling test for long.
  Result<std::string> reply =
      four_letter_word(s.address, s.client_port, "srvr", Duration::seconds(1));
  if (!reply.ok()) return "";
  // "Mode: follower"; a server without quorum says it is not serving.
  const std::string key = "Mode: ";
  size_t at = reply->find(key);
  if (at == std::string::npos) return "";
  size_t end = reply->find_first_of("\r\n", at);
  return reply->substr(at + key.size(), end == std::string::npos ? end : end - at - key.size());
}

std::optional<size_t> ZooKeeperEnsemble::leader() const {
  std::optional<size_t> found;
  for (size_t i = 0; i < size(); ++i) {
    if (mode(i) != "leader") continue;
    if (found) return std::nullopt;
    found = i;
  }
  return found;
}

Status ZooKeeperEnsemble::wait_ready(Duration timeout) {
  auto all_serving = [this] {
    for (size_t i = 0; i < size(); ++i) {
      if (running(i) && mode(i).empty()) return false;
    }
    return true;
  };
  if (eventually(all_serving, timeout, Duration::milliseconds(200))) return ok_status();
  std::string message = "ZooKeeper not ready after " + timeout.to_string() + ":";
  for (size_t i = 0; i < size(); ++i) {
    if (!running(i)) {
      message += "\n server " + std::to_string(i + 1) + " (" + endpoint(i) + ") is not running";
      std::optional<int> code = servers_[i]->exit_code();
      if (code) message += " (exit code " + std::to_string(*code) + ")";
    } else if (!mode(i).empty()) {
      continue;
    } else {
      message += "\n server " + std::to_string(i + 1) + " (" + endpoint(i) + ") reports no mode";
    }
    message += "; " + log_path(i) + " ends with:\n" + log_tail(i, 15);
  }
  return Error(message);
}

bool ZooKeeperEnsemble::running(size_t i) const {
  return servers_.at(i)->alive();
}

Status ZooKeeperEnsemble::kill(size_t i) {
  DaemonProcess& server = *servers_.at(i);
  Status killed = server.kill(SIGKILL);
  if (!killed.ok())
    return Error("ZooKeeper server " + std::to_string(i + 1) + ": " + killed.error());
  Result<int> exited = server.wait_exit(Duration::seconds(30));
  if (!exited.ok()) return Error(exited.error());
  return ok_status();
}

Status ZooKeeperEnsemble::start(size_t i) {
  Status started = servers_.at(i)->start();
  if (!started.ok())
    return Error("ZooKeeper server " + std::to_string(i + 1) + ": " + started.error());
  return ok_status();
}

void ZooKeeperEnsemble::stop_all() {
  for (size_t i = 0; i < size(); ++i) {
    if (running(i)) (void)kill(i);
  }
}

const std::string& ZooKeeperEnsemble::log_path(size_t i) const {
  return servers_.at(i)->log_path();
}

std::string ZooKeeperEnsemble::log_tail(size_t i, size_t lines) const {
  return servers_.at(i)->log_tail(lines);
}

}  // namespace cairn::e2e
