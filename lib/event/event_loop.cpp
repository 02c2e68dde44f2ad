#include "lib/event/event_loop.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <thread>

namespace cairn {

namespace asio = boost::asio;

struct EventLoop::Impl {
  asio::io_context context{1};
  // Keeps run() from returning while the loop is idle.
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  std::thread thread;
  std::thread::id loop_thread;
};

struct Timer::State {
  explicit State(asio::io_context& context) : timer(context) {}
  asio::steady_timer timer;
  std::function<void()> fn;
  // A completion already queued when cancel() ran still arrives without an
  // error; this flag stops it.
  bool cancelled = false;
  bool fired = false;
};

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}

EventLoop::~EventLoop() {
  stop();
  join();
}

void EventLoop::run() {
  impl_->loop_thread = std::this_thread::get_id();
  impl_->context.run();
}

void EventLoop::start_thread() {
  impl_->thread = std::thread([this] { run(); });
}

void EventLoop::join() {
  if (impl_->thread.joinable() && impl_->thread.get_id() != std::this_thread::get_id()) {
    impl_->thread.join();
  }
}

void EventLoop::stop() {
  impl_->work.reset();
  impl_->context.stop();
}

void EventLoop::post(std::function<void()> fn) {
  asio::post(impl_->context, std::move(fn));
}

bool EventLoop::in_loop_thread() const {
  return impl_->loop_thread == std::this_thread::get_id();
}

Timer EventLoop::after(Duration delay, std::function<void()> fn) {
  auto state = std::make_shared<Timer::State>(impl_->context);
  state->fn = std::move(fn);
  state->timer.expires_after(delay.chrono());
  state->timer.async_wait([state](const boost::system::error_code& ec) {
    if (ec || state->cancelled) return;
    state->fired = true;
    auto fn = std::move(state->fn);
    fn();
  });
  return Timer(state);
}

asio::io_context& EventLoop::context() {
  return impl_->context;
}

Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    cancel();
    state_ = std::move(other.state_);
  }
  return *this;
}

Timer::~Timer() {
  cancel();
}

void Timer::cancel() {
  if (!state_) return;
  state_->cancelled = true;
  state_->timer.cancel();
  state_->fn = nullptr;
  state_.reset();
}

bool Timer::pending() const {
  return state_ && !state_->cancelled && !state_->fired;
}

}  // namespace cairn
