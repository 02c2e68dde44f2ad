// `cairn dev`: a whole single-machine cluster in the foreground — a
// standalone cairn-master and N cairn-agents as child processes, their
// URLs printed, Ctrl-C stops everything (frameworks are torn down first so
// that no task outlives the cluster). `--demo` also runs a small service
// through the scheduler SDK so a newcomer sees a task running at once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/blocking_client.hpp"
#include "cli/command.hpp"
#include "lib/flags/flag_set.hpp"
#include "lib/process/launch.hpp"
#include "lib/scheduler/driver.hpp"

namespace cairn::cli {
namespace {

struct DevFlags {
  uint32_t agents = 1;
  bool demo = false;
  std::string ip = "127.0.0.1";
  uint16_t port = 5050;
  std::string work_dir = ".cache/dev";
  std::string isolation = "posix/cpu,posix/mem";
  bool fresh = false;
};

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

// Daemons next to `cairn` (packages), in the build tree, or on PATH.
std::string find_binary(const std::string& name, const std::string& build_subdir) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto candidate : {self.parent_path() / name, self.parent_path().parent_path() / build_subdir / name}) {
      if (std::filesystem::exists(candidate, ec)) return candidate.string();
    }
  }
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (std::filesystem::exists(candidate, ec)) return candidate.string();
  }
  return "";
}

flags::Environment child_environment() {
  flags::Environment env = flags::process_environment();
  // Flags of `cairn dev` must not leak into the daemons as CAIRN_*.
  for (auto it = env.begin(); it != env.end();) it = it->first.rfind("CAIRN_", 0) == 0 ? env.erase(it) : std::next(it);
  return env;
}

bool wait_healthy(BlockingClient& client, const std::string& url, int seconds) {
  for (int i = 0; i < seconds * 10 && !g_stop; ++i) {
    Result<http::Response> r = client.get(url);
    if (r.ok() && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The demo service: keeps one small task running, relaunching it if it ends.
class DemoService : public scheduler::Scheduler {
 public:
  void registered(scheduler::SchedulerDriver&, const std::string& id, const nlohmann::json&) override {
    std::printf("demo: framework %s registered\n", id.c_str());
  }
  void reregistered(scheduler::SchedulerDriver&, const nlohmann::json&) override {}
  void disconnected(scheduler::SchedulerDriver&) override {}
  void resource_offers(scheduler::SchedulerDriver& driver, const std::vector<nlohmann::json>& offers) override {
    for (const auto& offer : offers) {
      std::string offer_id = offer["id"]["value"];
      if (running_ || launching_) {
        driver.decline_offer(offer_id, {{"refuse_seconds", 30}});
        continue;
      }
      launching_ = true;
      std::string task_id = "hello-" + std::to_string(++generation_);
      nlohmann::json task{
          {"name", "hello"},
          {"task_id", {{"value", task_id}}},
          {"agent_id", offer["agent_id"]},
          {"resources",
           {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 0.1}}}},
            {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", 32}}}}}},
          {"command",
           {{"value", "while true; do echo \"hello from Cairn task $MESOS_TASK_ID at $(date +%T)\"; sleep 2; done"}}}};
      driver.launch_tasks({offer_id}, {task});
    }
  }
  void offer_rescinded(scheduler::SchedulerDriver&, const std::string&) override {}
  void status_update(scheduler::SchedulerDriver& driver, const nlohmann::json& status) override {
    std::string state = status.value("state", "");
    std::printf("demo: task %s is %s%s\n", status["task_id"]["value"].get<std::string>().c_str(), state.c_str(),
                status.contains("message") ? (" (" + status["message"].get<std::string>() + ")").c_str() : "");
    if (state == "TASK_RUNNING") {
      running_ = true;
      launching_ = false;
      if (!announced_) {
        announced_ = true;
        std::printf("demo: see it with `cairn ps` and `cairn tail -f %s stdout`\n",
                    status["task_id"]["value"].get<std::string>().c_str());
      }
    } else if (state != "TASK_STARTING" && state != "TASK_STAGING") {
      running_ = false;
      launching_ = false;
      driver.revive_offers();
    }
    std::fflush(stdout);
  }
  void framework_message(scheduler::SchedulerDriver&, const std::string&, const std::string&, const std::string&) override {}
  void agent_lost(scheduler::SchedulerDriver&, const std::string&) override {}
  void executor_lost(scheduler::SchedulerDriver&, const std::string&, const std::string&, int) override {}
  void error(scheduler::SchedulerDriver&, const std::string& message) override {
    std::fprintf(stderr, "demo: %s\n", message.c_str());
  }

 private:
  bool running_ = false, launching_ = false, announced_ = false;
  int generation_ = 0;
};

}  // namespace

int run_dev_command(const Args& args) {
  flags::FlagSet<DevFlags> set("cairn dev",
                               "Start a whole single-machine Cairn cluster in the foreground: a master and "
                               "agents. Ctrl-C stops everything.");
  set.add(&DevFlags::agents, "agents", "Number of agents (they share this machine's resources).");
  set.add(&DevFlags::demo, "demo", "Also run a small demo service (one task printing a line every 2 s).");
  set.add(&DevFlags::ip, "ip", "Address the daemons listen on.");
  set.add(&DevFlags::port, "port", "Master port; agents use the following ports.");
  set.add(&DevFlags::work_dir, "work_dir", "Where the master's registry, agents' sandboxes and logs go.");
  set.add(&DevFlags::isolation, "isolation", "Agent isolation (cgroups/cpu,cgroups/mem need root).");
  set.add(&DevFlags::fresh, "fresh", "Start from an empty --work_dir (forget earlier runs).");
  Result<flags::Parsed<DevFlags>> parsed = set.parse(args, child_environment());
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\nSee 'cairn dev --help'.\n", parsed.error().c_str());
    return 2;
  }
  if (parsed->help) {
    std::printf("%s", set.usage().c_str());
    return 0;
  }
  DevFlags flags = parsed->flags;
  if (flags.agents < 1 || flags.agents > 64) {
    std::fprintf(stderr, "cairn dev: --agents must be from 1 to 64\n");
    return 2;
  }
  std::string master_bin = find_binary("cairn-master", "daemons/master");
  std::string agent_bin = find_binary("cairn-agent", "daemons/agent");
  if (master_bin.empty() || agent_bin.empty()) {
    std::fprintf(stderr, "cairn dev: cannot find %s next to cairn, in the build tree or on PATH\n",
                 master_bin.empty() ? "cairn-master" : "cairn-agent");
    return 1;
  }
  std::error_code ec;
  std::filesystem::path work = std::filesystem::absolute(flags.work_dir, ec);
  if (flags.fresh) std::filesystem::remove_all(work, ec);
  std::filesystem::create_directories(work / "logs", ec);
  if (ec) {
    std::fprintf(stderr, "cairn dev: cannot create %s: %s\n", work.c_str(), ec.message().c_str());
    return 1;
  }

  struct sigaction action {};
  action.sa_handler = on_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::map<std::string, std::string> env;
  for (const auto& [k, v] : child_environment()) env[k] = v;
  std::vector<std::pair<std::string, pid_t>> children;
  auto start = [&](const std::string& name, std::vector<std::string> argv) -> bool {
    process::ProcessSpec spec{std::move(argv), env, work.string(), (work / "logs" / (name + ".log")).string(),
                              (work / "logs" / (name + ".log")).string()};
    Result<pid_t> pid = process::launch_process(spec);
    if (!pid.ok()) {
      std::fprintf(stderr, "cairn dev: cannot start %s: %s\n", name.c_str(), pid.error().c_str());
      return false;
    }
    children.emplace_back(name, *pid);
    return true;
  };
  auto stop_all = [&] {
    for (auto it = children.rbegin(); it != children.rend(); ++it) ::kill(it->second, SIGTERM);
    for (auto& [name, pid] : children) {
      for (int i = 0; i < 100; ++i) {
        if (waitpid(pid, nullptr, WNOHANG) != 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (i == 99) {
          ::kill(pid, SIGKILL);
          waitpid(pid, nullptr, 0);
        }
      }
    }
  };

  std::string master_url = "http://" + flags.ip + ":" + std::to_string(flags.port);
  if (!start("master", {master_bin, "--ip=" + flags.ip, "--port=" + std::to_string(flags.port),
                        "--work_dir=" + (work / "master").string(), "--cluster=dev",
                        "--agent_reregister_timeout=30secs"})) {
    return 1;
  }
  BlockingClient client(Duration::seconds(2));
  if (!wait_healthy(client, master_url + "/master/health", 20)) {
    std::fprintf(stderr, "cairn dev: the master did not come up; see %s\n", (work / "logs/master.log").c_str());
    stop_all();
    return 1;
  }
  // Agents share the machine: each offers an equal part of it.
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  double mem_mb = pages > 0 ? static_cast<double>(pages) * page / 1048576.0 : 2048;
  double agent_cpus = std::max(1.0, std::floor(10.0 * cpus / flags.agents) / 10.0);
  double agent_mem = std::max(256.0, std::floor((mem_mb > 2048 ? mem_mb - 1024 : mem_mb / 2) / flags.agents));
  for (uint32_t i = 0; i < flags.agents; ++i) {
    uint16_t port = static_cast<uint16_t>(flags.port + 1 + i);
    uint32_t first_port = 31000 + i * 1000 / flags.agents, last_port = 31000 + (i + 1) * 1000 / flags.agents - 1;
    std::string resources = "cpus:" + std::to_string(agent_cpus) + ";mem:" + std::to_string(static_cast<long>(agent_mem)) +
                            ";disk:10240;ports:[" + std::to_string(first_port) + "-" + std::to_string(last_port) + "]";
    std::string name = "agent" + std::to_string(i + 1);
    if (!start(name, {agent_bin, "--master=" + master_url, "--ip=" + flags.ip, "--port=" + std::to_string(port),
                      "--work_dir=" + (work / name).string(), "--resources=" + resources,
                      "--isolation=" + flags.isolation, "--hostname=" + name})) {
      stop_all();
      return 1;
    }
  }
  bool ready = false;
  for (int i = 0; i < 200 && !g_stop && !ready; ++i) {
    Result<nlohmann::json> metrics = client.get_json(master_url + "/metrics/snapshot");
    ready = metrics.ok() && (*metrics)["master/slaves_active"].get<double>() >= flags.agents;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ready) {
    std::fprintf(stderr, "cairn dev: the agents did not register; see the logs in %s\n", (work / "logs").c_str());
    stop_all();
    return 1;
  }
  std::printf("Cairn dev cluster is up (logs in %s):\n", (work / "logs").c_str());
  std::printf("  master  %s/   (state: %s/master/state, metrics: %s/metrics/snapshot)\n", master_url.c_str(),
              master_url.c_str(), master_url.c_str());
  for (uint32_t i = 0; i < flags.agents; ++i) {
    std::printf("  agent%u  http://%s:%u/\n", i + 1, flags.ip.c_str(), flags.port + 1 + i);
  }
  std::printf("Frameworks: point them at %s (Mesos v1 scheduler API). Try `cairn execute --master=%s:%u "
              "--command='echo hi'`. Ctrl-C stops the cluster.\n",
              master_url.c_str(), flags.ip.c_str(), flags.port);
  std::fflush(stdout);

  DemoService demo;
  std::unique_ptr<scheduler::SchedulerDriver> driver;
  if (flags.demo) {
    driver = std::make_unique<scheduler::SchedulerDriver>(
        demo, nlohmann::json{{"user", "root"}, {"name", "cairn-demo"}, {"failover_timeout", 0}},
        scheduler::DriverOptions{.master = master_url});
    driver->start();
  }

  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (auto& [name, pid] : children) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        std::fprintf(stderr, "cairn dev: %s exited; see %s\n", name.c_str(), (work / "logs" / (name + ".log")).c_str());
        pid = -1;
        g_stop = true;
      }
    }
  }
  std::printf("\ncairn dev: stopping (tearing down frameworks, then agents and master)\n");
  if (driver) {
    driver->stop(false);
    driver->join();
  }
  // No task may outlive the dev cluster: tear every framework down first.
  Result<nlohmann::json> state = client.get_json(master_url + "/master/state");
  if (state.ok()) {
    for (const auto& framework : (*state)["frameworks"]) {
      http::Request request;
      request.method = "POST";
      request.headers.set("Content-Type", "application/x-www-form-urlencoded");
      request.body = "framework_id=" + framework["id"].get<std::string>();
      (void)client.send(master_url + "/master/teardown", request);
    }
    for (int i = 0; i < 50; ++i) {
      Result<nlohmann::json> m = client.get_json(master_url + "/metrics/snapshot");
      if (!m.ok() || ((*m)["master/tasks_running"].get<double>() == 0 && (*m)["master/tasks_staging"].get<double>() == 0)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  // Executors finish shutting down through their agents: wait for that.
  for (int i = 0; i < 100; ++i) {
    size_t live = 0;
    for (uint32_t a = 0; a < flags.agents; ++a) {
      Result<nlohmann::json> agent_state =
          client.get_json("http://" + flags.ip + ":" + std::to_string(flags.port + 1 + a) + "/state");
      if (!agent_state.ok()) continue;
      for (const auto& f : (*agent_state)["frameworks"]) live += f["executors"].size();
    }
    if (live == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  children.erase(std::remove_if(children.begin(), children.end(), [](auto& c) { return c.second <= 0; }), children.end());
  stop_all();
  // Whatever still runs from this cluster's sandboxes goes too.
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::ifstream environ(entry.path() / "environ");
    std::string content((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
    if (content.find("MESOS_DIRECTORY=" + work.string() + "/") != std::string::npos) {
      ::kill(-std::stoi(name), SIGKILL);
      ::kill(std::stoi(name), SIGKILL);
    }
  }
  std::printf("cairn dev: stopped\n");
  return 0;
}

}  // namespace cairn::cli
