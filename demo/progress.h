// The demo's progress display: one bar per generation (`gen 2 [########----] 6/8 items  best
// 12.345`), redrawn in place with \r on a terminal and printed once per generation otherwise,
// with notes (a rejection, a cache hit) printed above it.
#pragma once

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

namespace evo::demo {

class ProgressView {
 public:
  // `out` receives everything; `tty` chooses in-place redraws.
  ProgressView(std::FILE* out, bool tty) : out_(out), tty_(tty) {}

  void begin_generation(int generation, std::size_t items);
  // One item finished; `best` is the best fitness known so far.
  void item_done(std::optional<double> best);
  // A line shown above the bar (it stays when the bar moves on).
  void note(const std::string& line);
  // The generation's last word, after the bar: e.g. "kept 5, gen best 3.21".
  void end_generation(const std::string& tail);
  // A plain line, outside any generation.
  void line(const std::string& text);

  static std::string format_fitness(double value);

 private:
  std::string bar() const;
  void redraw();
  void clear_line();

  std::FILE* out_;
  bool tty_;
  bool open_ = false;
  int generation_ = 0;
  std::size_t total_ = 0;
  std::size_t done_ = 0;
  std::optional<double> best_;
};

}  // namespace evo::demo
