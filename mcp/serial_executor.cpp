// The session's single worker thread. Exceptions from jobs are logged here, as a last resort:
// session jobs catch their own, so reaching this catch is a bug worth an error line.
#include "mcp/serial_executor.h"

#include <exception>
#include <utility>

namespace evo::mcp {

SerialExecutor::SerialExecutor(std::shared_ptr<spdlog::logger> logger)
    : logger_(std::move(logger)), worker_([this] { loop(); }) {}

SerialExecutor::~SerialExecutor() {
  stop();
}

bool SerialExecutor::post(std::function<void()> job) {
  {
    const std::lock_guard lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void SerialExecutor::drain() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void SerialExecutor::stop() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable() && !on_worker()) worker_.join();
}

bool SerialExecutor::idle() {
  const std::lock_guard lock(mu_);
  return queue_.empty() && !busy_;
}

bool SerialExecutor::on_worker() const {
  return std::this_thread::get_id() == worker_.get_id();
}

void SerialExecutor::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      // stopping_ and nothing left: queued work always runs before the worker exits.
      idle_.notify_all();
      return;
    }
    auto job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      logger_->error("worker job threw: {}", e.what());
    } catch (...) {
      logger_->error("worker job threw a non-standard exception");
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace evo::mcp
