#include "planner/sequence.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace etpu::planner {

SequenceOnTpu AnalyseSequence(const std::vector<int>& order, const std::vector<int>& group_of) {
  SequenceOnTpu out;
  out.reload_probability.assign(group_of.size(), 0.0);
  out.reloads.assign(order.size(), false);
  const size_t n = order.size();
  if (n == 0) return out;
  std::vector<int> occurrences(group_of.size(), 0), reloading(group_of.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    const int m = order[i];
    const int g = group_of[static_cast<size_t>(m)];
    // Walk back (cyclically) to m's previous occurrence; reload if another group ran in between.
    bool other = false;
    for (size_t back = 1; back <= n; ++back) {
      const int x = order[(i + n - back) % n];
      if (x == m) break;
      if (group_of[static_cast<size_t>(x)] != g) {
        other = true;
        break;
      }
    }
    out.reloads[i] = other;
    ++occurrences[static_cast<size_t>(m)];
    if (other) ++reloading[static_cast<size_t>(m)];
    if (group_of[static_cast<size_t>(order[(i + n - 1) % n])] != g) out.switches_per_frame += 1;
  }
  for (size_t m = 0; m < group_of.size(); ++m) {
    if (occurrences[m] > 0) out.reload_probability[m] = static_cast<double>(reloading[m]) / occurrences[m];
  }
  return out;
}

std::vector<LatencyPrediction> SequenceLatencies(const std::vector<int>& order, const SequenceOnTpu& analysis,
                                                 const std::vector<QueueMember>& members, double frames_per_s) {
  std::vector<std::vector<double>> per_member(members.size());
  double t = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const size_t m = static_cast<size_t>(order[i]);
    t += analysis.reloads[i] ? members[m].first_ms : members[m].later_ms;
    per_member[m].push_back(t);
  }
  std::vector<LatencyPrediction> out(members.size());
  const bool steady = t * frames_per_s / 1000.0 < 1;
  for (size_t m = 0; m < per_member.size(); ++m) {
    auto& v = per_member[m];
    if (!steady) {
      const double inf = std::numeric_limits<double>::infinity();
      out[m] = {inf, inf, inf};
      continue;
    }
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    const auto rank = [&](double p) { return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5)]; };
    double sum = 0;
    for (double x : v) sum += x;
    out[m] = {sum / static_cast<double>(v.size()), rank(0.5), rank(0.99)};
  }
  return out;
}

}  // namespace etpu::planner
