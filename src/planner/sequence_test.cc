// Cyclic sequences on one TPU (planner/sequence.h): reloads and switches worked out by hand from
// the token rule, latencies as sums of service times in order, and the overloaded case.
#include "planner/sequence.h"

#include <gtest/gtest.h>

#include <cmath>

namespace etpu::planner {
namespace {

// det, cls, cls with det and cls compiled apart: det always reloads (cls ran since its last
// invocation); the first cls of a frame reloads (det ran), the second does not; the token switches
// twice a frame (cls -> det, det -> cls).
TEST(SequenceTest, DetectorThenTwoClassificationsCompiledApart) {
  const SequenceOnTpu s = AnalyseSequence({0, 1, 1}, {0, 1});
  EXPECT_DOUBLE_EQ(s.reload_probability[0], 1.0);
  EXPECT_DOUBLE_EQ(s.reload_probability[1], 0.5);
  EXPECT_DOUBLE_EQ(s.switches_per_frame, 2);
  EXPECT_EQ(s.reloads, (std::vector<bool>{true, true, false}));
  // Frame latencies: det reloads (10 ms), then cls reloads (4), then cls cached (1): 10, 14, 15.
  const auto l = SequenceLatencies({0, 1, 1}, s, {{0, 10, 3, 0}, {0, 4, 1, 0}}, 20);
  EXPECT_DOUBLE_EQ(l[0].p99_ms, 10);
  EXPECT_DOUBLE_EQ(l[1].mean_ms, 14.5);
  EXPECT_DOUBLE_EQ(l[1].p99_ms, 15);
}

// The same sequence co-compiled: one token, nothing reloads in steady state, no switch.
TEST(SequenceTest, CoCompiledNeverReloads) {
  const SequenceOnTpu s = AnalyseSequence({0, 1, 1}, {0, 0});
  EXPECT_EQ(s.reload_probability, (std::vector<double>{0, 0}));
  EXPECT_EQ(s.switches_per_frame, 0);
}

// Alternating models of two groups reload every time; a model that occurs alone never does; a
// member that does not occur gets nothing.
TEST(SequenceTest, AlternationAndAbsentMembers) {
  const SequenceOnTpu s = AnalyseSequence({0, 1, 0, 1}, {0, 1, 2});
  EXPECT_EQ(s.reload_probability, (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(s.switches_per_frame, 4);
  const SequenceOnTpu alone = AnalyseSequence({0, 0, 0}, {0});
  EXPECT_EQ(alone.reload_probability[0], 0);
  EXPECT_EQ(alone.switches_per_frame, 0);
}

// A frame's work longer than its period has no steady state.
TEST(SequenceTest, OverloadedFrameHasNoFiniteLatency) {
  const SequenceOnTpu s = AnalyseSequence({0, 0}, {0});
  EXPECT_TRUE(std::isinf(SequenceLatencies({0, 0}, s, {{0, 30, 30, 0}}, 20)[0].p99_ms));  // 60 ms of work every 50 ms
  EXPECT_DOUBLE_EQ(SequenceLatencies({0, 0}, s, {{0, 30, 20, 0}}, 20)[0].p99_ms, 40);   // 40 ms every 50 ms
}

}  // namespace
}  // namespace etpu::planner
