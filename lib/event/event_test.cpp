#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lib/event/event_loop.hpp"
#include "lib/event/worker_pool.hpp"

namespace cairn {
namespace {

TEST(EventLoop, PostRunsOnTheLoopThread) {
  EventLoop loop;
  loop.start_thread();
  bool on_loop = loop.call([&] { return loop.in_loop_thread(); });
  EXPECT_TRUE(on_loop);
  EXPECT_FALSE(loop.in_loop_thread());
}

TEST(EventLoop, TimersFireInOrderAndCancelledOnesDoNot) {
  EventLoop loop;
  std::vector<int> fired;
  Timer a, b, c;
  loop.post([&] {
    a = loop.after(Duration::milliseconds(30), [&] {
      fired.push_back(3);
      loop.stop();
    });
    b = loop.after(Duration::milliseconds(1), [&] { fired.push_back(1); });
    c = loop.after(Duration::milliseconds(10), [&] { fired.push_back(2); });
    Timer dropped = loop.after(Duration::milliseconds(5), [&] { fired.push_back(99); });
  });
  loop.run();
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(a.pending());
}

TEST(EventLoop, CancelStopsATimerWhoseDeadlineHasAlreadyPassed) {
  EventLoop loop;
  bool second_ran = false;
  Timer first, second, stopper;
  loop.post([&] {
    second = loop.after(Duration::milliseconds(5), [&] { second_ran = true; });
    first = loop.after(Duration::milliseconds(1), [&] {
      // Block past second's deadline so its completion may already be queued.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      second.cancel();
    });
    stopper = loop.after(Duration::milliseconds(40), [&] { loop.stop(); });
  });
  loop.run();
  EXPECT_FALSE(second_ran);
  EXPECT_FALSE(second.pending());
}

TEST(WorkerPool, RunsWorkOffTheLoopAndDeliversOnIt) {
  EventLoop loop;
  loop.start_thread();
  std::atomic<int> delivered_on_loop{0};
  std::promise<void> all_done;
  std::atomic<int> remaining{8};
  {
    WorkerPool pool(loop, 2);
    for (int i = 0; i < 8; ++i) {
      pool.submit(
          [&loop, i] {
            EXPECT_FALSE(loop.in_loop_thread());
            return i * i;
          },
          [&](int square) {
            if (loop.in_loop_thread() && square >= 0) delivered_on_loop++;
            if (--remaining == 0) all_done.set_value();
          });
    }
    all_done.get_future().wait();
  }
  EXPECT_EQ(delivered_on_loop.load(), 8);
}

}  // namespace
}  // namespace cairn
