#include "kernels/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ETPU_CPU_RELAX() _mm_pause()
#else
#define ETPU_CPU_RELAX() std::this_thread::yield()
#endif

namespace etpu::kernels {
namespace {

constexpr int kSpins = 20000;  // About 0.1-0.5 ms of pause instructions before sleeping.

// Range `i` of `parts` equal splits of [0, n).
int64_t SplitPoint(int64_t n, int parts, int i) { return n * i / parts; }

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  start_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::WorkerLoop(int index) {
  uint64_t seen = 0;
  for (;;) {
    auto ready = [&] { return stop_.load() || generation_.load(std::memory_order_acquire) != seen; };
    for (int i = 0; i < kSpins && !ready(); ++i) ETPU_CPU_RELAX();
    if (!ready()) {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, ready);
    }
    if (stop_.load()) return;
    seen = generation_.load(std::memory_order_acquire);
    if (index < parts_) (*fn_)(SplitPoint(n_, parts_, index), SplitPoint(n_, parts_, index + 1));
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mu_);
      done_cv_.notify_one();
    }
  }
}

void ThreadPool::ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int parts = static_cast<int>(std::min<int64_t>(n, threads()));
  if (parts <= 1) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call(call_mu_);
  fn_ = &fn;
  n_ = n;
  parts_ = parts;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_cv_.notify_all();
  fn(SplitPoint(n, parts, 0), SplitPoint(n, parts, 1));
  auto done = [&] { return pending_.load(std::memory_order_acquire) == 0; };
  for (int i = 0; i < kSpins && !done(); ++i) ETPU_CPU_RELAX();
  if (!done()) {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, done);
  }
}

void ParallelFor(ThreadPool* pool, int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (pool == nullptr || pool->threads() <= 1) {
    fn(0, n);
    return;
  }
  pool->ParallelFor(n, fn);
}

}  // namespace etpu::kernels
