// Cluster spec parsing and validation: the production example, and a
// generated spec with 1,000 agents (the size of a large cluster's file).
// Reports specs per second (items) and bytes per second.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "lib/spec/load_spec.hpp"

namespace {

cairn::spec::ValidationOptions options() {
  cairn::spec::ValidationOptions o;
  o.check_files = false;
  o.resolve = [](const std::string&) { return cairn::ok_status(); };  // no DNS in benchmarks
  return o;
}

std::string production_example() {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/config-schema/examples/production.yaml");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string generated(int agents) {
  std::string text =
      "apiVersion: cairn/v1\ncluster: {name: big, version: 1.0.0}\n"
      "masters: [{host: 10.0.0.1}, {host: 10.0.0.2}, {host: 10.0.0.3}]\nagents:\n";
  for (int i = 0; i < agents; ++i) {
    text += "  - {host: 10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) +
            ", role: " + (i % 10 == 0 ? "public" : "private") +
            ", resources: \"cpus:32;mem:131072;disk:1048576;ports:[31000-32000]\", "
            "attributes: \"rack:r" +
            std::to_string(i % 40) + ";os:rhel9\"}\n";
  }
  return text + "roles: [{name: prod, weight: 3}, {name: dev, weight: 1}]\n";
}

void run(benchmark::State& state, const std::string& text) {
  const auto o = options();
  for (auto _ : state) {
    auto load = cairn::spec::load_spec_text(text, "bench.yaml", o);
    if (!load.ok()) {
      state.SkipWithError("the spec did not validate");
      break;
    }
    benchmark::DoNotOptimize(load);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}

void BM_ProductionExample(benchmark::State& state) {
  run(state, production_example());
}
void BM_ThousandAgents(benchmark::State& state) {
  run(state, generated(1000));
}

BENCHMARK(BM_ProductionExample);
BENCHMARK(BM_ThousandAgents)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
