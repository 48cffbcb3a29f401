// C++ threads through libstdc++: std::thread, std::mutex and std::condition_variable, std::atomic
// read-modify-writes, std::async/std::future, std::promise, thread_local objects with constructors
// and destructors, an exception carried from a worker to the joining thread, std::call_once,
// std::shared_mutex and a timed wait. The output is deterministic.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <numeric>
#include <queue>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// --- a bounded queue: producers and consumers on a mutex and two condition variables ---
class BoundedQueue {
public:
    explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

    void push(long value) {
        std::unique_lock<std::mutex> lock(mutex_);
        notFull_.wait(lock, [&] { return items_.size() < capacity_; });
        items_.push(value);
        notEmpty_.notify_one();
    }

    long pop() {
        std::unique_lock<std::mutex> lock(mutex_);
        notEmpty_.wait(lock, [&] { return !items_.empty(); });
        long value = items_.front();
        items_.pop();
        notFull_.notify_one();
        return value;
    }

private:
    size_t capacity_;
    std::queue<long> items_;
    std::mutex mutex_;
    std::condition_variable notFull_, notEmpty_;
};

void producersAndConsumers() {
    constexpr int producers = 3, consumers = 2, perProducer = 4000;
    BoundedQueue queue(8);
    std::atomic<long> consumed{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; p++)
        threads.emplace_back([&, p] {
            for (int i = 1; i <= perProducer; i++) queue.push(long(p) * 100000 + i);
        });
    constexpr int total = producers * perProducer;
    std::vector<long> sums(consumers, 0);
    for (int c = 0; c < consumers; c++)
        threads.emplace_back([&, c] {
            for (int i = 0; i < total / consumers; i++) {
                sums[c] += queue.pop();
                consumed.fetch_add(1, std::memory_order_relaxed);
            }
        });
    for (auto &t : threads) t.join();
    long sum = std::accumulate(sums.begin(), sums.end(), 0L);
    long expected = 0;
    for (int p = 0; p < producers; p++)
        for (int i = 1; i <= perProducer; i++) expected += long(p) * 100000 + i;
    std::printf("queue: %ld items, sum %s\n", consumed.load(), sum == expected ? "matches" : "WRONG");
}

// --- atomics: fetch_add, compare_exchange loops, exchange ---
void atomics() {
    constexpr int threads = 4, rounds = 20000;
    std::atomic<unsigned long> counter{0}, maximum{0};
    std::atomic<int> spin{0};
    long guarded = 0;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++)
        pool.emplace_back([&, t] {
            for (int i = 0; i < rounds; i++) {
                counter.fetch_add(1);
                unsigned long candidate = (unsigned long)t * rounds + i, seen = maximum.load();
                while (seen < candidate && !maximum.compare_exchange_weak(seen, candidate)) {}
                while (spin.exchange(1, std::memory_order_acquire)) std::this_thread::yield();
                guarded++;
                spin.store(0, std::memory_order_release);
            }
        });
    for (auto &t : pool) t.join();
    std::printf("atomics: counter %lu, max %lu, spinlocked %ld\n", counter.load(), maximum.load(), guarded);
}

// --- futures: std::async, std::promise, exceptions across threads ---
long collatzSteps(long n) {
    long steps = 0;
    while (n != 1) { n = (n % 2) ? 3 * n + 1 : n / 2; steps++; }
    return steps;
}

void futures() {
    std::vector<std::future<long>> parts;
    for (long start = 1; start <= 4000; start += 1000)
        parts.push_back(std::async(std::launch::async, [start] {
            long most = 0;
            for (long n = start; n < start + 1000; n++) most = std::max(most, collatzSteps(n));
            return most;
        }));
    long most = 0;
    for (auto &part : parts) most = std::max(most, part.get());
    std::printf("async: longest collatz chain below 4001 takes %ld steps\n", most);

    std::promise<std::string> promise;
    std::future<std::string> answer = promise.get_future();
    std::thread([p = std::move(promise)]() mutable { p.set_value("set by a worker"); }).join();
    std::printf("promise: %s\n", answer.get().c_str());

    auto failing = std::async(std::launch::async, []() -> int { throw std::runtime_error("thrown in a worker"); });
    try {
        failing.get();
        std::printf("exception: not propagated\n");
    } catch (const std::runtime_error &e) {
        std::printf("exception: caught '%s' in main\n", e.what());
    }
}

// --- thread_local objects with constructors and destructors ---
std::atomic<int> constructed{0}, destroyed{0};
struct PerThread {
    int id = constructed.fetch_add(1) + 1;
    long work = 0;
    ~PerThread() { destroyed.fetch_add(1); }
};
thread_local PerThread perThread;

void threadLocals() {
    std::vector<std::thread> pool;
    std::atomic<long> total{0};
    for (int t = 0; t < 5; t++)
        pool.emplace_back([&, t] {
            for (int i = 0; i <= t * 10; i++) perThread.work += i;
            total.fetch_add(perThread.work);
        });
    for (auto &t : pool) t.join();
    // main's own instance exists only once main touches it; five workers made and destroyed theirs.
    std::printf("thread_local: %d constructed, %d destroyed, work %ld\n", constructed.load(), destroyed.load(),
                total.load());
}

// --- call_once, shared_mutex, timed waits ---
void onceAndShared() {
    std::once_flag flag;
    std::atomic<int> calls{0};
    std::shared_mutex table;
    std::vector<int> values(16, 0);
    std::atomic<long> readTotal{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; t++)
        pool.emplace_back([&, t] {
            std::call_once(flag, [&] { calls++; });
            for (int i = 0; i < 500; i++) {
                if (i % 10 == t) {
                    std::unique_lock<std::shared_mutex> w(table);
                    values[i % 16]++;
                } else {
                    std::shared_lock<std::shared_mutex> r(table);
                    readTotal.fetch_add(1);
                }
            }
        });
    for (auto &t : pool) t.join();
    std::printf("call_once: %d call; shared_mutex: %d writes, %ld reads\n", calls.load(),
                std::accumulate(values.begin(), values.end(), 0), readTotal.load());

    std::mutex m;
    std::condition_variable never;
    std::unique_lock<std::mutex> lock(m);
    auto before = std::chrono::steady_clock::now();
    bool woken = never.wait_for(lock, std::chrono::milliseconds(30), [] { return false; });
    auto waited = std::chrono::steady_clock::now() - before;
    std::printf("wait_for: timed out %s, waited at least 30 ms: %s\n", woken ? "no" : "yes",
                waited >= std::chrono::milliseconds(30) ? "yes" : "no");
}

} // namespace

int main() {
    producersAndConsumers();
    atomics();
    futures();
    threadLocals();
    onceAndShared();
    std::printf("hardware_concurrency is positive: %s\n", std::thread::hardware_concurrency() > 0 ? "yes" : "no");
    return 0;
}
