#include "kernels/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ETPU_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
// ISB stalls the core for a few tens of cycles, like x86's PAUSE (ARM's YIELD hint is a no-op on
// most cores); std::this_thread::yield here made every spin a sched_yield system call.
#define ETPU_CPU_RELAX() __asm__ __volatile__("isb" ::: "memory")
#else
#define ETPU_CPU_RELAX() std::this_thread::yield()
#endif

namespace etpu::kernels {
namespace {

constexpr int kSpins = 4000;  // About 0.1 ms of pause instructions (with yields) before sleeping.
constexpr int kRangesPerThread = 4;  // Finer ranges balance the load when a thread is late.

// One wait step: a pause, and every 64th a yield (a busy machine may run the thread being waited
// for on this core).
inline void Relax(int i) {
  if (i % 64 == 63) {
    std::this_thread::yield();
  } else {
    ETPU_CPU_RELAX();
  }
}

// The claim word: generation << 32 | parts << 16 | next range to claim.
constexpr int kMaxParts = 0xFFFF;
uint64_t ClaimGeneration(uint64_t v) { return v >> 32; }
int ClaimParts(uint64_t v) { return static_cast<int>((v >> 16) & 0xFFFFu); }
int ClaimNext(uint64_t v) { return static_cast<int>(v & 0xFFFFu); }

// Range `i` of `parts` equal splits of [0, n).
int64_t SplitPoint(int64_t n, int parts, int i) { return n * i / parts; }

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  start_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::RunRanges(uint64_t generation) {
  uint64_t v = claim_.load(std::memory_order_acquire);
  for (;;) {
    // The generation, the call's range count and the next range come from one word: a claim
    // succeeds only on the word it read, so it can never pair a stale range index with the next
    // call's count (a worker leaving one call once claimed a range of the next that way).
    if (ClaimGeneration(v) != generation) return;
    const int part = ClaimNext(v), parts = ClaimParts(v);
    if (part >= parts) return;
    if (!claim_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    // Claimed: the call cannot return (nor its fields change) before this range is done.
    const int64_t n = n_.load(std::memory_order_relaxed);
    (*fn_.load(std::memory_order_relaxed))(SplitPoint(n, parts, part), SplitPoint(n, parts, part + 1));
    if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == parts) {
      std::lock_guard<std::mutex> lock(mu_);
      done_cv_.notify_one();
    }
    v = claim_.load(std::memory_order_acquire);
  }
}

void ThreadPool::WorkerLoop() {
  uint64_t seen = 0;
  for (;;) {
    auto ready = [&] { return stop_.load() || ClaimGeneration(claim_.load(std::memory_order_acquire)) != seen; };
    for (int i = 0; i < kSpins && !ready(); ++i) Relax(i);
    if (!ready()) {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, ready);
    }
    if (stop_.load()) return;
    seen = ClaimGeneration(claim_.load(std::memory_order_acquire));
    RunRanges(seen);
  }
}

void ThreadPool::ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int parts = static_cast<int>(
      std::min<int64_t>({n, int64_t{threads()} * kRangesPerThread, int64_t{kMaxParts}}));
  if (parts <= 1 || workers_.empty()) {
    fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call(call_mu_);
  fn_.store(&fn, std::memory_order_relaxed);
  n_.store(n, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  const uint64_t generation = (ClaimGeneration(claim_.load(std::memory_order_relaxed)) + 1) & 0xFFFFFFFFu;
  {
    std::lock_guard<std::mutex> lock(mu_);
    claim_.store(generation << 32 | uint64_t(parts) << 16, std::memory_order_release);
  }
  start_cv_.notify_all();
  RunRanges(generation);
  auto done = [&] { return done_.load(std::memory_order_acquire) == parts; };
  for (int i = 0; i < kSpins && !done(); ++i) Relax(i);
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
