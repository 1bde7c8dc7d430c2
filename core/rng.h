// Seeded, portable PRNG (xoshiro256** seeded through SplitMix64). Never <random>
// distributions: they differ between standard libraries, and a replay must be exact.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace evo {

class Rng {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed = 0);
  static Rng from_state(const State& state);

  std::uint64_t next_u64();
  // Uniform integer in [0, bound); bound must be > 0. Unbiased (rejection sampling).
  std::uint64_t below(std::uint64_t bound);
  // Uniform double in [0, 1) with 53 random bits.
  double next_double();

  const State& state() const { return s_; }

 private:
  State s_{};
};

std::uint64_t splitmix64(std::uint64_t& x);

}  // namespace evo
