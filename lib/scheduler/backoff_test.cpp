#include "lib/scheduler/backoff.hpp"

#include <gtest/gtest.h>

namespace cairn::scheduler {
namespace {

TEST(Backoff, JittersWithinHalfToFullBaseAndDoublesToTheCap) {
  Backoff backoff(Duration::seconds(1), Duration::seconds(10), 42);
  const int64_t expected_bases[] = {1, 2, 4, 8, 10, 10, 10};
  for (int64_t base : expected_bases) {
    EXPECT_EQ(backoff.base(), Duration::seconds(base));
    const Duration delay = backoff.next();
    EXPECT_GE(delay, Duration::milliseconds(base * 500));
    EXPECT_LE(delay, Duration::seconds(base));
  }
}

TEST(Backoff, ResetStartsOver) {
  Backoff backoff(Duration::milliseconds(100), Duration::seconds(1), 7);
  for (int i = 0; i < 6; ++i)
    (void)backoff.next();
  EXPECT_EQ(backoff.base(), Duration::seconds(1));
  backoff.reset();
  EXPECT_EQ(backoff.base(), Duration::milliseconds(100));
  EXPECT_LE(backoff.next(), Duration::milliseconds(100));
}

TEST(Backoff, DelaysVaryAndSurviveOddSettings) {
  Backoff jittered(Duration::seconds(8), Duration::seconds(8), 1);
  bool varied = false;
  const Duration first = jittered.next();
  for (int i = 0; i < 20 && !varied; ++i)
    varied = jittered.next() != first;
  EXPECT_TRUE(varied);

  Backoff zero(Duration(), Duration(), 1);
  EXPECT_EQ(zero.next(), Duration());
  Backoff inverted(Duration::seconds(5), Duration::seconds(1), 1);  // cap below initial
  EXPECT_LE(inverted.next(), Duration::seconds(5));
  EXPECT_EQ(inverted.base(), Duration::seconds(5));
  Backoff huge(Duration::hours(1000000), Duration::hours(2000000), 1);
  (void)huge.next();
  (void)huge.next();
  EXPECT_EQ(huge.base(), Duration::hours(2000000));
}

}  // namespace
}  // namespace cairn::scheduler
