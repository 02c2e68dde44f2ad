// Benchmarks for lib/resources: parsing agent flags and the arithmetic the
// allocator runs every allocation interval. Prints items/s; asserts nothing.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/resources/resources.hpp"

namespace {

using cairn::Resources;

const char* kAgentText =
    "cpus:32;mem:131072;disk:1048576;gpus:2;ports:[31000-32000,40000-40010];"
    "cpus(prod):8;mem(prod):32768;cpus(eng/web):4";

Resources agent() {
  return *Resources::parse(kAgentText);
}

// What a framework in "prod" takes from one agent.
Resources offer() {
  return *Resources::parse("cpus:2;mem:4096;disk:10240;ports:[31000-31009];cpus(prod):1");
}

void BM_ParseAgentResources(benchmark::State& state) {
  for (auto _ : state) {
    auto r = Resources::parse(kAgentText);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAgentResources);

void BM_ToJson(benchmark::State& state) {
  const Resources r = agent();
  for (auto _ : state) {
    auto json = r.to_json();
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ToJson);

void BM_Add(benchmark::State& state) {
  const Resources a = agent();
  const Resources b = *Resources::parse("cpus:1;mem:1024;ports:[50000-50010];cpus(prod):1");
  for (auto _ : state) {
    Resources sum = a + b;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Add);

void BM_Subtract(benchmark::State& state) {
  const Resources a = agent();
  const Resources b = *Resources::parse("cpus:1;mem:1024;ports:[31100-31110];cpus(prod):1");
  for (auto _ : state) {
    Resources left = a - b;
    benchmark::DoNotOptimize(left);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Subtract);

void BM_Contains(benchmark::State& state) {
  const Resources a = agent();
  const Resources b = *Resources::parse("cpus:1;mem:1024;ports:[31100-31110];cpus(prod):1");
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.contains(b));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Contains);

// One allocator pass: for each of N agents, find what "prod" may use, check
// the offer fits, subtract it from the agent's available resources and mark
// the offered resources as allocated to "prod".
void BM_AllocatorPass(benchmark::State& state) {
  const size_t agents = static_cast<size_t>(state.range(0));
  const std::vector<Resources> totals(agents, agent());
  const Resources wanted = offer();
  for (auto _ : state) {
    size_t offered = 0;
    for (const Resources& total : totals) {
      Resources available = total.allocatable_to("prod");
      if (!available.contains(wanted)) continue;
      available -= wanted;
      Resources offered_resources = wanted;
      offered_resources.allocate("prod");
      ++offered;
      benchmark::DoNotOptimize(available);
      benchmark::DoNotOptimize(offered_resources);
    }
    benchmark::DoNotOptimize(offered);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(agents));
}
BENCHMARK(BM_AllocatorPass)->Arg(1000);

// DRF bookkeeping: per-name totals over a cluster.
void BM_ScalarTotals(benchmark::State& state) {
  const Resources a = agent();
  for (auto _ : state) {
    auto totals = a.scalar_totals();
    benchmark::DoNotOptimize(totals);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScalarTotals);

}  // namespace

BENCHMARK_MAIN();
