// The demo's progress display. See progress.h.
#include "demo/progress.h"

namespace evo::demo {
namespace {
constexpr std::size_t kBarWidth = 24;
}  // namespace

std::string ProgressView::format_fitness(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", value);
  return buf;
}

std::string ProgressView::bar() const {
  const std::size_t filled = total_ == 0 ? kBarWidth : done_ * kBarWidth / total_;
  std::string s = "gen " + std::to_string(generation_) + " [";
  s += std::string(filled, '#') + std::string(kBarWidth - filled, '-');
  s += "] " + std::to_string(done_) + "/" + std::to_string(total_) + " items";
  s += "  best " + (best_ ? format_fitness(*best_) : std::string("-"));
  return s;
}

void ProgressView::clear_line() {
  if (tty_ && open_) std::fputs("\r\033[2K", out_);
}

void ProgressView::redraw() {
  if (!tty_) return;
  clear_line();
  std::fputs(bar().c_str(), out_);
  std::fflush(out_);
}

void ProgressView::begin_generation(int generation, std::size_t items) {
  generation_ = generation;
  total_ = items;
  done_ = 0;
  open_ = true;
  redraw();
}

void ProgressView::item_done(std::optional<double> best) {
  if (done_ < total_) ++done_;
  if (best) best_ = best;
  redraw();
}

void ProgressView::note(const std::string& line) {
  clear_line();
  std::fprintf(out_, "  %s\n", line.c_str());
  if (open_) redraw();
  std::fflush(out_);
}

void ProgressView::end_generation(const std::string& tail) {
  clear_line();
  std::fprintf(out_, "%s  %s\n", bar().c_str(), tail.c_str());
  std::fflush(out_);
  open_ = false;
}

void ProgressView::line(const std::string& text) {
  clear_line();
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

}  // namespace evo::demo
