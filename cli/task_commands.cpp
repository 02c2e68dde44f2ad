// The task commands of `cairn` (the book's `mesos` CLI): ps, state,
// resolve, ls, cat, tail and execute. Each reads the cluster through the
// leading master's HTTP endpoints and the agents' /files endpoints.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/cluster_view.hpp"
#include "cli/command.hpp"
#include "cli/flag_parsing.hpp"
#include "lib/flags/flag_set.hpp"
#include "lib/http/url.hpp"
#include "lib/resources/resources.hpp"
#include "lib/scheduler/driver.hpp"
#include "lib/zk/zk_url.hpp"

namespace cairn::cli {
namespace {

struct MasterOnly {
  std::string master = default_master();
  bool all = false;
};
struct TaskFile {
  std::string master = default_master();
  std::string task;
  std::optional<std::string> file;
  bool follow = false;
  uint32_t lines = 10;
};
struct ExecuteFlags {
  std::string master = default_master();
  std::string command;
  std::string name = "cairn-execute";
  std::string resources = "cpus:0.1;mem:32";
  std::optional<std::string> docker_image;
  std::string role = "*";
};

std::string encode(const std::string& text) { return http::percent_encode(text); }

// Reads [offset, offset+length) of a sandbox file; length -1: to the end.
Result<std::pair<std::string, long long>> read_chunk(BlockingClient& client, const TaskLocation& at,
                                                     const std::string& file, long long offset) {
  std::string url = at.agent_url + "/files/read?path=" + encode(at.directory + "/" + file) +
                    "&offset=" + std::to_string(offset);
  Result<nlohmann::json> json = client.get_json(url);
  if (!json.ok()) return Error(json.error());
  return std::make_pair((*json)["data"].get<std::string>(), (*json)["offset"].get<long long>());
}

Result<long long> file_size(BlockingClient& client, const TaskLocation& at, const std::string& file) {
  Result<nlohmann::json> json =
      client.get_json(at.agent_url + "/files/read?path=" + encode(at.directory + "/" + file) + "&offset=-1");
  if (!json.ok()) return Error(json.error());
  return (*json)["offset"].get<long long>();
}

}  // namespace

int run_state_command(const Args& args) {
  flags::FlagSet<MasterOnly> set("cairn state", "Print the leading master's /master/state JSON.");
  set.add(&MasterOnly::master, "master", kMasterHelp);
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("state", master.error());
  Result<nlohmann::json> state = client.get_json(*master + "/master/state");
  if (!state.ok()) return fail("state", state.error());
  std::printf("%s\n", state->dump(2).c_str());
  return 0;
}

int run_resolve_command(const Args& args) {
  flags::FlagSet<MasterOnly> set("cairn resolve", "Print the leading master's host:port.");
  set.add(&MasterOnly::master, "master", kMasterHelp);
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("resolve", master.error());
  Result<nlohmann::json> state = client.get_json(*master + "/master/state");
  if (!state.ok()) return fail("resolve", state.error());
  const nlohmann::json& leader = (*state)["leader_info"];
  std::printf("%s:%d\n", leader["address"].value("ip", leader.value("hostname", "")).c_str(),
              leader.value("port", 5050));
  return 0;
}

int run_ps_command(const Args& args) {
  flags::FlagSet<MasterOnly> set("cairn ps", "List the cluster's tasks.");
  set.add(&MasterOnly::master, "master", kMasterHelp);
  set.add(&MasterOnly::all, "all", "Also list finished tasks.");
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("ps", master.error());
  Result<nlohmann::json> state = client.get_json(*master + "/master/state");
  if (!state.ok()) return fail("ps", state.error());
  std::map<std::string, std::string> hosts;
  for (const auto& agent : (*state)["slaves"]) hosts[agent.value("id", "")] = agent.value("hostname", "");
  std::printf("%-36s %-16s %-14s %-20s %-14s %5s %7s\n", "ID", "NAME", "STATE", "FRAMEWORK", "AGENT", "CPUS", "MEM");
  for (const char* key : {"frameworks", "completed_frameworks"}) {
    for (const auto& f : (*state)[key]) {
      for (const char* list : {"tasks", "unreachable_tasks", "completed_tasks"}) {
        if (!flags->all && std::string(list) == "completed_tasks") continue;
        for (const auto& t : f.value(list, nlohmann::json::array())) {
          const nlohmann::json& r = t["resources"];
          std::string state_name = t.value("state", "");
          if (state_name.rfind("TASK_", 0) == 0) state_name = state_name.substr(5);
          std::printf("%-36s %-16.16s %-14s %-20.20s %-14.14s %5.2f %7.0f\n", t.value("id", "").c_str(),
                      t.value("name", "").c_str(), state_name.c_str(), f.value("name", "").c_str(),
                      hosts[t.value("slave_id", "")].c_str(), r.value("cpus", 0.0), r.value("mem", 0.0));
        }
      }
    }
  }
  return 0;
}

int run_ls_command(const Args& args) {
  flags::FlagSet<TaskFile> set("cairn ls", "List a task's sandbox.");
  set.add(&TaskFile::master, "master", kMasterHelp);
  set.positional(&TaskFile::task, "TASK", "Task id (or a unique prefix).");
  set.positional(&TaskFile::file, "PATH", "Directory inside the sandbox.");
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("ls", master.error());
  Result<TaskLocation> at = locate_task(client, *master, flags->task);
  if (!at.ok()) return fail("ls", at.error());
  std::string path = at->directory + (flags->file ? "/" + *flags->file : "");
  Result<nlohmann::json> entries = client.get_json(at->agent_url + "/files/browse?path=" + encode(path));
  if (!entries.ok()) return fail("ls", entries.error());
  for (const auto& e : *entries) {
    std::string name = e.value("path", "");
    name = name.substr(name.rfind('/') + 1);
    std::printf("%s %3d %-8s %-8s %10lld %s\n", e.value("mode", "").c_str(), e.value("nlink", 0),
                e.value("uid", "").c_str(), e.value("gid", "").c_str(), e.value("size", 0LL), name.c_str());
  }
  return 0;
}

int run_cat_command(const Args& args) {
  flags::FlagSet<TaskFile> set("cairn cat", "Print a file of a task's sandbox.");
  set.add(&TaskFile::master, "master", kMasterHelp);
  set.positional(&TaskFile::task, "TASK", "Task id (or a unique prefix).");
  set.positional(&TaskFile::file, "FILE", "File inside the sandbox (stdout, stderr, ...).");
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  if (!flags->file) return fail("cat", "missing FILE (e.g. stdout)");
  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("cat", master.error());
  Result<TaskLocation> at = locate_task(client, *master, flags->task);
  if (!at.ok()) return fail("cat", at.error());
  long long offset = 0;
  while (true) {
    auto chunk = read_chunk(client, *at, *flags->file, offset);
    if (!chunk.ok()) return fail("cat", chunk.error());
    if (chunk->first.empty()) break;
    std::fwrite(chunk->first.data(), 1, chunk->first.size(), stdout);
    offset = chunk->second + static_cast<long long>(chunk->first.size());
  }
  return 0;
}

int run_tail_command(const Args& raw) {
  // Accept the classic short options: -f and -n N.
  Args args;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == "-f") args.push_back("--follow");
    else if (raw[i] == "-n" && i + 1 < raw.size()) args.push_back("--lines=" + raw[++i]);
    else args.push_back(raw[i]);
  }
  flags::FlagSet<TaskFile> set("cairn tail", "Print the end of a file of a task's sandbox (-f: keep following).");
  set.add(&TaskFile::master, "master", kMasterHelp);
  set.add(&TaskFile::follow, "follow", "Keep printing what is appended (also -f).");
  set.add(&TaskFile::lines, "lines", "Lines to print first (also -n N).");
  set.positional(&TaskFile::task, "TASK", "Task id (or a unique prefix).");
  set.positional(&TaskFile::file, "FILE", "File inside the sandbox (default: stdout).");
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  std::string file = flags->file.value_or("stdout");
  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("tail", master.error());
  Result<TaskLocation> at = locate_task(client, *master, flags->task);
  if (!at.ok()) return fail("tail", at.error());
  Result<long long> size = file_size(client, *at, file);
  if (!size.ok()) return fail("tail", size.error());
  // Read back far enough for the wanted lines (at most 1 MB).
  long long start = std::max(0LL, *size - 1024 * 1024);
  std::string tail;
  long long offset = start;
  while (offset < *size) {
    auto chunk = read_chunk(client, *at, file, offset);
    if (!chunk.ok()) return fail("tail", chunk.error());
    if (chunk->first.empty()) break;
    tail += chunk->first;
    offset = chunk->second + static_cast<long long>(chunk->first.size());
  }
  size_t pos = tail.size();
  uint32_t newlines = 0;
  if (!tail.empty() && tail.back() == '\n') --pos;
  while (pos > 0) {
    if (tail[pos - 1] == '\n' && ++newlines == flags->lines) break;
    --pos;
  }
  std::fwrite(tail.data() + pos, 1, tail.size() - pos, stdout);
  std::fflush(stdout);
  while (flags->follow) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto chunk = read_chunk(client, *at, file, offset);
    if (!chunk.ok()) return fail("tail", chunk.error());
    if (chunk->first.empty()) continue;
    std::fwrite(chunk->first.data(), 1, chunk->first.size(), stdout);
    std::fflush(stdout);
    offset = chunk->second + static_cast<long long>(chunk->first.size());
  }
  return 0;
}

namespace {

// A one-task framework: launches the command on the first offer that fits,
// prints its updates, and stops when it ends.
class ExecuteOnce : public scheduler::Scheduler {
 public:
  ExecuteOnce(const ExecuteFlags& flags, Resources resources) : flags_(flags), resources_(std::move(resources)) {}
  void registered(scheduler::SchedulerDriver&, const std::string& id, const nlohmann::json&) override {
    std::fprintf(stderr, "cairn execute: framework %s registered\n", id.c_str());
  }
  void reregistered(scheduler::SchedulerDriver&, const nlohmann::json&) override {}
  void disconnected(scheduler::SchedulerDriver&) override {}
  void resource_offers(scheduler::SchedulerDriver& driver, const std::vector<nlohmann::json>& offers) override {
    for (const auto& offer : offers) {
      std::string offer_id = offer["id"]["value"];
      Result<Resources> offered = Resources::from_json(offer["resources"]);
      Resources wanted = resources_;
      if (flags_.role != "*") wanted.allocate(flags_.role);
      if (launched_ || !offered.ok() || !offered->contains(resources_)) {
        driver.decline_offer(offer_id, {{"refuse_seconds", launched_ ? 3600 : 1}});
        continue;
      }
      launched_ = true;
      nlohmann::json task{{"name", flags_.name},
                          {"task_id", {{"value", flags_.name + "-" + std::to_string(::getpid())}}},
                          {"agent_id", offer["agent_id"]},
                          {"resources", resources_.to_json()},
                          {"command", {{"value", flags_.command}}}};
      if (flags_.docker_image) {
        task["container"] = {{"type", "DOCKER"}, {"docker", {{"image", *flags_.docker_image}, {"network", "HOST"}}}};
      }
      driver.launch_tasks({offer_id}, {task});
      std::fprintf(stderr, "cairn execute: launching %s on %s\n", task["task_id"]["value"].get<std::string>().c_str(),
                   offer.value("hostname", "").c_str());
    }
  }
  void offer_rescinded(scheduler::SchedulerDriver&, const std::string&) override {}
  void status_update(scheduler::SchedulerDriver& driver, const nlohmann::json& status) override {
    std::string state = status.value("state", "");
    std::fprintf(stderr, "cairn execute: %s%s\n", state.c_str(),
                 status.contains("message") ? (": " + status["message"].get<std::string>()).c_str() : "");
    if (state == "TASK_FINISHED" || state == "TASK_FAILED" || state == "TASK_KILLED" || state == "TASK_LOST" ||
        state == "TASK_ERROR" || state == "TASK_DROPPED" || state == "TASK_GONE") {
      exit_code_ = state == "TASK_FINISHED" ? 0 : 1;
      done_ = true;
      driver.stop(false);
    }
  }
  void framework_message(scheduler::SchedulerDriver&, const std::string&, const std::string&, const std::string&) override {}
  void agent_lost(scheduler::SchedulerDriver&, const std::string&) override {}
  void executor_lost(scheduler::SchedulerDriver&, const std::string&, const std::string&, int) override {}
  void error(scheduler::SchedulerDriver& driver, const std::string& message) override {
    std::fprintf(stderr, "cairn execute: %s\n", message.c_str());
    exit_code_ = 1;
    done_ = true;
    driver.stop(false);
  }
  int exit_code() const { return exit_code_; }

 private:
  ExecuteFlags flags_;
  Resources resources_;
  bool launched_ = false;
  std::atomic<bool> done_{false};
  int exit_code_ = 1;
};

}  // namespace

int run_execute_command(const Args& args) {
  flags::FlagSet<ExecuteFlags> set("cairn execute", "Run one command as a task and wait for it to end.");
  set.add(&ExecuteFlags::master, "master", kMasterHelp);
  set.add(&ExecuteFlags::command, "command", "Shell command to run.").required();
  set.add(&ExecuteFlags::name, "name", "Task name (the id is NAME-PID).");
  set.add(&ExecuteFlags::resources, "resources", "Resources of the task, Mesos syntax.");
  set.add(&ExecuteFlags::docker_image, "docker_image", "Run the command in this Docker image.");
  set.add(&ExecuteFlags::role, "role", "Role to run in.");
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  Result<Resources> resources = Resources::parse(flags->resources);
  if (!resources.ok()) return fail("execute", "--resources: " + resources.error());
  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("execute", master.error());
  ExecuteOnce framework(*flags, *resources);
  // With ZooKeeper the driver follows the leader itself, fail-overs included.
  const std::string driver_master = zk::is_zk_url(flags->master) ? flags->master : *master;
  scheduler::SchedulerDriver driver(
      framework, {{"user", "root"}, {"name", "cairn-execute"}, {"role", flags->role}},
      scheduler::DriverOptions{.master = driver_master});
  driver.run();
  return framework.exit_code();
}

}  // namespace cairn::cli
