// Waiting for a condition in e2e tests: leaders get elected, agents
// register, ports open, all after a delay no test should assert on.
//
//   ASSERT_TRUE(eventually([&] { return zk.mode(0) == "leader"; }, Duration::seconds(30)));
//
// The timeout is a generous upper bound meant to fail a hung test, not a
// measurement; the condition is checked once more at the deadline, so a
// slow check never loses the last chance.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "lib/units/duration.hpp"

namespace cairn::e2e {

// Polls `condition` every `step` until it returns true (true) or `timeout`
// has passed (false).
inline bool eventually(const std::function<bool()>& condition, Duration timeout,
                       Duration step = Duration::milliseconds(100)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout.chrono();
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step.chrono());
  }
}

}  // namespace cairn::e2e
