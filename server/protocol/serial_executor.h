// One worker thread that runs jobs strictly in the order they were posted, so that slow tool
// calls never block the thread reading the client's messages.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace evo::server {

class SerialExecutor {
 public:
  // After a job the worker polls the queue for `spin` before it sleeps: a request that follows
  // its predecessor's reply closely (a client reporting a batch) then starts without a futex
  // wake, which costs tens of microseconds on a virtual machine (bench/README.md). Zero
  // disables it.
  explicit SerialExecutor(std::shared_ptr<spdlog::logger> logger,
                          std::chrono::microseconds spin = kDefaultSpin);
  static constexpr std::chrono::microseconds kDefaultSpin{300};
  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;
  ~SerialExecutor();  // stop()

  // False (and the job is dropped) once stop() has begun.
  bool post(std::function<void()> job);
  // Blocks until every job posted before the call has finished. Must not be called from a job.
  void drain();
  // Runs what is queued, then joins the worker. Idempotent.
  void stop();
  // True on the worker thread itself.
  bool on_worker() const;

 private:
  void loop();
  // Polls for up to spin_ until posted_ moves past `seen`; true if it did. Called without mu_.
  bool spin_for_work(std::size_t seen) const;

  std::shared_ptr<spdlog::logger> logger_;
  std::chrono::microseconds spin_;
  std::atomic<std::size_t> posted_{0};  // jobs posted plus stop requests, for spin_for_work
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace evo::server
