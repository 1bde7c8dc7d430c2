// One worker thread that runs jobs strictly in the order they were posted, so that work which
// may wait (a tool asking the client something, a request queued behind one) never blocks the
// thread reading the client's messages. See InlineToolCalls for what runs on the reader instead.
#pragma once

#include <spdlog/logger.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace evo::mcp {

class SerialExecutor {
 public:
  explicit SerialExecutor(std::shared_ptr<spdlog::logger> logger);
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
  // True when nothing is queued or running (a snapshot: only meaningful to the one thread that
  // posts, which knows no job can arrive meanwhile).
  bool idle();

 private:
  void loop();

  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace evo::mcp
