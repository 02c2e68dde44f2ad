// WorkerPool: threads for blocking work (disk, DNS, fork/exec, ZooKeeper
// sync calls) so that the EventLoop never blocks.
//
// submit() runs `work` on a worker thread and then `done` with its result
// on the owning EventLoop, so loop-owned state is only touched on the loop.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lib/event/event_loop.hpp"

namespace cairn {

class WorkerPool {
 public:
  WorkerPool(EventLoop& loop, size_t threads);
  ~WorkerPool();  // finishes queued work, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  template <typename Work, typename Done>
  void submit(Work work, Done done) {
    enqueue([this, work = std::move(work), done = std::move(done)]() mutable {
      auto result = std::make_shared<decltype(work())>(work());
      loop_.post([done = std::move(done), result]() mutable { done(std::move(*result)); });
    });
  }

 private:
  void enqueue(std::function<void()> job);
  void worker();

  EventLoop& loop_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cairn
