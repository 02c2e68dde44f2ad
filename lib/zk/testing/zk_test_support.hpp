// Blocking helpers for tests of loop-based ZooKeeper code: run a request on
// the loop and wait for its reply.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "lib/event/event_loop.hpp"
#include "lib/zk/client.hpp"

namespace cairn::zk::testing {

// Posts `start(done)` to the loop and waits for `done`'s reply.
template <typename T>
Reply<T> await_reply(EventLoop& loop,
                     const std::function<void(std::function<void(Reply<T>)>)>& start) {
  auto promise = std::make_shared<std::promise<Reply<T>>>();
  std::future<Reply<T>> future = promise->get_future();
  loop.post([&start, promise] { start([promise](Reply<T> reply) { promise->set_value(reply); }); });
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return Reply<T>{Code::kOther, "no reply within 30 s", {}};
  }
  return future.get();
}

// Polls `condition` (on the calling thread) until it holds or `seconds` pass.
inline bool wait_until(const std::function<bool()>& condition, int seconds = 30) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace cairn::zk::testing
