// A small fixed-size thread pool for splitting one kernel call over several cores.
//
// ParallelFor(n, fn) cuts [0, n) into one contiguous range per thread (the calling thread takes
// the first) and returns when every range is done. Idle workers spin briefly (calls follow each
// other closely within one inference) before they sleep on a condition variable. Kernels split work so that every output
// byte is computed by exactly one task from the same inputs, whatever the split: the result is
// the same bytes for any number of threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace etpu::kernels {

class ThreadPool {
 public:
  /// `threads` counts the calling thread: 1 (or less) starts no worker.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Runs fn(begin, end) over a split of [0, n) (at most threads() ranges, none empty) and waits
  /// for all of them. Calls from several threads are serialised.
  void ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop(int index);

  std::mutex call_mu_;  ///< One ParallelFor at a time.
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  std::vector<std::thread> workers_;
  // The current call (written before generation_ is bumped, read after it is seen).
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};  ///< Workers still running the current call.
  std::atomic<bool> stop_{false};
};

/// fn(0, n) inline without a pool (or with one thread), else pool->ParallelFor.
void ParallelFor(ThreadPool* pool, int64_t n, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace etpu::kernels
