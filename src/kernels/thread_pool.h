// A small fixed-size thread pool for splitting one kernel call over several cores.
//
// ParallelFor(n, fn) cuts [0, n) into contiguous ranges (up to 4 per thread) that the calling
// thread and the workers claim one at a time; it returns when every range is done. The caller
// never waits for a worker that has not started (on a loaded machine it simply runs more ranges
// itself). Kernels split work so that every output byte is computed by exactly one range from
// the same inputs: the result is the same bytes for any number of threads. Idle workers spin
// briefly (calls follow each other closely within one inference) before they sleep.
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

  /// Runs fn(begin, end) over a split of [0, n) into non-empty contiguous ranges and waits for
  /// all of them. Calls from several threads are serialised.
  void ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop();
  /// Claims and runs ranges of the call `generation` until none is left.
  void RunRanges(uint64_t generation);

  std::mutex call_mu_;  ///< One ParallelFor at a time.
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  std::vector<std::thread> workers_;
  // The current call, written before `claim_` announces its generation; stable while a claimed
  // range of it runs (the call cannot return before that range is done).
  std::atomic<const std::function<void(int64_t, int64_t)>*> fn_{nullptr};
  std::atomic<int64_t> n_{0};
  /// generation << 32 | the call's range count << 16 | next range to claim (thread_pool.cc).
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};        ///< Ranges of the current call finished.
  std::atomic<bool> stop_{false};
};

/// fn(0, n) inline without a pool (or with one thread), else pool->ParallelFor.
void ParallelFor(ThreadPool* pool, int64_t n, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace etpu::kernels
