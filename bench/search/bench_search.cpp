// The search-strategy suite (issue 12): scripted, no LLM. Each problem is a vector of numbers
// split into 1, 2 or 4 targets (target t owns one contiguous part). A "worker" makes each
// variant with the shared operators: mutate (one coordinate of the target's part, a Gaussian
// step), structural (one coordinate of the part resampled), crossover (uniform mix of the part
// from two parents), synergy (part t from the parent for target t). The engine runs through the
// same tool handlers the server uses (ToolDriver, policy_mode off: no git), against baselines
// with the same operators and budget: random sampling, (1+1) hill climbing, a (mu+lambda) GA
// with tournament selection. See bench/README.md for the command and the figures.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "core/rng.h"

namespace evo::bench {
namespace {

using Genome = std::vector<double>;
using Fit = std::vector<double>;  // minimized on every axis

struct Problem {
  std::string name;
  std::string kind;
  int dim = 8;
  double lo = 0.0;
  double hi = 1.0;
  bool binary = false;
  int objectives = 1;
  double target = 0.0;  // success: best first objective <= target (single objective)
  std::vector<double> hv_ref;
  std::function<Fit(const Genome&)> eval;
  Genome start;  // the seed every method starts from
};

constexpr double kPi = 3.14159265358979323846;

Problem make_problem(std::string name, std::string kind, int dim, double lo, double hi) {
  Problem p;
  p.name = std::move(name);
  p.kind = std::move(kind);
  p.dim = dim;
  p.lo = lo;
  p.hi = hi;
  return p;
}

std::vector<Problem> problems() {
  std::vector<Problem> out;
  {
    Problem p = make_problem("sphere", "continuous", 8, -5, 5);
    p.target = 0.05;
    p.eval = [](const Genome& x) {
      double f = 0;
      for (std::size_t i = 0; i < x.size(); ++i) f += (x[i] - 1.0) * (x[i] - 1.0);
      return Fit{f};
    };
    p.start = Genome(8, -4.0);
    out.push_back(p);
  }
  {
    Problem p = make_problem("rastrigin", "multimodal", 8, -5.12, 5.12);
    p.target = 5.0;
    p.eval = [](const Genome& x) {
      double f = 10.0 * static_cast<double>(x.size());
      for (double v : x) f += v * v - 10.0 * std::cos(2 * kPi * v);
      return Fit{f};
    };
    p.start = Genome(8, 4.0);
    out.push_back(p);
  }
  {
    Problem p = make_problem("rosenbrock", "continuous, couples neighbouring parts (cross-target)",
                             8, -2, 2);
    p.target = 1.0;
    p.eval = [](const Genome& x) {
      double f = 0;
      for (std::size_t i = 0; i + 1 < x.size(); ++i) {
        f += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
      }
      return Fit{f};
    };
    p.start = Genome(8, -1.5);
    out.push_back(p);
  }
  {
    Problem p =
        make_problem("trap", "combinatorial (deceptive 4-bit traps over 32 bits)", 32, 0, 1);
    p.binary = true;
    p.target = 2.0;
    p.eval = [](const Genome& x) {
      double f = 0;
      for (std::size_t b = 0; b + 3 < x.size(); b += 4) {
        int ones = 0;
        for (std::size_t i = b; i < b + 4; ++i) ones += x[i] > 0.5 ? 1 : 0;
        f += ones == 4 ? 0.0 : 1.0 + ones * 0.25;  // deceptive: 0 ones is the local optimum
      }
      return Fit{f};
    };
    p.start = Genome(32, 0.0);
    out.push_back(p);
  }
  {
    Problem p = make_problem("tsp", "combinatorial (12-city tour, random keys)", 12, 0, 1);
    p.target = 0.0;  // set below: 1.05 x the optimum of the circle tour
    // Cities on a circle in a scrambled order: the optimal tour is the circle.
    const std::vector<int> perm{3, 7, 0, 10, 5, 1, 8, 11, 2, 6, 9, 4};
    p.eval = [perm](const Genome& x) {
      std::vector<int> order(x.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return x[a] < x[b]; });
      double len = 0;
      for (std::size_t i = 0; i < order.size(); ++i) {
        const double a1 = 2 * kPi * perm[order[i]] / 12.0;
        const double a2 = 2 * kPi * perm[order[(i + 1) % order.size()]] / 12.0;
        len += std::hypot(std::cos(a1) - std::cos(a2), std::sin(a1) - std::sin(a2));
      }
      return Fit{len};
    };
    p.target = 1.05 * 12 * 2 * std::sin(kPi / 12);
    p.start.resize(12);
    for (int i = 0; i < 12; ++i) p.start[i] = (i + 0.5) / 12.0;
    out.push_back(p);
  }
  {
    Problem p = make_problem("zdt1", "2 objectives", 8, 0, 1);
    p.objectives = 2;
    p.hv_ref = {1.1, 11.0};
    p.eval = [](const Genome& x) {
      double g = 0;
      for (std::size_t i = 1; i < x.size(); ++i) g += x[i];
      g = 1 + 9 * g / static_cast<double>(x.size() - 1);
      const double f1 = x[0];
      return Fit{f1, g * (1 - std::sqrt(f1 / g))};
    };
    p.start = Genome(8, 0.9);
    p.start[0] = 0.5;
    out.push_back(p);
  }
  {
    Problem p = make_problem("dtlz2", "3 objectives", 8, 0, 1);
    p.objectives = 3;
    p.hv_ref = {2.5, 2.5, 2.5};
    p.eval = [](const Genome& x) {
      double g = 0;
      for (std::size_t i = 2; i < x.size(); ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
      const double a = x[0] * kPi / 2, b = x[1] * kPi / 2;
      return Fit{(1 + g) * std::cos(a) * std::cos(b), (1 + g) * std::cos(a) * std::sin(b),
                 (1 + g) * std::sin(a)};
    };
    p.start = Genome(8, 0.95);
    out.push_back(p);
  }
  return out;
}

// --- the shared operators ---------------------------------------------------------------

struct Ops {
  const Problem& p;
  int targets;
  std::pair<int, int> part(int t) const {
    const int n = p.dim / targets;
    return {t * n, t == targets - 1 ? p.dim : (t + 1) * n};
  }
  double gauss(Rng& r) const {
    const double u1 = std::max(r.next_double(), 1e-12), u2 = r.next_double();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
  }
  void mutate(Genome& g, int t, Rng& r) const {
    auto [a, b] = part(t);
    const auto i =
        static_cast<std::size_t>(a + static_cast<int>(r.below(static_cast<std::uint64_t>(b - a))));
    if (p.binary) {
      g[i] = 1.0 - g[i];
    } else {
      g[i] = std::clamp(g[i] + 0.1 * (p.hi - p.lo) * gauss(r), p.lo, p.hi);
    }
  }
  void structural(Genome& g, int t, Rng& r) const {
    auto [a, b] = part(t);
    const auto i =
        static_cast<std::size_t>(a + static_cast<int>(r.below(static_cast<std::uint64_t>(b - a))));
    if (p.binary) {  // a whole aligned 4-bit block flipped
      const std::size_t blk = i / 4 * 4;
      for (std::size_t k = blk; k < blk + 4 && k < g.size(); ++k) g[k] = 1.0 - g[k];
    } else {
      g[i] = p.lo + (p.hi - p.lo) * r.next_double();
    }
  }
  void crossover(Genome& g, const Genome& other, int t, Rng& r) const {
    auto [a, b] = part(t);
    for (int i = a; i < b; ++i) {
      if (r.next_double() < 0.5)
        g[static_cast<std::size_t>(i)] = other[static_cast<std::size_t>(i)];
    }
  }
};

// --- metrics -----------------------------------------------------------------------------

bool dominates(const Fit& a, const Fit& b) {
  bool strict = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strict = true;
  }
  return strict;
}

void archive_add(std::vector<Fit>& front, const Fit& f) {
  for (const auto& m : front) {
    if (dominates(m, f) || m == f) return;
  }
  front.erase(
      std::remove_if(front.begin(), front.end(), [&](const Fit& m) { return dominates(f, m); }),
      front.end());
  front.push_back(f);
}

// Exact 2-D hypervolume; 3-D by slicing on the third axis.
double hv2(std::vector<std::pair<double, double>> pts, double r0, double r1) {
  std::sort(pts.begin(), pts.end());
  double hv = 0, best1 = r1;
  for (auto [x, y] : pts) {
    if (x >= r0 || y >= best1) continue;
    hv += (r0 - x) * (best1 - y);
    best1 = y;
  }
  return hv;
}

double hypervolume(const std::vector<Fit>& front, const std::vector<double>& ref) {
  if (ref.size() == 2) {
    std::vector<std::pair<double, double>> pts;
    for (const auto& f : front) pts.emplace_back(f[0], f[1]);
    return hv2(pts, ref[0], ref[1]);
  }
  std::vector<Fit> pts;
  for (const auto& f : front) {
    if (f[0] < ref[0] && f[1] < ref[1] && f[2] < ref[2]) pts.push_back(f);
  }
  std::sort(pts.begin(), pts.end(), [](const Fit& a, const Fit& b) { return a[2] < b[2]; });
  double hv = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const double z1 = i + 1 < pts.size() ? pts[i + 1][2] : ref[2];
    std::vector<std::pair<double, double>> slice;
    for (std::size_t j = 0; j <= i; ++j) slice.emplace_back(pts[j][0], pts[j][1]);
    hv += hv2(slice, ref[0], ref[1]) * (z1 - pts[i][2]);
  }
  return hv;
}

// One run's trace: the score after each evaluation (best first objective, or -HV for MO so
// that lower is better everywhere) and the round each evaluation belonged to.
struct Trace {
  double final_score = 0;
  int evals_to_target = -1;
  int rounds_to_target = -1;
  int rounds = 0;
  int parts_improved = 0;  // parts of the final best that differ from the start
};

struct Tracker {
  Tracker(const Problem& problem, const Ops& o, int b) : p(problem), ops(o), budget(b) {}
  const Problem& p;
  const Ops& ops;
  int budget;
  int evals = 0;
  double best = 1e300;
  Genome best_genome;
  std::vector<Fit> front;
  Trace tr;
  Fit eval(const Genome& g, int round) {
    Fit f = p.eval(g);
    ++evals;
    tr.rounds = round;
    if (p.objectives == 1) {
      if (f[0] < best) {
        best = f[0];
        best_genome = g;
      }
      if (tr.evals_to_target < 0 && best <= p.target) {
        tr.evals_to_target = evals;
        tr.rounds_to_target = round;
      }
    } else {
      archive_add(front, f);
    }
    return f;
  }
  Trace finish() {
    tr.final_score = p.objectives == 1 ? best : -hypervolume(front, p.hv_ref);
    if (p.objectives == 1 && !best_genome.empty()) {
      for (int t = 0; t < ops.targets; ++t) {
        auto [a, b] = ops.part(t);
        for (int i = a; i < b; ++i) {
          if (best_genome[static_cast<std::size_t>(i)] != p.start[static_cast<std::size_t>(i)]) {
            ++tr.parts_improved;
            break;
          }
        }
      }
    }
    return tr;
  }
};

bool better(const Fit& a, const Fit& b) {  // for the baselines' acceptance
  if (a.size() == 1) return a[0] <= b[0];
  return !dominates(b, a);
}

// --- baselines ---------------------------------------------------------------------------

Trace run_random(const Problem& p, const Ops& ops, int budget, int width, std::uint64_t seed) {
  Rng r(seed);
  Tracker tk(p, ops, budget);
  tk.eval(p.start, 0);
  for (int e = 1; e < budget; ++e) {
    Genome g(static_cast<std::size_t>(p.dim));
    for (auto& v : g)
      v = p.binary ? (r.next_double() < 0.5 ? 0.0 : 1.0) : p.lo + (p.hi - p.lo) * r.next_double();
    tk.eval(g, 1 + (e - 1) / width);
  }
  return tk.finish();
}

void vary(const Ops& ops, Genome& g, int t, Rng& r) {
  if (r.below(3) == 0) {
    ops.structural(g, t, r);
  } else {
    ops.mutate(g, t, r);
  }
}

Trace run_hill(const Problem& p, const Ops& ops, int budget, std::uint64_t seed) {
  Rng r(seed);
  Tracker tk(p, ops, budget);
  Genome cur = p.start;
  Fit fc = tk.eval(cur, 0);
  for (int e = 1; e < budget; ++e) {
    Genome g = cur;
    vary(ops, g, static_cast<int>(r.below(static_cast<std::uint64_t>(ops.targets))), r);
    Fit f = tk.eval(g, e);
    if (better(f, fc)) {
      cur = g;
      fc = f;
    }
  }
  return tk.finish();
}

Trace run_ga(const Problem& p, const Ops& ops, int budget, int lambda, std::uint64_t seed) {
  Rng r(seed);
  Tracker tk(p, ops, budget);
  const int mu = 8;
  std::vector<std::pair<Genome, Fit>> pop{{p.start, tk.eval(p.start, 0)}};
  auto rank_sum = [&](const Fit& f) { return std::accumulate(f.begin(), f.end(), 0.0); };
  auto pick = [&]() -> const Genome& {
    const auto& a = pop[r.below(pop.size())];
    const auto& b = pop[r.below(pop.size())];
    if (dominates(b.second, a.second)) return b.first;
    if (dominates(a.second, b.second)) return a.first;
    return rank_sum(a.second) <= rank_sum(b.second) ? a.first : b.first;
  };
  int round = 0;
  while (tk.evals < budget) {
    ++round;
    std::vector<std::pair<Genome, Fit>> kids;
    for (int k = 0; k < lambda && tk.evals < budget; ++k) {
      Genome g = pick();
      const int t = static_cast<int>(r.below(static_cast<std::uint64_t>(ops.targets)));
      if (r.below(2) == 0 && pop.size() > 1) {
        ops.crossover(g, pick(), t, r);
      } else {
        vary(ops, g, t, r);
      }
      kids.emplace_back(g, tk.eval(g, round));
    }
    for (auto& k : kids) pop.push_back(std::move(k));
    // (mu + lambda): non-dominated rank first, then the sum of objectives.
    std::vector<int> dom(pop.size(), 0);
    for (std::size_t i = 0; i < pop.size(); ++i) {
      for (std::size_t j = 0; j < pop.size(); ++j) {
        if (dominates(pop[j].second, pop[i].second)) ++dom[i];
      }
    }
    std::vector<std::size_t> idx(pop.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      if (dom[a] != dom[b]) return dom[a] < dom[b];
      return rank_sum(pop[a].second) < rank_sum(pop[b].second);
    });
    std::vector<std::pair<Genome, Fit>> next;
    for (std::size_t i = 0; i < idx.size() && static_cast<int>(next.size()) < mu; ++i)
      next.push_back(pop[idx[i]]);
    pop = std::move(next);
  }
  return tk.finish();
}

// --- the engine, through the tool handlers ------------------------------------------------

Trace run_engine(ToolDriver& tools, const std::string& repo, const Problem& p, const Ops& ops,
                 int budget, const std::string& strategy, std::uint64_t seed, int pop) {
  Rng r(seed * 31 + 7);
  Tracker tk(p, ops, budget);
  json objectives = json::array();
  for (int k = 0; k < p.objectives; ++k) {
    objectives.push_back({{"name", "f" + std::to_string(k)}, {"direction", "min"}});
  }
  json init = {{"repo_path", repo},        {"benchmark_cmd", "./bench.sh"},
               {"objectives", objectives}, {"max_fe", budget},
               {"policy_mode", "off"},     {"manage_refs", false},
               {"strategy", strategy},     {"seed", seed}};
  if (pop > 0) init["pop_size"] = pop;  // otherwise the strategy's default
  const std::string run = tools.call("evo_init", init).at("run_id").get<std::string>();
  json targets = json::array();
  for (int t = 0; t < ops.targets; ++t) {
    targets.push_back({{"id", "t" + std::to_string(t)},
                       {"file", "src/part_" + std::to_string(t) + ".txt"},
                       {"function", "part_" + std::to_string(t)}});
  }
  tools.call("evo_register_targets", {{"run", run}, {"targets", targets}});
  std::map<std::string, Genome> genomes{{"seed-baseline", p.start}};
  tools.call("evo_report_seed", {{"run", run}, {"fitness_values", tk.eval(p.start, 0)}});
  auto target_index = [](const std::string& id) { return std::stoi(id.substr(1)); };
  int round = 0;
  json reply = tools.call("evo_step", {{"run", run}, {"phase", "begin_generation"}});
  while (reply.at("action") == "dispatch_workers") {
    ++round;
    for (const auto& item : reply.at("items")) {
      const std::string branch = item.at("branch").get<std::string>();
      const std::string op = item.at("operation").get<std::string>();
      const auto parents = item.at("parent_branches").get<std::vector<std::string>>();
      Genome g = genomes.at(parents.at(0));
      const std::string tid = item.at("target_id").get<std::string>();
      if (op == "synergy") {
        std::size_t start = 0, i = 0;
        while (start <= tid.size()) {
          auto plus = tid.find('+', start);
          if (plus == std::string::npos) plus = tid.size();
          const int t = target_index(tid.substr(start, plus - start));
          auto [a, b] = ops.part(t);
          const Genome& src = genomes.at(parents.at(std::min(i, parents.size() - 1)));
          for (int k = a; k < b; ++k)
            g[static_cast<std::size_t>(k)] = src[static_cast<std::size_t>(k)];
          start = plus + 1;
          ++i;
        }
      } else {
        const int t = target_index(tid);
        if (op == "crossover" && parents.size() > 1) {
          ops.crossover(g, genomes.at(parents[1]), t, r);
        } else if (op == "structural") {
          ops.structural(g, t, r);
        } else {
          ops.mutate(g, t, r);
        }
      }
      genomes[branch] = g;
      tools.call("evo_step", {{"run", run}, {"phase", "code_ready"}, {"branch", branch}});
      tools.call("evo_step", {{"run", run},
                              {"phase", "fitness_ready"},
                              {"branch", branch},
                              {"success", true},
                              {"fitness_values", tk.eval(g, round)}});
    }
    tools.call("evo_step", {{"run", run}, {"phase", "select"}});
    reply = tools.call("evo_step", {{"run", run}, {"phase", "reflect_done"}});
  }
  return tk.finish();
}

// --- statistics ----------------------------------------------------------------------------

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Two-sided Mann-Whitney U p-value (normal approximation with tie correction).
double mann_whitney(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<std::pair<double, int>> all;
  for (double x : a) all.emplace_back(x, 0);
  for (double x : b) all.emplace_back(x, 1);
  std::sort(all.begin(), all.end());
  const double n = static_cast<double>(all.size());
  std::vector<double> rank(all.size());
  double ties = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double t = static_cast<double>(j - i);
    ties += t * t * t - t;
    for (std::size_t k = i; k < j; ++k) rank[k] = (static_cast<double>(i + j) + 1) / 2.0;
    i = j;
  }
  double ra = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].second == 0) ra += rank[i];
  }
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  const double u = ra - na * (na + 1) / 2;
  const double mu = na * nb / 2;
  const double var = na * nb / 12 * ((n + 1) - ties / (n * (n - 1)));
  if (var <= 0) return 1.0;
  const double z = (std::abs(u - mu) - 0.5) / std::sqrt(var);
  return std::erfc(std::max(0.0, z) / std::sqrt(2.0));
}

int run_suite(int seeds, int budget, int adaptive_pop, const std::string& json_path) {
  TempDir data("evo-bench-search");
  TempDir repo("evo-bench-search-repo");
  const std::vector<std::string> methods{"random", "hill(1+1)", "ga(mu+lambda)", "reference",
                                         "adaptive"};
  json doc;
  doc["budget"] = budget;
  doc["seeds"] = seeds;
  doc["results"] = json::array();
  Table table(
      "search suite: median score at " + std::to_string(budget) +
          " evaluations (lower is better; MO: -hypervolume), " + std::to_string(seeds) + " seeds",
      {"problem", "T", "random", "hill", "ga", "reference", "adaptive", "best baseline",
       "p vs best", "succ% ad/best", "evals2tgt ad/best", "rounds2tgt ad/best", "parts ad"});
  int wins = 0, ties = 0, losses = 0, sig_losses = 0;
  for (const Problem& p : problems()) {
    for (int targets : {1, 2, 4}) {
      // One engine per cell keeps every run's state small and the store short.
      engine::EngineOptions eo;
      eo.data_dir = (data.path() / (p.name + "-" + std::to_string(targets))).string();
      auto engine = engine::Engine::open(eo, quiet_logger());
      if (!engine) fail("engine: " + engine.error().message);
      ToolDriver tools(**engine);
      Ops ops{p, targets};
      std::map<std::string, std::vector<Trace>> traces;
      for (int s = 0; s < seeds; ++s) {
        const auto seed = static_cast<std::uint64_t>(1000 + s);
        traces["random"].push_back(run_random(p, ops, budget, 4, seed));
        traces["hill(1+1)"].push_back(run_hill(p, ops, budget, seed));
        traces["ga(mu+lambda)"].push_back(run_ga(p, ops, budget, 8, seed));
        traces["reference"].push_back(
            run_engine(tools, repo.path().string(), p, ops, budget, "reference", seed, 0));
        traces["adaptive"].push_back(run_engine(tools, repo.path().string(), p, ops, budget,
                                                "adaptive", seed, adaptive_pop));
      }
      std::map<std::string, std::vector<double>> scores;
      json cell = {{"problem", p.name}, {"kind", p.kind}, {"targets", targets}};
      for (const auto& m : methods) {
        std::vector<double> sc, e2t, r2t, parts;
        int succ = 0;
        for (const auto& t : traces[m]) {
          sc.push_back(t.final_score);
          parts.push_back(t.parts_improved);
          if (t.evals_to_target >= 0) {
            ++succ;
            e2t.push_back(t.evals_to_target);
            r2t.push_back(t.rounds_to_target);
          }
        }
        scores[m] = sc;
        cell[m] = {{"median", median(sc)},
                   {"success_rate", p.objectives == 1 ? json(succ / double(seeds)) : json(nullptr)},
                   {"median_evals_to_target", e2t.empty() ? json(nullptr) : json(median(e2t))},
                   {"median_rounds_to_target", r2t.empty() ? json(nullptr) : json(median(r2t))},
                   {"median_rounds", median([&] {
                      std::vector<double> v;
                      for (const auto& t : traces[m]) v.push_back(t.rounds);
                      return v;
                    }())},
                   {"median_parts_improved", median(parts)}};
      }
      std::string best = "random";
      for (const auto& m : {"hill(1+1)", "ga(mu+lambda)", "reference"}) {
        if (median(scores[m]) < median(scores[best])) best = m;
      }
      const double p_value = mann_whitney(scores["adaptive"], scores[best]);
      const double ma = median(scores["adaptive"]), mb = median(scores[best]);
      const double tol = 1e-9 * std::max(1.0, std::abs(mb));
      if (ma < mb - tol) {
        ++wins;
      } else if (ma <= mb + tol) {
        ++ties;
      } else {
        ++losses;
        if (p_value < 0.05) ++sig_losses;
      }
      cell["best_baseline"] = best;
      cell["p_value_vs_best"] = p_value;
      doc["results"].push_back(cell);
      auto cellf = [&](const std::string& m, const char* key) {
        const auto& v = cell[m][key];
        return v.is_null() ? std::string("-") : fmt(v.get<double>(), key[0] == 's' ? 2 : 0);
      };
      table.add(
          {p.name, std::to_string(targets), fmt(median(scores["random"])),
           fmt(median(scores["hill(1+1)"])), fmt(median(scores["ga(mu+lambda)"])),
           fmt(median(scores["reference"])), fmt(ma), best, fmt(p_value, 3),
           p.objectives == 1 ? cellf("adaptive", "success_rate") + "/" + cellf(best, "success_rate")
                             : "-",
           cellf("adaptive", "median_evals_to_target") + "/" +
               cellf(best, "median_evals_to_target"),
           cellf("adaptive", "median_rounds_to_target") + "/" +
               cellf(best, "median_rounds_to_target"),
           p.objectives == 1 ? fmt(cell["adaptive"]["median_parts_improved"].get<double>(), 1) +
                                   "/" + std::to_string(targets)
                             : "-"});
      std::cerr << "  " << p.name << " T=" << targets << " done\n";
    }
  }
  table.print();
  std::cout << "adaptive vs best baseline (median): " << wins << " better, " << ties << " equal, "
            << losses << " worse (" << sig_losses << " significant at p<0.05)\n";
  doc["summary"] = {
      {"better", wins}, {"equal", ties}, {"worse", losses}, {"significant_losses", sig_losses}};
  if (!json_path.empty()) write_json(json_path, doc);
  return 0;
}

}  // namespace
}  // namespace evo::bench

int main(int argc, char** argv) {
  CLI::App app{"evo-engine search-strategy suite (issue 12)"};
  bool quick = false;
  int seeds = 30;
  int budget = 400;
  std::string json_path = "build/bench/search.json";
  int adaptive_pop = 0;
  app.add_flag("--quick", quick, "5 seeds instead of 30");
  app.add_option("--adaptive-pop", adaptive_pop,
                 "explicit pop_size for the adaptive strategy (0: its default)")
      ->check(CLI::Range(0, 10000));
  app.add_option("--seeds", seeds, "seeds per problem, method and target count")
      ->check(CLI::Range(1, 1000));
  app.add_option("--budget", budget, "evaluations per run")->check(CLI::Range(10, 100000));
  evo::bench::add_json_option(app, json_path);
  CLI11_PARSE(app, argc, argv);
  if (quick) seeds = 5;
  return evo::bench::run_suite(seeds, budget, adaptive_pop, json_path);
}
