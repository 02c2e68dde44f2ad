// EventLoop: the single thread that owns a daemon's state.
//
// Every Cairn daemon runs its business logic on one EventLoop (libprocess'
// "one actor owns its state"): HTTP handlers, timers and client callbacks all
// run on the loop thread, so state needs no locks. Other threads hand work to
// the loop with post(); blocking work goes to a WorkerPool. The loop wraps a
// Boost.Asio io_context, which only networking sources (lib/http, lib/zk)
// touch through context(); everything else sees this small interface.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <type_traits>

#include "lib/units/duration.hpp"

namespace boost::asio {
class io_context;
}

namespace cairn {

class Timer;

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs handlers on the calling thread until stop() is called.
  void run();
  // Runs the loop on a thread of its own (clients, tests); join() waits for it.
  void start_thread();
  void join();
  // Safe from any thread; run() returns once the current handler finishes.
  void stop();

  // Queues fn to run on the loop thread. Safe from any thread.
  void post(std::function<void()> fn);
  bool in_loop_thread() const;

  // Runs fn on the loop thread and waits for its result. Must not be called
  // from the loop thread itself (it would wait on itself); tests and
  // shutdown code use it to reach loop-owned state.
  template <typename F>
  auto call(F&& fn) -> std::invoke_result_t<F> {
    using R = std::invoke_result_t<F>;
    std::packaged_task<R()> task(std::forward<F>(fn));
    auto future = task.get_future();
    post([&task] { task(); });
    return future.get();
  }

  // One-shot timer: fn runs on the loop after delay unless the returned Timer
  // is cancelled or destroyed first.
  [[nodiscard]] Timer after(Duration delay, std::function<void()> fn);

  boost::asio::io_context& context();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Handle of a pending EventLoop::after() callback. Move-only; destroying it
// cancels the callback. Use it only on the loop thread.
class Timer {
 public:
  Timer() = default;
  Timer(Timer&&) noexcept = default;
  Timer& operator=(Timer&& other) noexcept;
  ~Timer();

  void cancel();
  bool pending() const;

 private:
  friend class EventLoop;
  struct State;
  explicit Timer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace cairn
