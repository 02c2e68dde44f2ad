// allocator_bench: the DRF allocator's allocate() at 1,000 to 50,000 agents
// and 10 to 1,000 frameworks.
//
// Frameworks are spread over 10 weighted roles; agents are identical
// (cpus:16;mem:65536;disk:1000000;ports:[31000-32000]). Every cycle has the
// full cluster to hand out: after each allocate() all offers come back, half
// of the frameworks declining with a 5 s refuse filter (Mesos' default), the
// other half without (rescinded, or tasks that ended). The clock advances one
// second per cycle, so filters build up and expire as in a live master.
//
// For each combination it prints the median and p99 time of allocate(), the
// offers made per second of allocate() time, the time to recover one cycle's
// offers, and peak RSS (VmHWM, reset per combination where the kernel allows).
// Figures only: nothing here asserts on time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemons/master/allocator/allocator.hpp"

namespace {

using cairn::Duration;
using cairn::Resources;
using cairn::master::Allocation;
using cairn::master::Allocator;
using cairn::master::AllocatorFramework;
using cairn::master::TimePoint;
using Seconds = std::chrono::duration<double>;

constexpr int kRoles = 10;
constexpr const char* kAgentResources = "cpus:16;mem:65536;disk:1000000;ports:[31000-32000]";

struct Case {
  int agents;
  int frameworks;
  int cycles;  // measured, after one warm-up cycle
};

struct Figures {
  double median_ms = 0;
  double p99_ms = 0;
  double offers_per_cycle = 0;
  double offers_per_sec = 0;
  double recover_ms = 0;
  double setup_ms = 0;
  long peak_rss_kib = -1;
};

// A value of /proc/self/status in KiB ("VmHWM:   12345 kB"), or -1.
long status_kib(const char* key) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(key);
  while (std::getline(status, line)) {
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') {
      return std::atol(line.c_str() + n + 1);
    }
  }
  return -1;
}

// Linux >= 4.0 resets VmHWM to the current RSS on "5".
bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string role_name(int i) {
  return "role" + std::to_string(i % kRoles);
}

Figures run(const Case& c, const Resources& agent_total) {
  Figures out;
  auto allocator = cairn::master::make_drf_allocator();
  const auto setup_start = std::chrono::steady_clock::now();
  std::map<std::string, double> weights;
  for (int r = 0; r < kRoles; ++r)
    weights[role_name(r)] = 1.0 + r % 4;  // 1, 2, 3, 4, 1, 2, ...
  allocator->update_weights(weights);
  for (int a = 0; a < c.agents; ++a)
    allocator->add_agent("agent-" + std::to_string(a), agent_total, {});
  std::vector<std::string> framework_ids;
  for (int f = 0; f < c.frameworks; ++f) {
    framework_ids.push_back("framework-" + std::to_string(f));
    allocator->add_framework(framework_ids.back(), AllocatorFramework{{role_name(f)}, {}}, {});
  }
  out.setup_ms = ms_since(setup_start);

  // Odd-numbered frameworks decline with a filter.
  auto declines = [](const std::string& framework_id) {
    return (framework_id.back() - '0') % 2 == 1;
  };

  TimePoint now = TimePoint() + std::chrono::hours(1);
  std::vector<double> cycle_ms;
  double offers = 0;
  double offer_seconds = 0;
  double recover_ms = 0;
  for (int i = 0; i <= c.cycles; ++i) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<Allocation> made = allocator->allocate(now);
    const double elapsed = ms_since(start);
    const auto recover_start = std::chrono::steady_clock::now();
    for (const Allocation& a : made) {
      std::optional<Duration> refuse;
      if (declines(a.framework_id)) refuse = Duration::seconds(5);
      allocator->recover(a.framework_id, a.agent_id, a.resources, refuse, now);
    }
    const double recovered = ms_since(recover_start);
    now += std::chrono::seconds(1);
    if (i == 0) continue;  // warm-up
    cycle_ms.push_back(elapsed);
    offers += static_cast<double>(made.size());
    offer_seconds += elapsed / 1000.0;
    recover_ms += recovered;
  }
  out.median_ms = percentile(cycle_ms, 0.5);
  out.p99_ms = percentile(cycle_ms, 0.99);
  out.offers_per_cycle = offers / c.cycles;
  out.offers_per_sec = offer_seconds > 0 ? offers / offer_seconds : 0;
  out.recover_ms = recover_ms / c.cycles;
  out.peak_rss_kib = status_kib("VmHWM");
  return out;
}

void usage(const char* argv0) {
  std::printf(
      "usage: %s [--quick]\n"
      "  Times full DRF allocation cycles for 1,000/10,000/50,000 agents x\n"
      "  10/100/1,000 frameworks. --quick runs only the 1,000-agent cases.\n",
      argv0);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      usage(argv[0]);
      return 0;
    } else {
      std::fprintf(stderr, "unknown argument '%s'\n", argv[i]);
      usage(argv[0]);
      return 2;
    }
  }

  auto total = Resources::parse(kAgentResources);
  if (!total) {
    std::fprintf(stderr, "bad agent resources: %s\n", total.error().c_str());
    return 1;
  }

  std::vector<Case> cases;
  for (int agents : {1000, 10000, 50000}) {
    if (quick && agents > 1000) break;
    const int cycles = agents <= 1000 ? (quick ? 5 : 30) : agents <= 10000 ? 20 : 10;
    for (int frameworks : {10, 100, 1000})
      cases.push_back(Case{agents, frameworks, cycles});
  }

  std::printf("DRF allocator: full allocate() cycles; agents %s; %d weighted roles\n",
              kAgentResources, kRoles);
  std::printf(
      "every cycle hands out the whole cluster (offers recovered, half with a 5s filter)\n\n");
  std::printf("%8s %10s %7s %12s %11s %11s %12s %11s %10s %9s\n", "agents", "frameworks", "cycles",
              "offers/cycle", "median ms", "p99 ms", "offers/s", "recover ms", "setup ms",
              "peak MiB");
  bool peak_is_per_case = true;
  for (const Case& c : cases) {
    peak_is_per_case = reset_peak_rss() && peak_is_per_case;
    const Figures f = run(c, *total);
    std::printf("%8d %10d %7d %12.0f %11.2f %11.2f %12.0f %11.2f %10.1f %9.1f\n", c.agents,
                c.frameworks, c.cycles, f.offers_per_cycle, f.median_ms, f.p99_ms, f.offers_per_sec,
                f.recover_ms, f.setup_ms,
                f.peak_rss_kib < 0 ? -1.0 : static_cast<double>(f.peak_rss_kib) / 1024.0);
    std::fflush(stdout);
  }
  std::printf(
      "\nmedian / p99: of the measured cycles (after one warm-up); with few cycles p99 is the "
      "max\n");
  std::printf("offers/s: offers made per second spent in allocate()\n");
  std::printf("recover ms: giving one cycle's offers back (not part of allocate())\n");
  std::printf("peak MiB: VmHWM %s\n", peak_is_per_case
                                          ? "of each case (reset through /proc/self/clear_refs)"
                                          : "of the process so far (could not reset it per case)");
  return 0;
}
