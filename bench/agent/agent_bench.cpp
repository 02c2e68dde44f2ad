// agent_bench: the real cairn-agent launching N command tasks, each under a
// real cairn-executor process.
//
// An in-process master (allocation interval 50ms) and the cairn-agent
// binary as a child process with room for 1,000 tasks of cpus 0.01 and mem 1
// (posix isolation: nothing is enforced). One framework, written as a
// third-party one would be (raw v1 JSON over lib/http, asynchronous, on an
// EventLoop of its own), launches "sleep 3600" tasks into the offers it
// gets, up to --batch per ACCEPT, and acknowledges every status update.
// Event arrival times are taken when the bytes come off the stream, so
// nothing the bench waits on distorts them.
//
// It prints the launch -> TASK_RUNNING latency (from sending the ACCEPT to
// the framework receiving TASK_RUNNING), tasks launched per second, the
// agent's RSS before any task and with all N running, the average RSS of a
// cairn-executor, and the agent memory per task. Figures only: nothing here
// asserts on time. It fails (exit 1) when not every task reaches
// TASK_RUNNING or executors outlive the framework's teardown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "bench/common/figures.hpp"
#include "bench/common/machine.hpp"
#include "daemons/master/testing/master_harness.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/http/client.hpp"
#include "lib/process/launch.hpp"
#include "lib/recordio/recordio.hpp"

namespace {

using cairn::EventLoop;
using cairn::Result;
using cairn::bench::Clock;
using cairn::bench::interrupted;
using cairn::bench::ms_between;
using cairn::bench::seconds_since;
using nlohmann::json;

constexpr const char* kAgentResources = "cpus:1000;mem:1000000;disk:100000;ports:[31000-32000]";
constexpr const char* kIsolation = "posix/cpu,posix/mem";
constexpr double kTaskCpus = 0.01;
constexpr double kTaskMem = 1;
constexpr const char* kTaskCommand = "sleep 3600";
constexpr auto kRunningTimeout = std::chrono::minutes(10);
constexpr auto kTeardownTimeout = std::chrono::seconds(60);

// Nearest rank of a sorted sample.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// ---- /proc --------------------------------------------------------------

// A "Key:   123 kB" value of /proc/<pid>/status, or -1.
long status_kib(pid_t pid, const char* key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const size_t n = std::strlen(key);
  while (std::getline(status, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':')
      return std::atol(line.c_str() + n + 1);
  }
  return -1;
}

long open_fds(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n;
}

// utime + stime of a process in seconds, or -1.
double cpu_seconds(pid_t pid) {
  Result<std::string> stat = cairn::fs::read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return -1;
  const size_t close_paren = stat->rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(stat->substr(close_paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields after the command: state(3) ... utime(14) stime(15).
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct SandboxProcess {
  pid_t pid;
  bool executor;  // cairn-executor (else: a task, or what it started)
};

// Processes whose environment has MESOS_DIRECTORY under `dir` (executors
// and, through inheritance, their tasks).
std::vector<SandboxProcess> sandbox_processes(const std::string& dir) {
  std::vector<SandboxProcess> out;
  const std::string needle = "MESOS_DIRECTORY=" + dir + "/";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      continue;
    }
    Result<std::string> environ = cairn::fs::read_file(entry.path().string() + "/environ");
    if (!environ.ok() || environ->find(needle) == std::string::npos) continue;
    std::error_code link_ec;
    std::string exe = std::filesystem::read_symlink(entry.path() / "exe", link_ec).filename();
    out.push_back({static_cast<pid_t>(std::stol(name)), exe == "cairn-executor"});
  }
  return out;
}

// SIGKILLs every process of the sandboxes under `dir` until none is left;
// returns how many were found the first time.
size_t kill_sandbox_processes(const std::string& dir) {
  size_t first = 0;
  for (int round = 0; round < 50; ++round) {
    std::vector<SandboxProcess> found = sandbox_processes(dir);
    if (round == 0) first = found.size();
    if (found.empty()) break;
    for (const SandboxProcess& p : found)
      ::kill(p.pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return first;
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

std::string tail_of(const std::string& path, size_t bytes) {
  Result<std::string> text = cairn::fs::read_file(path);
  if (!text.ok()) return "(" + text.error() + ")";
  return text->size() <= bytes ? *text : "..." + text->substr(text->size() - bytes);
}

// ---- the framework --------------------------------------------------------

struct TaskRecord {
  std::optional<Clock::time_point> accepted;
  std::optional<Clock::time_point> starting, running;
  std::string state;
};

struct FrameworkFigures {
  std::vector<double> accept_to_running_ms, accept_to_starting_ms;
  std::optional<Clock::time_point> first_accept, last_running;
  size_t launched = 0, running = 0, ended = 0, offers = 0, accept_calls = 0, acknowledgements = 0,
         call_errors = 0;
  std::vector<std::string> messages;
};

// A framework in raw v1 JSON on `loop`: start(), teardown(), stop() and
// figures() run on the loop thread; the counters are readable anywhere.
class BenchFramework {
 public:
  BenchFramework(EventLoop& loop, std::string master, size_t tasks, size_t batch)
      : loop_(loop), master_(std::move(master)), batch_(batch), tasks_(tasks) {}

  std::atomic<bool> subscribed{false};
  std::atomic<size_t> running{0};
  std::atomic<size_t> ended{0};  // terminal states (before or after running)
  std::atomic<bool> failed{false};

  void start() {
    client_ = std::make_unique<cairn::http::Client>(loop_);
    cairn::http::Request request;
    request.method = "POST";
    request.headers.set("Content-Type", "application/json");
    request.headers.set("Accept", "application/json");
    request.body = json{{"type", "SUBSCRIBE"},
                        {"subscribe",
                         {{"framework_info",
                           {{"user", "root"}, {"name", "agent_bench"}, {"failover_timeout", 0}}}}}}
                       .dump();
    cairn::http::Client::StreamCallbacks callbacks;
    callbacks.on_head = [this](const cairn::http::Response& head) {
      if (head.status != 200)
        return fail("SUBSCRIBE answered " + std::to_string(head.status) + ": " + head.body);
      stream_id_ = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
    };
    callbacks.on_data = [this](std::string_view data) {
      const Clock::time_point arrived = Clock::now();
      if (!decoder_.feed(data).ok()) return fail("malformed RecordIO on the event stream");
      while (auto record = decoder_.next()) {
        json event = json::parse(*record, nullptr, false);
        if (!event.is_discarded()) handle(event, arrived);
      }
    };
    callbacks.on_end = [this](cairn::Status status) {
      if (!stopping_)
        fail("event stream ended" + (status.ok() ? std::string() : ": " + status.error()));
    };
    stream_ = client_->open_stream(*cairn::http::Url::parse(master_ + "/api/v1/scheduler"),
                                   std::move(request), std::move(callbacks));
  }

  void teardown() {
    stopping_ = true;
    enqueue(json{{"type", "TEARDOWN"}}, false, {});
  }

  void stop() {
    stopping_ = true;
    if (stream_) stream_->cancel();
    stream_ = nullptr;
    client_.reset();
  }

  FrameworkFigures figures() const {
    FrameworkFigures f = counts_;
    for (const TaskRecord& t : tasks_) {
      if (t.accepted && t.running)
        f.accept_to_running_ms.push_back(ms_between(*t.accepted, *t.running));
      if (t.accepted && t.starting)
        f.accept_to_starting_ms.push_back(ms_between(*t.accepted, *t.starting));
    }
    std::sort(f.accept_to_running_ms.begin(), f.accept_to_running_ms.end());
    std::sort(f.accept_to_starting_ms.begin(), f.accept_to_starting_ms.end());
    f.running = running;
    f.ended = ended;
    f.messages = messages_;
    return f;
  }

 private:
  struct Call {
    json body;
    std::vector<size_t> tasks;  // an ACCEPT's tasks, stamped when it goes out
  };

  void fail(const std::string& message) {
    if (messages_.size() < 10) messages_.push_back(message);
    failed = true;
  }

  void handle(json& event, Clock::time_point arrived) {
    const std::string type = event.value("type", "");
    if (type == "SUBSCRIBED") {
      framework_id_ = event["subscribed"]["framework_id"]["value"];
      subscribed = true;
    } else if (type == "OFFERS") {
      for (const json& offer : event["offers"].value("offers", json::array()))
        offered(offer);
    } else if (type == "UPDATE") {
      updated(event["update"]["status"], arrived);
    } else if (type == "ERROR") {
      fail("ERROR event: " + event.dump());
    }
  }

  void offered(const json& offer) {
    ++counts_.offers;
    double cpus = 0, mem = 0;
    for (const json& r : offer.value("resources", json::array())) {
      if (r.value("type", "") != "SCALAR") continue;
      if (r.value("name", "") == "cpus") cpus += r["scalar"].value("value", 0.0);
      if (r.value("name", "") == "mem") mem += r["scalar"].value("value", 0.0);
    }
    const size_t fit = static_cast<size_t>(
        std::min(std::floor(cpus / kTaskCpus + 1e-6), std::floor(mem / kTaskMem)));
    const size_t count = std::min({batch_, tasks_.size() - counts_.launched, fit});
    if (count == 0) {
      // Everything is launched (or nothing fits): keep the offers away.
      const double refuse = counts_.launched == tasks_.size() ? 3600 : 1;
      enqueue(json{{"type", "DECLINE"},
                   {"decline",
                    {{"offer_ids", {offer["id"]}}, {"filters", {{"refuse_seconds", refuse}}}}}},
              false, {});
      return;
    }
    json infos = json::array();
    std::vector<size_t> indices;
    for (size_t i = 0; i < count; ++i) {
      const size_t index = counts_.launched++;
      const std::string id = "task-" + std::to_string(index);
      indices.push_back(index);
      infos.push_back({{"name", id},
                       {"task_id", {{"value", id}}},
                       {"agent_id", offer["agent_id"]},
                       {"resources",
                        {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", kTaskCpus}}}},
                         {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", kTaskMem}}}}}},
                       {"command", {{"value", kTaskCommand}}}});
      index_[id] = index;
    }
    ++counts_.accept_calls;
    // The rest of the offer comes back at the next allocation (50ms).
    enqueue(json{{"type", "ACCEPT"},
                 {"accept",
                  {{"offer_ids", {offer["id"]}},
                   {"operations", {{{"type", "LAUNCH"}, {"launch", {{"task_infos", infos}}}}}},
                   {"filters", {{"refuse_seconds", 0}}}}}},
            true, std::move(indices));
  }

  void updated(const json& status, Clock::time_point arrived) {
    const std::string id = status["task_id"].value("value", "");
    const std::string state = status.value("state", "");
    auto it = index_.find(id);
    if (it != index_.end()) {
      TaskRecord& task = tasks_[it->second];
      const bool was_terminal = is_terminal(task.state);
      task.state = state;
      if (state == "TASK_STARTING" && !task.starting) task.starting = arrived;
      if (state == "TASK_RUNNING" && !task.running) {
        task.running = arrived;
        counts_.last_running = arrived;
        ++running;
      }
      if (is_terminal(state) && !was_terminal && !stopping_) {
        if (task.running) --running;
        ++ended;
        fail(id + " " + state +
             (status.contains("reason") ? " " + status.value("reason", "") : std::string()) +
             (status.contains("message") ? ": " + status.value("message", "") : std::string()));
      }
    }
    if (status.contains("uuid")) {
      ++counts_.acknowledgements;
      enqueue(json{{"type", "ACKNOWLEDGE"},
                   {"acknowledge",
                    {{"agent_id", status["agent_id"]},
                     {"task_id", status["task_id"]},
                     {"uuid", status["uuid"]}}}},
              false, {});
    }
  }

  static bool is_terminal(const std::string& state) {
    return state == "TASK_FINISHED" || state == "TASK_FAILED" || state == "TASK_KILLED" ||
           state == "TASK_LOST" || state == "TASK_ERROR" || state == "TASK_DROPPED" ||
           state == "TASK_GONE" || state == "TASK_GONE_BY_OPERATOR";
  }

  // Calls go out with a few in flight, as a framework with a small pool of
  // connections would send them; an ACCEPT overtakes queued acknowledgements.
  void enqueue(json body, bool front, std::vector<size_t> tasks) {
    body["framework_id"] = {{"value", framework_id_}};
    Call call{std::move(body), std::move(tasks)};
    if (front) {
      queue_.push_front(std::move(call));
    } else {
      queue_.push_back(std::move(call));
    }
    dispatch();
  }

  void dispatch() {
    while (client_ && in_flight_ < kMaxInFlight && !queue_.empty()) {
      Call call = std::move(queue_.front());
      queue_.pop_front();
      const Clock::time_point now = Clock::now();
      if (!call.tasks.empty() && !counts_.first_accept) counts_.first_accept = now;
      for (size_t index : call.tasks)
        tasks_[index].accepted = now;
      cairn::http::Request request;
      request.method = "POST";
      request.headers.set("Content-Type", "application/json");
      request.headers.set("Accept", "application/json");
      request.headers.set("Mesos-Stream-Id", stream_id_);
      const std::string type = call.body.value("type", "");
      request.body = call.body.dump();
      ++in_flight_;
      client_->send(
          *cairn::http::Url::parse(master_ + "/api/v1/scheduler"), std::move(request),
          [this, type](Result<cairn::http::Response> response) {
            --in_flight_;
            if (!response.ok() || response->status != 202) {
              ++counts_.call_errors;
              if (!(stopping_ && type == "ACKNOWLEDGE")) {
                fail(type + " failed: " +
                     (response.ok() ? std::to_string(response->status) + " " + response->body
                                    : response.error()));
              }
            }
            dispatch();
          });
    }
  }

  static constexpr size_t kMaxInFlight = 8;

  EventLoop& loop_;
  std::string master_;
  size_t batch_;
  std::vector<TaskRecord> tasks_;
  std::unordered_map<std::string, size_t> index_;
  std::unique_ptr<cairn::http::Client> client_;
  std::shared_ptr<cairn::http::ClientStream> stream_;
  cairn::recordio::Decoder decoder_;
  std::string stream_id_, framework_id_;
  std::deque<Call> queue_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  FrameworkFigures counts_;
  std::vector<std::string> messages_;
};

// ---- the run ------------------------------------------------------------

// Polls GET <agent>/health from a thread of its own, recording the slowest
// answer: how long the agent's event loop stalls (every request is served
// on it).
class Prober {
 public:
  explicit Prober(std::string url) : url_(std::move(url)), thread_([this] { loop(); }) {}
  ~Prober() { stop(); }
  // The slowest answer in ms (-1: none) and how many probes failed.
  std::pair<double, size_t> stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    return {max_ms_, failures_};
  }

 private:
  void loop() {
    cairn::master::testing::TestClient client;
    while (!stopping_) {
      const Clock::time_point start = Clock::now();
      const int status = client.get(url_).status;
      max_ms_ = std::max(max_ms_, ms_between(start, Clock::now()));
      if (status != 200) ++failures_;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string url_;
  std::atomic<bool> stopping_{false};
  double max_ms_ = -1;
  size_t failures_ = 0;
  std::thread thread_;
};

struct Options {
  size_t tasks = 1000;
  size_t batch = 100;
  bool test_pings = false;  // keep the harness' 200ms x 3 agent ping timeouts
};

struct Figures {
  FrameworkFigures framework;
  long idle_rss_kib = -1, loaded_rss_kib = -1, idle_fds = -1, loaded_fds = -1;
  double launch_cpu_seconds = -1;
  double health_max_ms = -1;  // slowest GET /health while launching
  size_t health_failures = 0;
  size_t executors_found = 0, sandbox_processes_found = 0;
  double executor_rss_kib = -1, executor_anon_kib = -1;  // averages
  std::optional<double> teardown_seconds;                // unset: executors outlived the timeout
  size_t leftovers_killed = 0;
};

// The test harness' flags (allocation every 50ms), but Mesos' default
// agent ping timeouts (15secs x 5) instead of the tests' 200ms x 3: the
// agent answers a PING with a PONG queued behind its status updates, and
// during a burst of launches that takes longer than 600ms, so the master
// would mark it unreachable (--test-pings shows it).
cairn::master::MasterFlags master_flags(const std::string& work_dir, bool test_pings) {
  cairn::master::MasterFlags flags = cairn::master::testing::test_master_flags(work_dir);
  if (test_pings) return flags;
  const cairn::master::MasterFlags defaults;
  flags.agent_ping_timeout = defaults.agent_ping_timeout;
  flags.max_agent_ping_timeouts = defaults.max_agent_ping_timeouts;
  return flags;
}

class Bench {
 public:
  Bench(Options options, std::string dir) : options_(options), dir_(std::move(dir)) {}
  ~Bench() { cleanup(); }

  // The run up to the measurements; false (message printed) on failure.
  bool run(Figures& out);
  // Teardown and removal of everything; safe to call more than once.
  void cleanup(Figures* out = nullptr);

 private:
  bool start_agent();
  bool agent_alive() { return agent_pid_ > 0 && cairn::process::process_alive(agent_pid_, true); }
  std::string agent_url() const { return "http://127.0.0.1:" + std::to_string(agent_port_); }
  // Live executors the agent reports, or -1 when /state does not answer.
  long live_executors();
  bool wait(const std::function<bool()>& done, Clock::duration timeout, const char* what);

  Options options_;
  std::string dir_;
  std::unique_ptr<cairn::master::testing::MasterProcess> master_;
  std::unique_ptr<cairn::master::testing::TestClient> client_;
  std::unique_ptr<EventLoop> framework_loop_;
  std::unique_ptr<BenchFramework> framework_;
  pid_t agent_pid_ = -1;
  uint16_t agent_port_ = 0;
  bool cleaned_ = false;
};

bool Bench::wait(const std::function<bool()>& done, Clock::duration timeout, const char* what) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (interrupted()) {
      std::fprintf(stderr, "interrupted while waiting for %s\n", what);
      return false;
    }
    if (!agent_alive()) {
      std::fprintf(stderr, "cairn-agent exited while waiting for %s; its log ends:\n%s\n", what,
                   tail_of(dir_ + "/agent.log", 4000).c_str());
      agent_pid_ = -1;
      return false;
    }
    if (Clock::now() >= deadline) {
      std::fprintf(stderr, "timed out waiting for %s\n", what);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool Bench::start_agent() {
  agent_port_ = free_port();
  if (agent_port_ == 0) {
    std::fprintf(stderr, "no free port for the agent\n");
    return false;
  }
  const char* path = ::getenv("PATH");
  cairn::process::ProcessSpec spec{
      {CAIRN_AGENT_BINARY, "--master=" + master_->url(), "--work_dir=" + dir_ + "/agent",
       "--ip=127.0.0.1", "--port=" + std::to_string(agent_port_),
       std::string("--resources=") + kAgentResources, std::string("--isolation=") + kIsolation,
       "--executor_registration_timeout=5mins"},
      {{"PATH", path ? path : "/usr/bin:/bin"}},
      dir_ + "/agent",
      dir_ + "/agent.log",
      dir_ + "/agent.log"};
  Result<pid_t> pid = cairn::process::launch_process(spec);
  if (!pid.ok()) {
    std::fprintf(stderr, "cannot start %s: %s\n", CAIRN_AGENT_BINARY, pid.error().c_str());
    return false;
  }
  agent_pid_ = *pid;
  return true;
}

long Bench::live_executors() {
  cairn::http::Response response = client_->get(agent_url() + "/state");
  if (response.status != 200) return -1;
  json state = json::parse(response.body, nullptr, false);
  if (state.is_discarded()) return -1;
  long live = 0;
  for (const json& framework : state.value("frameworks", json::array())) {
    live += static_cast<long>(framework.value("executors", json::array()).size());
  }
  return live;
}

bool Bench::run(Figures& out) {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  std::filesystem::create_directories(dir_ + "/agent", ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", dir_.c_str(), ec.message().c_str());
    return false;
  }
  master_ = std::make_unique<cairn::master::testing::MasterProcess>(
      master_flags(dir_ + "/master", options_.test_pings));
  if (master_->port() == 0) {
    std::fprintf(stderr, "the master did not start\n");
    return false;
  }
  client_ = std::make_unique<cairn::master::testing::TestClient>();
  if (!start_agent()) return false;
  if (!wait(
          [&] {
            json m = json::parse(client_->get(master_->url() + "/metrics/snapshot").body, nullptr,
                                 false);
            return !m.is_discarded() && m.value("master/slaves_active", 0.0) == 1.0;
          },
          std::chrono::seconds(60), "the agent to register")) {
    return false;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let it settle
  out.idle_rss_kib = status_kib(agent_pid_, "VmRSS");
  out.idle_fds = open_fds(agent_pid_);
  const double cpu_before = cpu_seconds(agent_pid_);

  auto prober = std::make_unique<Prober>(agent_url() + "/health");
  framework_loop_ = std::make_unique<EventLoop>();
  framework_loop_->start_thread();
  framework_ = std::make_unique<BenchFramework>(*framework_loop_, master_->url(), options_.tasks,
                                                options_.batch);
  framework_loop_->post([this] { framework_->start(); });
  if (!wait([&] { return framework_->subscribed || framework_->failed; }, std::chrono::seconds(30),
            "the framework to subscribe") ||
      framework_->failed) {
    FrameworkFigures figures = framework_loop_->call([&] { return framework_->figures(); });
    for (const std::string& m : figures.messages)
      std::fprintf(stderr, "  %s\n", m.c_str());
    return false;
  }

  auto last_progress = Clock::now();
  const bool all_running = wait(
      [&] {
        if (Clock::now() - last_progress > std::chrono::seconds(10)) {
          last_progress = Clock::now();
          std::fprintf(stderr, "  %zu/%zu running\n", framework_->running.load(), options_.tasks);
        }
        return framework_->running == options_.tasks ||
               framework_->running + framework_->ended >= options_.tasks;
      },
      kRunningTimeout, "every task to be RUNNING");
  std::tie(out.health_max_ms, out.health_failures) = prober->stop();
  out.framework = framework_loop_->call([&] { return framework_->figures(); });
  if (!all_running || out.framework.running < options_.tasks) {
    std::fprintf(stderr, "%zu of %zu tasks reached TASK_RUNNING (%zu ended)\n",
                 out.framework.running, options_.tasks, out.framework.ended);
    for (const std::string& m : out.framework.messages)
      std::fprintf(stderr, "  %s\n", m.c_str());
    std::fprintf(stderr, "the agent's log ends:\n%s\n", tail_of(dir_ + "/agent.log", 3000).c_str());
    return false;
  }

  std::this_thread::sleep_for(
      std::chrono::seconds(2));  // the last acknowledgements reach the agent
  out.loaded_rss_kib = status_kib(agent_pid_, "VmRSS");
  out.loaded_fds = open_fds(agent_pid_);
  out.launch_cpu_seconds = cpu_seconds(agent_pid_) - cpu_before;
  long executor_rss = 0, executor_anon = 0;
  for (const SandboxProcess& p : sandbox_processes(dir_)) {
    ++out.sandbox_processes_found;
    if (!p.executor) continue;
    const long rss = status_kib(p.pid, "VmRSS"), anon = status_kib(p.pid, "RssAnon");
    if (rss < 0 || anon < 0) continue;
    ++out.executors_found;
    executor_rss += rss;
    executor_anon += anon;
  }
  if (out.executors_found > 0) {
    out.executor_rss_kib = static_cast<double>(executor_rss) / out.executors_found;
    out.executor_anon_kib = static_cast<double>(executor_anon) / out.executors_found;
  }
  return true;
}

void Bench::cleanup(Figures* out) {
  if (cleaned_) return;
  cleaned_ = true;
  // The framework's teardown: the agent shuts its executors down.
  if (framework_) {
    framework_loop_->call([&] { framework_->teardown(); });
    const auto start = Clock::now();
    long live = -1;
    while (agent_alive() && !interrupted() && Clock::now() - start < kTeardownTimeout) {
      live = live_executors();
      if (live == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (live == 0 && out != nullptr) out->teardown_seconds = seconds_since(start);
    if (live > 0) {
      std::fprintf(stderr, "%.0fs after TEARDOWN the agent still reports %ld live executors\n",
                   seconds_since(start), live);
    } else if (live < 0 && agent_alive() && !interrupted()) {
      std::fprintf(stderr, "the agent's /state did not answer after TEARDOWN\n");
    }
    framework_loop_->call([&] { framework_->stop(); });
    framework_loop_->stop();
    framework_loop_->join();
    framework_.reset();
    framework_loop_.reset();
  }
  if (agent_pid_ > 0) {
    ::kill(agent_pid_, SIGTERM);
    const auto start = Clock::now();
    while (cairn::process::process_alive(agent_pid_, true) &&
           Clock::now() - start < std::chrono::seconds(15)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (cairn::process::process_alive(agent_pid_, true)) {
      std::fprintf(stderr, "cairn-agent ignored SIGTERM for 15s; killing it\n");
      ::kill(agent_pid_, SIGKILL);
      ::waitpid(agent_pid_, nullptr, 0);
    }
    agent_pid_ = -1;
  }
  const size_t leftovers = kill_sandbox_processes(dir_);
  if (out != nullptr) out->leftovers_killed = leftovers;
  if (leftovers > 0) std::fprintf(stderr, "killed %zu leftover sandbox processes\n", leftovers);
  client_.reset();
  master_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void usage(const char* argv0) {
  std::printf(
      "usage: %s [--tasks=N] [--batch=B] [--quick] [--test-pings]\n"
      "  Starts an in-process master and the real cairn-agent, launches N command\n"
      "  tasks (\"%s\", cpus %.2f, mem %.0f) through real cairn-executor processes,\n"
      "  up to B per ACCEPT (default N=1000, B=100; --quick: N=50), and prints\n"
      "  launch latency, launch rate and memory figures. --test-pings keeps the\n"
      "  test harness' agent ping timeouts (200ms x 3) instead of Mesos' 15secs x 5.\n",
      argv0, kTaskCommand, kTaskCpus, kTaskMem);
}

std::optional<size_t> parse_count(const char* text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v == 0 || v > 100000) return std::nullopt;
  return static_cast<size_t>(v);
}

double mib(long kib) {
  return kib < 0 ? -1.0 : static_cast<double>(kib) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::optional<size_t> value;
    if (arg == "--quick") {
      options.tasks = 50;
    } else if (arg.rfind("--tasks=", 0) == 0 && (value = parse_count(argv[i] + 8))) {
      options.tasks = *value;
    } else if (arg.rfind("--batch=", 0) == 0 && (value = parse_count(argv[i] + 8))) {
      options.batch = *value;
    } else if (arg == "--test-pings") {
      options.test_pings = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(argv[0]);
      return 0;
    } else {
      std::fprintf(stderr, "bad argument '%s'\n", argv[i]);
      usage(argv[0]);
      return 2;
    }
  }

  cairn::bench::catch_interrupts();
  // Every executor holds connections to the agent.
  cairn::bench::raise_file_limit(argv[0]);
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);

  const std::string dir =
      (std::filesystem::temp_directory_path() / ("cairn-agent-bench-" + std::to_string(::getpid())))
          .string();
  Figures f;
  bool ok = false;
  {
    Bench bench(options, dir);
    ok = bench.run(f);
    bench.cleanup(ok ? &f : nullptr);
  }
  if (!ok) return 1;

  const FrameworkFigures& fw = f.framework;
  const std::vector<double>& lat = fw.accept_to_running_ms;
  const double wall =
      fw.first_accept && fw.last_running
          ? std::chrono::duration<double>(*fw.last_running - *fw.first_accept).count()
          : 0;
  std::printf(
      "cairn-agent with real processes: %zu command tasks (\"%s\", cpus %.2f, mem %.0f), up to %zu "
      "per ACCEPT\n",
      options.tasks, kTaskCommand, kTaskCpus, kTaskMem, options.batch);
  std::printf(
      "agent %s, isolation %s; master in-process (allocation 50ms); %u CPUs; RLIMIT_NOFILE "
      "%llu\n\n",
      kAgentResources, kIsolation, std::thread::hardware_concurrency(),
      static_cast<unsigned long long>(files.rlim_cur));
  auto row = [](const char* name, const std::string& value) {
    std::printf("  %-44s %20s\n", name, value.c_str());
  };
  auto num = [](double v, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
    return std::string(buffer);
  };
  std::printf("  %-44s %20s\n", "figure", "value");
  row("tasks RUNNING", std::to_string(fw.running) + "/" + std::to_string(options.tasks));
  row("ACCEPT calls / offers received",
      std::to_string(fw.accept_calls) + "/" + std::to_string(fw.offers));
  row("launch->RUNNING min (ms)", num(lat.empty() ? 0 : lat.front(), 1));
  row("launch->RUNNING p50 (ms)", num(percentile(lat, 0.50), 1));
  row("launch->RUNNING p90 (ms)", num(percentile(lat, 0.90), 1));
  row("launch->RUNNING p99 (ms)", num(percentile(lat, 0.99), 1));
  row("launch->RUNNING max (ms)", num(lat.empty() ? 0 : lat.back(), 1));
  row("launch->STARTING p50 / max (ms)",
      num(percentile(fw.accept_to_starting_ms, 0.5), 1) + " / " +
          num(fw.accept_to_starting_ms.empty() ? 0 : fw.accept_to_starting_ms.back(), 1));
  row("first ACCEPT -> last RUNNING (s)", num(wall, 2));
  row("tasks launched per second", num(wall > 0 ? static_cast<double>(fw.running) / wall : 0, 1));
  row("agent RSS idle (MiB)", num(mib(f.idle_rss_kib), 1));
  row("agent RSS with all tasks running (MiB)", num(mib(f.loaded_rss_kib), 1));
  row("agent memory per task (KiB)", num(static_cast<double>(f.loaded_rss_kib - f.idle_rss_kib) /
                                             static_cast<double>(options.tasks),
                                         1));
  row("agent CPU time while launching (s)", num(f.launch_cpu_seconds, 2));
  row("agent slowest GET /health while launching (ms)",
      num(f.health_max_ms, 1) +
          (f.health_failures > 0 ? " (" + std::to_string(f.health_failures) + " failed)" : ""));
  row("agent open fds idle / with tasks",
      std::to_string(f.idle_fds) + "/" + std::to_string(f.loaded_fds));
  row("cairn-executor processes found", std::to_string(f.executors_found));
  row("per-executor RSS (MiB, average VmRSS)",
      num(f.executor_rss_kib < 0 ? -1 : f.executor_rss_kib / 1024.0, 2));
  row("  of which private (MiB, average RssAnon)",
      num(f.executor_anon_kib < 0 ? -1 : f.executor_anon_kib / 1024.0, 2));
  row("sandbox processes (executors + tasks)", std::to_string(f.sandbox_processes_found));
  row("TEARDOWN -> no live executors (s)",
      f.teardown_seconds ? num(*f.teardown_seconds, 2) : "timeout");
  row("leftover processes killed after SIGTERM", std::to_string(f.leftovers_killed));
  std::printf(
      "\nlaunch->RUNNING: from sending the ACCEPT to TASK_RUNNING arriving at the framework\n"
      "tasks launched per second: tasks RUNNING / (last RUNNING - first ACCEPT)\n"
      "agent memory per task: (RSS with all tasks running - idle RSS) / tasks\n");
  if (!f.teardown_seconds || f.leftovers_killed > 0) {
    std::fprintf(stderr, "executors outlived the framework's teardown\n");
    return 1;
  }
  return 0;
}
