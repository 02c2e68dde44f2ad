#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "lib/metrics/mesos_json.hpp"
#include "lib/metrics/prometheus.hpp"
#include "lib/metrics/registry.hpp"

namespace cairn::metrics {
namespace {

using ::testing::HasSubstr;

Duration ms(int64_t n) {
  return Duration::milliseconds(n);
}

// The registry the rendering tests print.
void fill_small_registry(Registry& registry) {
  auto finished = registry.counter("master/tasks_finished").value();
  finished->increment();
  finished->increment(2);
  auto elected = registry.gauge("master/elected", "Whether this master is the leader.").value();
  elected->set(1);
  ASSERT_TRUE(registry.gauge("master/uptime_secs", "", [] { return 12.5; }).ok());
  auto run = registry.timer("allocator/allocation_run", "Time spent in an allocation run.").value();
  for (int64_t sample : {2, 2, 2, 2, 1})
    run->record(ms(sample));
}

TEST(Counter, CountsIncrementsFromManyThreads) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        counter.increment();
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(counter.value(), 40000u);
}

TEST(Gauge, SetIncrementDecrement) {
  Gauge gauge;
  EXPECT_EQ(gauge.value(), 0);
  gauge.set(5);
  gauge.increment();
  gauge.increment(0.5);
  gauge.decrement(2);
  EXPECT_DOUBLE_EQ(gauge.value(), 4.5);
}

TEST(Percentile, InterpolatesLikeLibprocess) {
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({7}, 0.99), 7);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 0), 1);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 1), 4);
  EXPECT_DOUBLE_EQ(percentile({0, 10}, 0.9), 9);
  EXPECT_DOUBLE_EQ(percentile({1, 2}, 5.0), 2);  // out-of-range quantiles are clamped
}

TEST(Timer, SummarisesTheWindow) {
  Timer timer;
  for (int64_t i = 100; i >= 1; --i)
    timer.record(ms(i));
  const TimerStats s = timer.stats();
  EXPECT_EQ(s.window_count, 100u);
  EXPECT_EQ(s.total_count, 100u);
  EXPECT_DOUBLE_EQ(s.total_ms, 5050);
  EXPECT_DOUBLE_EQ(s.last_ms, 1);
  EXPECT_DOUBLE_EQ(s.min_ms, 1);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  EXPECT_DOUBLE_EQ(s.percentiles_ms[0], 50.5);     // p50
  EXPECT_DOUBLE_EQ(s.percentiles_ms[1], 90.1);     // p90
  EXPECT_DOUBLE_EQ(s.percentiles_ms[2], 95.05);    // p95
  EXPECT_DOUBLE_EQ(s.percentiles_ms[3], 99.01);    // p99
  EXPECT_DOUBLE_EQ(s.percentiles_ms[4], 99.901);   // p999
  EXPECT_DOUBLE_EQ(s.percentiles_ms[5], 99.9901);  // p9999
}

TEST(Timer, WindowKeepsOnlyRecentSamples) {
  Timer timer(3);
  for (int64_t i : {100, 1, 2, 3})
    timer.record(ms(i));
  TimerStats s = timer.stats();
  EXPECT_EQ(s.window_count, 3u);
  EXPECT_EQ(s.total_count, 4u);
  EXPECT_DOUBLE_EQ(s.total_ms, 106);
  EXPECT_DOUBLE_EQ(s.max_ms, 3);  // the 100ms sample has left the window
  timer.record(ms(50));           // replaces the oldest, 1ms
  s = timer.stats();
  EXPECT_DOUBLE_EQ(s.min_ms, 2);
  EXPECT_DOUBLE_EQ(s.max_ms, 50);
  EXPECT_DOUBLE_EQ(s.last_ms, 50);
}

TEST(Timer, FractionalAndNegativeDurations) {
  Timer timer(0);  // treated as a window of 1
  timer.record(Duration::nanoseconds(1500));
  EXPECT_DOUBLE_EQ(timer.stats().last_ms, 0.0015);
  timer.record(Duration::nanoseconds(-5));
  EXPECT_EQ(timer.stats().last_ms, 0);
  EXPECT_EQ(timer.stats().window_count, 1u);
}

TEST(Timer, EmptyTimerHasNoStatistics) {
  Timer timer;
  const TimerStats s = timer.stats();
  EXPECT_EQ(s.window_count, 0u);
  EXPECT_EQ(s.total_count, 0u);
}

TEST(Timer, ScopeRecordsOneSample) {
  Timer timer;
  { auto scope = timer.time(); }
  EXPECT_EQ(timer.stats().total_count, 1u);
  EXPECT_GE(timer.stats().last_ms, 0);
}

TEST(Registry, RefusesDuplicateNames) {
  Registry registry;
  ASSERT_TRUE(registry.counter("master/messages").ok());
  auto again = registry.gauge("master/messages");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), "metric 'master/messages' is already registered");
  EXPECT_FALSE(registry.timer("master/messages").ok());
  EXPECT_FALSE(registry.gauge("master/messages", "", [] { return 1.0; }).ok());
  EXPECT_EQ(registry.size(), 1u);
}

TEST(Registry, RefusesNamesThatCollideWithTimerKeys) {
  Registry registry;
  ASSERT_TRUE(registry.timer("allocator/run").ok());
  auto counter = registry.counter("allocator/run_ms/p99");
  ASSERT_FALSE(counter.ok());
  EXPECT_EQ(counter.error(),
            "metric 'allocator/run_ms/p99' would export 'allocator/run_ms/p99', which another "
            "metric already exports");
  EXPECT_FALSE(registry.gauge("allocator/run_ms").ok());

  ASSERT_TRUE(registry.gauge("http/latency_ms").ok());
  EXPECT_FALSE(registry.timer("http/latency").ok());
  // A name names one metric, whatever keys it exports.
  EXPECT_FALSE(registry.counter("allocator/run").ok());
}

TEST(Registry, RefusesMalformedNames) {
  Registry registry;
  for (const char* bad : {"", "/master/x", "master/x/", "master//x", "master/tasks running",
                          "master/\ttab", "master/new\nline"}) {
    auto counter = registry.counter(bad);
    ASSERT_FALSE(counter.ok()) << bad;
    EXPECT_THAT(counter.error(), HasSubstr("invalid metric name")) << bad;
    EXPECT_THAT(counter.error(), HasSubstr("master/tasks_running")) << bad;
  }
  EXPECT_TRUE(registry.counter("frameworks/alice@EXAMPLE.COM/calls").ok());
  EXPECT_TRUE(registry.counter("frameworks/\xc3\xa9lodie/calls").ok());
}

TEST(Registry, RefusesEmptyCallbackAndZeroWindow) {
  Registry registry;
  Status st = registry.gauge("x/y", "", GaugeCallback{});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "gauge 'x/y': the callback is empty");
  auto timer = registry.timer("x/t", "", 0);
  ASSERT_FALSE(timer.ok());
  EXPECT_EQ(timer.error(), "timer 'x/t': the window must hold at least 1 sample");
  EXPECT_EQ(registry.size(), 0u);
}

TEST(Registry, RemoveDropsFromSnapshotsButHandlesStayUsable) {
  Registry registry;
  auto calls = registry.counter("frameworks/alice/calls").value();
  calls->increment();
  ASSERT_TRUE(registry.remove("frameworks/alice/calls").ok());
  calls->increment();  // a component still holding the handle is fine
  EXPECT_TRUE(registry.snapshot().empty());
  EXPECT_FALSE(registry.contains("frameworks/alice/calls"));
  // The name is free again.
  EXPECT_TRUE(registry.counter("frameworks/alice/calls").ok());
}

TEST(Registry, RemoveUnknownSuggests) {
  Registry registry;
  ASSERT_TRUE(registry.counter("master/tasks_lost").ok());
  Status st = registry.remove("master/task_lost");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "no metric named 'master/task_lost' (did you mean 'master/tasks_lost'?)");
}

TEST(Registry, RemoveTimerFreesItsKeys) {
  Registry registry;
  ASSERT_TRUE(registry.timer("a/t").ok());
  ASSERT_TRUE(registry.remove("a/t").ok());
  EXPECT_TRUE(registry.counter("a/t_ms").ok());
}

TEST(Registry, RemovePrefixStopsAtSegmentBoundaries) {
  Registry registry;
  for (const char* name : {"frameworks/alice", "frameworks/alice/calls", "frameworks/alice/a/b",
                           "frameworks/alice-2/calls", "frameworks/alice2/calls",
                           "frameworks/bob/calls", "master/frameworks"}) {
    ASSERT_TRUE(registry.counter(name).ok()) << name;
  }
  ASSERT_TRUE(registry.timer("frameworks/alice/latency").ok());
  EXPECT_EQ(registry.remove_prefix("frameworks/alice/"), 4u);
  EXPECT_EQ(registry.remove_prefix("frameworks/nobody"), 0u);
  EXPECT_EQ(registry.remove_prefix(""), 0u);
  EXPECT_EQ(registry.remove_prefix("/"), 0u);
  std::vector<std::string> left;
  for (const MetricSample& s : registry.snapshot())
    left.push_back(s.name);
  EXPECT_EQ(left, (std::vector<std::string>{"frameworks/alice-2/calls", "frameworks/alice2/calls",
                                            "frameworks/bob/calls", "master/frameworks"}));
}

TEST(Registry, CallbackGaugesAreEvaluatedAtSnapshotTime) {
  Registry registry;
  double uptime = 1;
  std::optional<double> maybe;
  ASSERT_TRUE(registry.gauge("master/uptime_secs", "", [&] { return uptime; }).ok());
  ASSERT_TRUE(registry.gauge("master/maybe", "", [&] { return maybe; }).ok());
  EXPECT_EQ(flatten(registry.snapshot()),
            (std::map<std::string, double>{{"master/uptime_secs", 1}}));
  uptime = 30;
  maybe = 2;
  EXPECT_EQ(flatten(registry.snapshot()),
            (std::map<std::string, double>{{"master/maybe", 2}, {"master/uptime_secs", 30}}));
}

TEST(Registry, CallbacksMayUseTheRegistry) {
  // Callbacks run outside the registry's lock.
  Registry registry;
  ASSERT_TRUE(
      registry.gauge("registry/size", "", [&] { return static_cast<double>(registry.size()); })
          .ok());
  EXPECT_EQ(flatten(registry.snapshot()).at("registry/size"), 1);
}

TEST(Registry, SnapshotsWhileWorkersCount) {
  Registry registry;
  auto counter = registry.counter("worker/jobs").value();
  auto timer = registry.timer("worker/job").value();
  std::thread worker([&] {
    for (int i = 0; i < 20000; ++i) {
      counter->increment();
      if (i % 10 == 0) timer->record(ms(1));
    }
  });
  double last = 0;
  for (int i = 0; i < 50; ++i) {
    const double now = flatten(registry.snapshot()).at("worker/jobs");
    EXPECT_GE(now, last);
    last = now;
  }
  worker.join();
  EXPECT_EQ(flatten(registry.snapshot()).at("worker/jobs"), 20000);
  EXPECT_EQ(timer->stats().total_count, 2000u);
}

TEST(MesosJson, FlatSortedDoubles) {
  Registry registry;
  fill_small_registry(registry);
  EXPECT_EQ(render_mesos_json(registry.snapshot()),
            "{\"allocator/allocation_run_ms\":1.0,"
            "\"allocator/allocation_run_ms/count\":5.0,"
            "\"allocator/allocation_run_ms/max\":2.0,"
            "\"allocator/allocation_run_ms/min\":1.0,"
            "\"allocator/allocation_run_ms/p50\":2.0,"
            "\"allocator/allocation_run_ms/p90\":2.0,"
            "\"allocator/allocation_run_ms/p95\":2.0,"
            "\"allocator/allocation_run_ms/p99\":2.0,"
            "\"allocator/allocation_run_ms/p999\":2.0,"
            "\"allocator/allocation_run_ms/p9999\":2.0,"
            "\"master/elected\":1.0,"
            "\"master/tasks_finished\":3.0,"
            "\"master/uptime_secs\":12.5}");
}

TEST(MesosJson, EmptyTimerAndEmptyRegistry) {
  Registry registry;
  EXPECT_EQ(render_mesos_json(registry.snapshot()), "{}");
  ASSERT_TRUE(registry.timer("a/t").ok());
  EXPECT_EQ(render_mesos_json(registry.snapshot()), "{}");
}

TEST(MesosJson, NonFiniteAndOddNamesStayValidJson) {
  Snapshot snapshot{{"a/nan", "", MetricKind::kGauge, NAN, {}},
                    {"a/quote\"back\\slash", "", MetricKind::kGauge, 1, {}},
                    {"a/bad\xff", "", MetricKind::kGauge, 2, {}}};
  EXPECT_EQ(render_mesos_json(snapshot),
            "{\"a/bad\xef\xbf\xbd\":2.0,\"a/nan\":null,\"a/quote\\\"back\\\\slash\":1.0}");
}

TEST(Prometheus, SmallRegistry) {
  Registry registry;
  fill_small_registry(registry);
  EXPECT_EQ(render_prometheus(registry.snapshot()),
            "# HELP cairn_allocator_allocation_run_seconds Time spent in an allocation run.\n"
            "# TYPE cairn_allocator_allocation_run_seconds summary\n"
            "cairn_allocator_allocation_run_seconds{quantile=\"0.5\"} 0.002\n"
            "cairn_allocator_allocation_run_seconds{quantile=\"0.9\"} 0.002\n"
            "cairn_allocator_allocation_run_seconds{quantile=\"0.95\"} 0.002\n"
            "cairn_allocator_allocation_run_seconds{quantile=\"0.99\"} 0.002\n"
            "cairn_allocator_allocation_run_seconds{quantile=\"0.999\"} 0.002\n"
            "cairn_allocator_allocation_run_seconds{quantile=\"0.9999\"} 0.002\n"
            "cairn_allocator_allocation_run_seconds_sum 0.009\n"
            "cairn_allocator_allocation_run_seconds_count 5\n"
            "# HELP cairn_master_elected Whether this master is the leader.\n"
            "# TYPE cairn_master_elected gauge\n"
            "cairn_master_elected 1\n"
            "# HELP cairn_master_tasks_finished master/tasks_finished\n"
            "# TYPE cairn_master_tasks_finished counter\n"
            "cairn_master_tasks_finished 3\n"
            "# HELP cairn_master_uptime_secs master/uptime_secs\n"
            "# TYPE cairn_master_uptime_secs gauge\n"
            "cairn_master_uptime_secs 12.5\n");
}

TEST(Prometheus, PrefixIsConfigurable) {
  Registry registry;
  registry.counter("slave/tasks_lost").value()->increment();
  EXPECT_EQ(render_prometheus(registry.snapshot(), {.prefix = "mesos-agent"}),
            "# HELP mesos_agent_slave_tasks_lost slave/tasks_lost\n"
            "# TYPE mesos_agent_slave_tasks_lost counter\n"
            "mesos_agent_slave_tasks_lost 1\n");
  EXPECT_THAT(render_prometheus(registry.snapshot(), {.prefix = ""}),
              HasSubstr("\nslave_tasks_lost 1\n"));
}

TEST(Prometheus, EmptyTimerHasNaNQuantiles) {
  Registry registry;
  ASSERT_TRUE(registry.timer("a/t").ok());
  const std::string text = render_prometheus(registry.snapshot());
  EXPECT_THAT(text, HasSubstr("cairn_a_t_seconds{quantile=\"0.5\"} NaN\n"));
  EXPECT_THAT(text, HasSubstr("cairn_a_t_seconds_sum 0\ncairn_a_t_seconds_count 0\n"));
}

TEST(Prometheus, SumAndCountCoverEverySampleEver) {
  Registry registry;
  auto timer = registry.timer("a/t", "", 2).value();
  for (int64_t i : {1000, 10, 10})
    timer->record(ms(i));
  const std::string text = render_prometheus(registry.snapshot());
  EXPECT_THAT(text, HasSubstr("cairn_a_t_seconds{quantile=\"0.99\"} 0.01\n"));
  EXPECT_THAT(text, HasSubstr("cairn_a_t_seconds_sum 1.02\ncairn_a_t_seconds_count 3\n"));
}

TEST(Prometheus, CollidingNamesAreLeftOutWithAComment) {
  Snapshot snapshot{{"a/b", "", MetricKind::kCounter, 1, {}},
                    {"a_b", "", MetricKind::kGauge, 2, {}},
                    {"x/t_seconds_sum", "", MetricKind::kGauge, 3, {}},
                    {"x/t", "", MetricKind::kTimer, 0, {}}};
  const std::string text = render_prometheus(snapshot);
  EXPECT_THAT(text, HasSubstr("cairn_a_b 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("cairn_a_b 2")));
  EXPECT_THAT(text, HasSubstr("# 'a_b' is not exported: the name cairn_a_b is already taken\n"));
  EXPECT_THAT(text, HasSubstr("# 'x/t' is not exported: the name cairn_x_t_seconds is already "
                              "taken\n"));
}

TEST(Prometheus, HelpIsEscaped) {
  Snapshot snapshot{{"a", "line one\nback\\slash \"quoted\"", MetricKind::kGauge, 1, {}}};
  EXPECT_THAT(render_prometheus(snapshot),
              HasSubstr("# HELP cairn_a line one\\nback\\\\slash \"quoted\"\n"));
}

TEST(Prometheus, SanitizesNames) {
  EXPECT_EQ(sanitize_prometheus_name("master/tasks_running"), "master_tasks_running");
  EXPECT_EQ(sanitize_prometheus_name("frameworks/alice@EXAMPLE.COM/calls"),
            "frameworks_alice_EXAMPLE_COM_calls");
  EXPECT_EQ(sanitize_prometheus_name("9lives"), "_9lives");
  EXPECT_EQ(sanitize_prometheus_name("a:b"), "a:b");
  EXPECT_EQ(sanitize_prometheus_name("\xc3\xa9"), "__");
  EXPECT_EQ(sanitize_prometheus_name(""), "");
}

TEST(Prometheus, FormatsValuesAsGoParsesThem) {
  EXPECT_EQ(format_prometheus_value(3), "3");
  EXPECT_EQ(format_prometheus_value(-0.25), "-0.25");
  EXPECT_EQ(format_prometheus_value(1e-6), "1e-06");
  EXPECT_EQ(format_prometheus_value(INFINITY), "+Inf");
  EXPECT_EQ(format_prometheus_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_prometheus_value(NAN), "NaN");
  EXPECT_EQ(kPrometheusContentType, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace cairn::metrics
