// master_load: a real cairn-master under N simulated agents and M frameworks,
// all over the real HTTP protocols, and the figures that come out.
//
// For each configuration the benchmark spawns cairn-master as a child
// process (loopback, a free port, a temporary work dir, --quiet), then
//   1. reads the master's RSS with no agent (baseline);
//   2. starts N SimulatedAgents (daemons/master/testing) on two client event
//      loops and waits until the master reports master/slaves_active == N;
//   3. starts M raw-JSON v1 frameworks (load_framework.hpp) that launch T
//      tasks between them (cpus 0.1, mem 32, "sleep 1000") and acknowledge
//      every update, and waits until all T tasks are TASK_RUNNING;
//   4. prints launch throughput, offer→RUNNING latency and the master's RSS
//      and CPU time at each stage.
// Every run gets a fresh master; its log goes to the temporary directory
// and is copied out when a run fails (or with --keep_log).
//
// Reading the figures: the machine is shared (the load average is printed);
// and a SimulatedAgent sends each status update on a connection of its own
// when others are busy (lib/http Client has no per-host connection cap), so
// a burst of k launches on one agent opens k connections at once. At 1000
// agents and 10000 tasks that overflows the master's listen queue and its
// connection cap, and the dropped updates are only re-sent after the
// agent's retry interval (5 s here): launch time and latency then say more
// about connection handling than about the master's task bookkeeping.
// Figures only: nothing asserts on time. The exit status is non-zero only
// when a run could not complete (the master died, agents did not register,
// tasks did not all reach RUNNING within --timeout), with what was missing.
//
//   master_load                     the default configurations
//   master_load --quick             a small one (CI smoke run)
//   master_load --agents=N --frameworks=M --tasks=T
//   options: --allocation_interval=100ms --timeout=300 (seconds)
//            --max_tasks_per_offer=K (default: as many as fit)
//            --verbose (a timeline of the launch phase)
//            --keep_log (keep a copy of each master's log in the temp dir)
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/bench_args.hpp"
#include "bench/common/figures.hpp"
#include "bench/common/machine.hpp"
#include "bench/common/master_child.hpp"
#include "bench/master_load/load_framework.hpp"
#include "daemons/master/testing/master_harness.hpp"
#include "daemons/master/testing/simulated_agent.hpp"

#ifndef CAIRN_MASTER_BINARY
#error "CAIRN_MASTER_BINARY must name the cairn-master executable"
#endif

namespace {

using cairn::Duration;
using cairn::Error;
using cairn::EventLoop;
using cairn::Result;
using cairn::bench::Clock;
using cairn::bench::interrupted;
using cairn::bench::load_average;
using cairn::bench::LoadFramework;
using cairn::bench::LoadFrameworkFigures;
using cairn::bench::LoadFrameworkOptions;
using cairn::bench::LoadProgress;
using cairn::bench::MasterChild;
using cairn::bench::MasterChildOptions;
using cairn::bench::seconds_since;
using cairn::bench::whole;
using cairn::master::testing::SimulatedAgent;
using cairn::master::testing::SimulatedAgentOptions;
using cairn::master::testing::TestClient;

constexpr const char* kAgentResources = "cpus:32;mem:131072;disk:1000000;ports:[31000-32000]";
constexpr size_t kLoops = 2;  // client event loops (the machine has 2 cores)
constexpr const char* kProgram = "master_load";

struct Config {
  size_t agents;
  size_t frameworks;
  size_t tasks;
};

struct Settings {
  std::vector<Config> configs;
  std::string allocation_interval = "100ms";
  int timeout_seconds = 300;
  size_t max_tasks_per_offer = 0;
  bool verbose = false;
  bool keep_log = false;
};

struct Figures {
  Config config{};
  double register_s = 0;
  double launch_s = 0;  // first offer → last TASK_RUNNING
  double tasks_per_s = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;  // offer → RUNNING, ms
  double accept_p50 = 0, accept_p99 = 0;      // ACCEPT sent → RUNNING, ms
  long rss_base_kib = -1, rss_agents_kib = -1, rss_tasks_kib = -1;
  double cpu_register_s = 0, cpu_launch_s = 0;
  size_t offers = 0, declined = 0, accept_calls = 0, acks = 0, relaunched = 0, call_errors = 0;
  double master_tasks_running = -1;
  size_t unacknowledged = 0;  // agent-side updates still waiting for an ack
  double load_before = -1, load_after = -1;
  std::string saved_log;  // --keep_log
  struct Sample {
    double at_s;  // since the frameworks started
    size_t running;
    long master_fds;
    double master_cpu_s;
  };
  std::vector<Sample> timeline;  // --verbose
};

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// One configuration against a fresh master. The destructor tears everything
// down (master first, then agents and frameworks on their loops), whatever
// happened.
class Run {
 public:
  Run(Config config, const Settings& settings) : config_(config), settings_(settings) {}
  ~Run() { teardown(); }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  Result<Figures> execute();

 private:
  // Polls `done` until it holds; fails early when the master dies, a
  // framework reports a fatal error or the user interrupts.
  Result<bool> wait_until(const std::string& what, Duration timeout,
                          const std::function<bool()>& done,
                          const std::function<std::string()>& missing);
  double metric(const char* name);
  size_t registered_agents() const;
  size_t unacknowledged_updates() const;
  std::vector<LoadFrameworkFigures> framework_figures();
  std::string describe_frameworks();
  void teardown();

  Config config_;
  const Settings& settings_;
  std::unique_ptr<MasterChild> master_;
  std::unique_ptr<TestClient> http_;  // blocking calls from this thread
  std::array<std::unique_ptr<EventLoop>, kLoops> loops_;
  std::array<std::vector<std::unique_ptr<SimulatedAgent>>, kLoops> agents_;
  std::array<std::vector<std::shared_ptr<LoadFramework>>, kLoops> frameworks_;
  LoadProgress progress_;
};

Result<bool> Run::wait_until(const std::string& what, Duration timeout,
                             const std::function<bool()>& done,
                             const std::function<std::string()>& missing) {
  const auto deadline = Clock::now() + timeout.chrono();
  while (true) {
    if (done()) return true;
    std::string problem;
    if (auto exit = master_->exited()) {
      problem = "cairn-master " + *exit;
    } else if (auto failure = progress_.failure()) {
      problem = *failure;
    } else if (interrupted()) {
      problem = "interrupted";
    } else if (Clock::now() >= deadline) {
      problem =
          "timed out after " + std::to_string(timeout.chrono().count() / 1'000'000'000) + " s";
    }
    if (!problem.empty()) {
      if (!master_->exited()) {
        // A stream cut by a master that is going down: say so.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (auto exit = master_->exited()) problem += " (cairn-master " + *exit + ")";
      }
      std::string message = "while waiting for " + what + ": " + problem;
      std::string state = missing ? missing() : "";
      if (!state.empty()) message += "\n" + state;
      std::string log = master_->log_tail();
      if (!log.empty()) message += "\nlast lines of the master's output:\n" + log;
      std::string saved = master_->save_log();
      if (!saved.empty()) message += "the master's whole log: " + saved + "\n";
      return Error(message);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

double Run::metric(const char* name) {
  std::optional<nlohmann::json> snapshot = cairn::bench::metrics_snapshot(*http_, *master_);
  return snapshot ? cairn::bench::metric_value(*snapshot, name) : -1;
}

size_t Run::registered_agents() const {
  size_t count = 0;
  for (const auto& loop_agents : agents_) {
    for (const auto& agent : loop_agents)
      count += agent->registered() ? 1 : 0;
  }
  return count;
}

size_t Run::unacknowledged_updates() const {
  size_t count = 0;
  for (const auto& loop_agents : agents_) {
    for (const auto& agent : loop_agents)
      count += agent->pending_updates();
  }
  return count;
}

std::vector<LoadFrameworkFigures> Run::framework_figures() {
  std::vector<LoadFrameworkFigures> out;
  for (size_t l = 0; l < kLoops; ++l) {
    if (!loops_[l]) continue;
    loops_[l]->call([&] {
      for (const auto& framework : frameworks_[l])
        out.push_back(framework->figures());
    });
  }
  return out;
}

std::string Run::describe_frameworks() {
  std::string out = "tasks RUNNING: " + std::to_string(progress_.running.load()) + "/" +
                    std::to_string(config_.tasks) +
                    "; frameworks subscribed: " + std::to_string(progress_.subscribed.load()) +
                    "/" + std::to_string(config_.frameworks);
  for (const LoadFrameworkFigures& f : framework_figures()) {
    out += "\n  framework " +
           (f.framework_id.empty() ? std::string("(not subscribed)") : f.framework_id) +
           ": running " + std::to_string(f.running) + ", launched and waiting " +
           std::to_string(f.outstanding) + ", relaunched " + std::to_string(f.failed) +
           ", offers " + std::to_string(f.offers) + ", call errors " +
           std::to_string(f.call_errors);
    for (const std::string& message : f.messages)
      out += "\n    " + message;
  }
  out += "\nmaster: tasks_running=" + whole(metric("master/tasks_running")) +
         " tasks_staging=" + whole(metric("master/tasks_staging")) +
         " slaves_active=" + whole(metric("master/slaves_active")) +
         "; agent updates not acknowledged: " + std::to_string(unacknowledged_updates());
  return out;
}

Result<Figures> Run::execute() {
  Figures figures;
  figures.config = config_;
  figures.load_before = load_average();

  MasterChildOptions options;
  options.binary = CAIRN_MASTER_BINARY;
  options.allocation_interval = settings_.allocation_interval;
  Result<std::unique_ptr<MasterChild>> spawned = MasterChild::spawn(options);  // before any thread
  if (!spawned.ok()) return Error("cannot start cairn-master: " + spawned.error());
  master_ = std::move(*spawned);
  http_ = std::make_unique<TestClient>();
  for (auto& loop : loops_) {
    loop = std::make_unique<EventLoop>();
    loop->start_thread();
  }

  Result<bool> ok =
      wait_until("the master to answer GET /master/health", Duration::seconds(30),
                 [&] { return http_->get(master_->url() + "/master/health").status == 200; }, {});
  if (!ok.ok()) return Error(ok.error());
  figures.rss_base_kib = master_->rss_kib();

  // Agents.
  const double cpu_before_agents = master_->cpu_seconds();
  const Clock::time_point agents_started = Clock::now();
  for (size_t i = 0; i < config_.agents; ++i) {
    SimulatedAgentOptions agent;
    agent.master = master_->url();
    agent.hostname = "agent-" + std::to_string(i) + ".load";
    agent.resources = kAgentResources;
    agent.update_retry = Duration::seconds(5);
    agents_[i % kLoops].push_back(std::make_unique<SimulatedAgent>(*loops_[i % kLoops], agent));
  }
  for (size_t l = 0; l < kLoops; ++l) {
    auto* list = &agents_[l];
    loops_[l]->post([list] {
      for (auto& agent : *list)
        agent->start();
    });
  }
  const double wanted_agents = static_cast<double>(config_.agents);
  ok = wait_until(
      "master/slaves_active == " + std::to_string(config_.agents),
      Duration::seconds(settings_.timeout_seconds),
      [&] { return metric("master/slaves_active") == wanted_agents; },
      [&] {
        return "agents registered: " + std::to_string(registered_agents()) + "/" +
               std::to_string(config_.agents) +
               "; master/slaves_active=" + whole(metric("master/slaves_active"));
      });
  if (!ok.ok()) return Error(ok.error());
  figures.register_s = seconds_since(agents_started);
  figures.cpu_register_s = master_->cpu_seconds() - cpu_before_agents;
  figures.rss_agents_kib = master_->rss_kib();

  // Frameworks.
  const double cpu_before_tasks = master_->cpu_seconds();
  for (size_t j = 0; j < config_.frameworks; ++j) {
    LoadFrameworkOptions framework;
    framework.master = master_->url();
    framework.index = static_cast<int>(j);
    framework.tasks =
        config_.tasks / config_.frameworks + (j < config_.tasks % config_.frameworks ? 1 : 0);
    framework.max_tasks_per_offer = settings_.max_tasks_per_offer;
    auto instance = std::make_shared<LoadFramework>(*loops_[j % kLoops], framework, progress_);
    frameworks_[j % kLoops].push_back(instance);
    loops_[j % kLoops]->post([instance] { instance->start(); });
  }
  const Clock::time_point frameworks_started = Clock::now();
  Clock::time_point next_sample = frameworks_started;
  ok = wait_until(
      "all " + std::to_string(config_.tasks) + " tasks to be TASK_RUNNING",
      Duration::seconds(settings_.timeout_seconds),
      [&] {
        if (settings_.verbose && Clock::now() >= next_sample) {
          next_sample += std::chrono::milliseconds(500);
          figures.timeline.push_back({seconds_since(frameworks_started), progress_.running.load(),
                                      master_->open_fds(),
                                      master_->cpu_seconds() - cpu_before_tasks});
        }
        return progress_.running.load() >= config_.tasks;
      },
      [&] { return describe_frameworks(); });
  if (!ok.ok()) return Error(ok.error());
  figures.cpu_launch_s = master_->cpu_seconds() - cpu_before_tasks;

  // Let the acknowledgements reach the agents before measuring memory
  // (bounded; what is left is reported).
  (void)wait_until("acknowledgements to reach the agents", Duration::seconds(30),
                   [&] { return unacknowledged_updates() == 0; }, {});
  figures.unacknowledged = unacknowledged_updates();
  figures.rss_tasks_kib = master_->rss_kib();
  figures.master_tasks_running = metric("master/tasks_running");
  if (auto exit = master_->exited()) {
    std::string saved = master_->save_log();
    return Error("cairn-master " + *exit + " before the end of the run" +
                 (saved.empty() ? std::string() : "; its log: " + saved));
  }
  if (auto failure = progress_.failure()) {
    std::string saved = master_->save_log();
    return Error(*failure + (saved.empty() ? std::string() : "\nthe master's whole log: " + saved));
  }

  std::vector<double> latencies, accept_latencies;
  std::optional<Clock::time_point> first_offer, last_running;
  for (const LoadFrameworkFigures& f : framework_figures()) {
    latencies.insert(latencies.end(), f.offer_to_running_ms.begin(), f.offer_to_running_ms.end());
    accept_latencies.insert(accept_latencies.end(), f.accept_to_running_ms.begin(),
                            f.accept_to_running_ms.end());
    if (f.first_offer && (!first_offer || *f.first_offer < *first_offer))
      first_offer = f.first_offer;
    if (f.last_running && (!last_running || *f.last_running > *last_running))
      last_running = f.last_running;
    figures.offers += f.offers;
    figures.declined += f.declined;
    figures.accept_calls += f.accept_calls;
    figures.acks += f.acknowledgements;
    figures.relaunched += f.failed;
    figures.call_errors += f.call_errors;
  }
  std::sort(latencies.begin(), latencies.end());
  std::sort(accept_latencies.begin(), accept_latencies.end());
  figures.p50 = percentile(latencies, 50);
  figures.p90 = percentile(latencies, 90);
  figures.p99 = percentile(latencies, 99);
  figures.max = latencies.empty() ? 0 : latencies.back();
  figures.accept_p50 = percentile(accept_latencies, 50);
  figures.accept_p99 = percentile(accept_latencies, 99);
  if (first_offer && last_running) {
    figures.launch_s = std::chrono::duration<double>(*last_running - *first_offer).count();
  }
  figures.load_after = load_average();
  if (settings_.keep_log) figures.saved_log = master_->save_log();
  figures.tasks_per_s =
      figures.launch_s > 0 ? static_cast<double>(config_.tasks) / figures.launch_s : 0;
  return figures;
}

void Run::teardown() {
  progress_.stopping = true;
  if (master_) master_->stop();
  for (size_t l = 0; l < kLoops; ++l) {
    if (!loops_[l]) continue;
    // Agents and frameworks own clients and timers of their loop: release
    // them there.
    loops_[l]->call([&] {
      for (auto& framework : frameworks_[l])
        framework->stop();
      frameworks_[l].clear();
      agents_[l].clear();
    });
    loops_[l]->stop();
    loops_[l]->join();
    loops_[l].reset();
  }
  http_.reset();
  master_.reset();
}

void print_header(const Settings& settings) {
  std::printf(
      "cairn-master under load: simulated agents (%s) and raw v1 JSON frameworks over HTTP\n",
      kAgentResources);
  std::printf("tasks: cpus 0.1, mem 32, \"sleep 1000\"; --allocation_interval=%s; %s per offer\n",
              settings.allocation_interval.c_str(),
              settings.max_tasks_per_offer == 0
                  ? "as many tasks as fit"
                  : ("at most " + std::to_string(settings.max_tasks_per_offer) + " tasks").c_str());
  std::printf("%6s %5s %6s | %6s %8s %7s | %7s %7s %7s %7s | %8s %8s %8s | %8s %7s | %6s %6s\n",
              "agents", "fwks", "tasks", "reg s", "launch s", "tasks/s", "p50 ms", "p90 ms",
              "p99 ms", "max ms", "RSS0 MiB", "RSS1 MiB", "RSS2 MiB", "KiB/agt", "KiB/tsk",
              "cpu1 s", "cpu2 s");
  std::fflush(stdout);
}

void print_row(const Figures& f) {
  auto mib = [](long kib) { return kib < 0 ? -1.0 : static_cast<double>(kib) / 1024.0; };
  const double per_agent = f.config.agents == 0
                               ? 0
                               : static_cast<double>(f.rss_agents_kib - f.rss_base_kib) /
                                     static_cast<double>(f.config.agents);
  const double per_task = f.config.tasks == 0
                              ? 0
                              : static_cast<double>(f.rss_tasks_kib - f.rss_agents_kib) /
                                    static_cast<double>(f.config.tasks);
  std::printf(
      "%6zu %5zu %6zu | %6.2f %8.2f %7.0f | %7.1f %7.1f %7.1f %7.1f | "
      "%8.1f %8.1f %8.1f | %8.1f %7.2f | %6.2f %6.2f\n",
      f.config.agents, f.config.frameworks, f.config.tasks, f.register_s, f.launch_s, f.tasks_per_s,
      f.p50, f.p90, f.p99, f.max, mib(f.rss_base_kib), mib(f.rss_agents_kib), mib(f.rss_tasks_kib),
      per_agent, per_task, f.cpu_register_s, f.cpu_launch_s);
  std::printf(
      "       offers %zu (declined %zu), ACCEPT calls %zu, acks %zu, tasks relaunched %zu, "
      "call errors %zu\n",
      f.offers, f.declined, f.accept_calls, f.acks, f.relaunched, f.call_errors);
  std::printf(
      "       ACCEPT sent->RUNNING p50 %.1f ms p99 %.1f ms; master/tasks_running %.0f; "
      "unacked updates %zu; load average %.1f -> %.1f\n",
      f.accept_p50, f.accept_p99, f.master_tasks_running, f.unacknowledged, f.load_before,
      f.load_after);
  if (f.master_tasks_running != static_cast<double>(f.config.tasks)) {
    std::printf("       WARNING: the master reports %.0f running tasks, the frameworks %zu\n",
                f.master_tasks_running, f.config.tasks);
  }
  if (!f.saved_log.empty()) std::printf("       the master's log: %s\n", f.saved_log.c_str());
  for (const Figures::Sample& sample : f.timeline) {
    std::printf("       t=%5.1f s  running %6zu  master fds %6ld  master cpu %6.2f s\n",
                sample.at_s, sample.running, sample.master_fds, sample.master_cpu_s);
  }
  std::fflush(stdout);
}

void print_legend() {
  std::printf(
      "reg s: N agents started -> master/slaves_active == N\n"
      "launch s: first offer -> last TASK_RUNNING (framework side); tasks/s = tasks / launch s\n"
      "p50..max: per task, OFFERS event received -> TASK_RUNNING update received\n"
      "RSS0/1/2: master VmRSS with no agent / all agents registered / all tasks running;\n"
      "  KiB/agt = (RSS1-RSS0)/agents, KiB/tsk = (RSS2-RSS1)/tasks\n"
      "cpu1/cpu2: master CPU time (user+sys) while agents register / while tasks launch\n");
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  std::optional<size_t> agents, frameworks, tasks;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    size_t value = 0;
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--verbose") {
      settings.verbose = true;
    } else if (arg == "--keep_log") {
      settings.keep_log = true;
    } else if (cairn::bench::parse_size(kProgram, arg, "agents", &value)) {
      agents = value;
    } else if (cairn::bench::parse_size(kProgram, arg, "frameworks", &value)) {
      frameworks = value;
    } else if (cairn::bench::parse_size(kProgram, arg, "tasks", &value)) {
      tasks = value;
    } else if (cairn::bench::parse_size(kProgram, arg, "timeout", &value)) {
      settings.timeout_seconds = static_cast<int>(std::max<size_t>(1, value));
    } else if (cairn::bench::parse_size(kProgram, arg, "max_tasks_per_offer", &value)) {
      settings.max_tasks_per_offer = value;
    } else if (arg.rfind("--allocation_interval=", 0) == 0) {
      settings.allocation_interval = arg.substr(std::strlen("--allocation_interval="));
    } else if (arg == "--help" || arg == "-h") {
      std::printf(
          "Usage: master_load [--quick | --agents=N --frameworks=M --tasks=T]\n"
          "                   [--allocation_interval=100ms] [--timeout=SECONDS] "
          "[--max_tasks_per_offer=K]\n"
          "Runs a real cairn-master (%s) under simulated agents and frameworks and prints "
          "figures.\n"
          "Without --quick or --agents/--frameworks/--tasks: (100, 10, 2000) and (1000, 10, "
          "10000).\n",
          CAIRN_MASTER_BINARY);
      return 0;
    } else {
      std::fprintf(stderr, "master_load: unknown argument '%s' (see --help)\n", arg.c_str());
      return 2;
    }
  }
  if (agents || frameworks || tasks) {
    Config config{agents.value_or(100), frameworks.value_or(10), tasks.value_or(2000)};
    if (config.agents == 0 || config.frameworks == 0) {
      std::fprintf(stderr, "master_load: --agents and --frameworks must be at least 1\n");
      return 2;
    }
    settings.configs.push_back(config);
  } else if (quick) {
    settings.configs.push_back({20, 2, 200});
  } else {
    settings.configs = {{100, 10, 2000}, {1000, 10, 10000}};
  }

  cairn::bench::raise_file_limit(kProgram);
  cairn::bench::catch_interrupts();

  print_header(settings);
  for (const Config& config : settings.configs) {
    Result<Figures> figures = Error("not run");
    {
      Run run(config, settings);
      figures = run.execute();
    }  // torn down before printing, and before the next master starts
    if (!figures.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr,
                   "master_load: run agents=%zu frameworks=%zu tasks=%zu did not complete: %s\n",
                   config.agents, config.frameworks, config.tasks, figures.error().c_str());
      return 1;
    }
    print_row(*figures);
  }
  print_legend();
  return 0;
}
