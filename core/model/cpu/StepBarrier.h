#pragma once
// A barrier for the threads of one short OpenMP region: a decoder step, where they meet ~20 times in a
// fraction of a millisecond. libgomp's own barrier sleeps in the kernel at once under
// OMP_WAIT_POLICY=PASSIVE, which the GUI sets: every meeting then costs a wake-up, and a step of the
// built-in model took 1.7-2.0 ms instead of 0.2 (tiny.en: 4.5-6 ms instead of 2.8). With the default policy
// it spins for long, which is ruinous when another program holds the second core. This one spins
// briefly (the partner is nearly always microseconds away) and then sleeps on a futex until the last
// thread arrives.
#include <atomic>
#include <climits>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <thread>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attnscope {

class StepBarrier {
public:
    // Set once by one thread before any thread waits (inside `omp single`, whose own barrier publishes it).
    void setThreads(int threads) { threads_ = threads; }

    void arriveAndWait()
    {
        const unsigned generation = generation_.load();
        if (arrived_.fetch_add(1) + 1 == threads_) {
            arrived_.store(0);
            generation_.store(generation + 1);
            if (sleepers_.load() > 0) wakeAll();
            return;
        }
        for (int spin = 0; spin < kSpins; ++spin) {
            if (generation_.load(std::memory_order_acquire) != generation) return;
#if defined(__x86_64__)
            _mm_pause();
#endif
        }
        sleepers_.fetch_add(1);
        while (generation_.load() == generation) sleepUntilChanged(generation);
        sleepers_.fetch_sub(1);
    }

private:
    // ~1000 pause instructions (tens of microseconds). Longer spins lost to the kernel's sleep when
    // another program held the second core (tiny.en step 7.1-7.5 ms at 2000 against 5.0-5.7 at 1000).
    static constexpr int kSpins = 1000;

#if defined(__linux__)
    // FUTEX_WAIT returns at once when the word no longer holds `seen`, so a wake-up cannot be missed.
    int* word() { return reinterpret_cast<int*>(&generation_); }
    void sleepUntilChanged(unsigned seen)
    {
        syscall(SYS_futex, word(), FUTEX_WAIT_PRIVATE, static_cast<int>(seen), nullptr, nullptr, 0);
    }
    void wakeAll() { syscall(SYS_futex, word(), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0); }
#else
    void sleepUntilChanged(unsigned) { std::this_thread::yield(); }
    void wakeAll() {}
#endif

    int threads_ = 1;
    std::atomic<int> arrived_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<unsigned> generation_{0};
    static_assert(sizeof(std::atomic<unsigned>) == sizeof(int), "the futex word is the generation counter");
};

}  // namespace attnscope
