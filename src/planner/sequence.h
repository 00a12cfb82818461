// A cyclic invocation sequence on one Edge TPU (`etpu plan --sequence det,cls,cls --fps F`,
// docs/PLANNER.md §11): which invocations reload, how often the token switches, and the latencies.
//
// The workload model: F times per second (a frame) the whole sequence is issued at once; each TPU
// runs its own invocations of the frame in sequence order (one interpreter per TPU, as a pycoral app
// with one thread per TPU has it). So the invocations reaching a TPU are the sequence restricted to
// its models, repeated cyclically, and everything is deterministic:
//   - an occurrence of m reloads iff a model of another co-compile group occurs between m's previous
//     occurrence (cyclically) and it (libedgetpu's token rule: another token cleared the cache);
//   - token switches per frame: the cyclically adjacent occurrences of different groups;
//   - in steady state (the TPU busy less than a frame period) each frame starts idle, so the k-th
//     occurrence completes after the sum of the service times of occurrences 1..k: its latency.
// A chain in which one model reads another's output (a classifier on a detector's boxes) would wait
// for it across TPUs; that dependency is not modelled.
#pragma once

#include <vector>

#include "planner/latency.h"

namespace etpu::planner {

struct SequenceOnTpu {
  std::vector<double> reload_probability;  ///< Per member: its reloading occurrences / its occurrences.
  double switches_per_frame = 0;
  std::vector<bool> reloads;               ///< Per occurrence of `order`.
};

/// `order`: the TPU's members (indices 0..members-1) in sequence order, one entry per occurrence;
/// `group_of`: each member's co-compile group on the TPU. Members that never occur get 0.
SequenceOnTpu AnalyseSequence(const std::vector<int>& order, const std::vector<int>& group_of);

/// The latencies of each member from its frame's start (nearest-rank p50 and p99 over its
/// occurrences, mean over them), given the members' service times (their first_ms and later_ms;
/// the rates and reload probabilities are not used: the sequence decides them); all infinite when
/// the frame's work on the TPU exceeds the period (no steady state).
std::vector<LatencyPrediction> SequenceLatencies(const std::vector<int>& order, const SequenceOnTpu& analysis,
                                                 const std::vector<QueueMember>& members, double frames_per_s);

}  // namespace etpu::planner
