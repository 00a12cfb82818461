#include "device/scenarios.h"

#include <gtest/gtest.h>

#include "device/test_specs.h"

namespace etpu::device {
namespace {

using testing::RoundHost;
using testing::RoundSpec;

// On RoundSpec / RoundHost at max clock: total = 0.5 fixed + h2d + d2h + compute.
// A: 1M cycles (2 ms), 200 kB in (2 ms), 50 kB out (1 ms), 300 kB cached (3 ms)
//    -> total 5.5, first 8.5.
InvocationQuery QueryA() {
  InvocationQuery q;
  q.estimated_cycles = 1'000'000;
  q.input_bytes = 200'000;
  q.output_bytes = 50'000;
  q.cached_param_bytes = 300'000;
  return q;
}
// B: 2M cycles (4 ms), 100 kB in (1 ms), 25 kB out (0.5 ms), 500 kB cached (5 ms)
//    -> total 6.0, first 11.0.
InvocationQuery QueryB() {
  InvocationQuery q;
  q.estimated_cycles = 2'000'000;
  q.input_bytes = 100'000;
  q.output_bytes = 25'000;
  q.cached_param_bytes = 500'000;
  return q;
}

TEST(PipelineTest, HandComputed) {
  Result<PipelineTime> p = EstimatePipeline({QueryA(), QueryB()}, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->segments.size(), 2u);
  EXPECT_NEAR(p->segments[0].total_ms, 5.5, 1e-12);
  EXPECT_NEAR(p->segments[1].total_ms, 6.0, 1e-12);
  EXPECT_NEAR(p->interval_ms, 6.0, 1e-12);
  EXPECT_EQ(p->bottleneck_segment, 1);
  EXPECT_NEAR(p->throughput_per_s, 1000.0 / 6.0, 1e-9);
  EXPECT_NEAR(p->latency_ms, 5.5 + 6.0 + 0.25, 1e-12);          // one hop
  EXPECT_NEAR(p->first_latency_ms, 8.5 + 11.0 + 0.25, 1e-12);
}

TEST(PipelineTest, SharedUsbHubHalvesBandwidth) {
  // Two devices: transfers take twice as long. A: 0.5 + 4 + 2 + 2 = 8.5; B: 0.5 + 2 + 1 + 4 = 7.5.
  PipelineOptions options;
  options.shared_usb_hub = true;
  Result<PipelineTime> p = EstimatePipeline({QueryA(), QueryB()}, RoundSpec(), RoundHost(), Clock::kMax, options);
  ASSERT_TRUE(p.ok());
  EXPECT_NEAR(p->segments[0].total_ms, 8.5, 1e-12);
  EXPECT_NEAR(p->segments[1].total_ms, 7.5, 1e-12);
  EXPECT_EQ(p->bottleneck_segment, 0);
  // PCIe: one link per device, unchanged.
  Result<PipelineTime> pcie =
      EstimatePipeline({QueryA(), QueryB()}, RoundSpec(), RoundHost(LinkKind::kPcie), Clock::kMax, options);
  ASSERT_TRUE(pcie.ok());
  EXPECT_NEAR(pcie->interval_ms, 6.0, 1e-12);
}

TEST(PipelineTest, Errors) {
  EXPECT_FALSE(EstimatePipeline({}, RoundSpec(), RoundHost(), Clock::kMax).ok());
  InvocationQuery bad = QueryB();
  bad.input_bytes = -3;
  Result<PipelineTime> p = EstimatePipeline({QueryA(), bad}, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("segment #1"), std::string::npos) << p.status().message();
  EXPECT_NE(p.status().message().find("input_bytes"), std::string::npos);
}

std::vector<ScheduledModel> Models(uint64_t token_a, uint64_t token_b) {
  return {{"a", QueryA(), token_a}, {"b", QueryB(), token_b}};
}

TEST(SwitchingTest, SeparateTokensReloadEveryTime) {
  Result<SwitchingTime> s = EstimateSwitching(Models(1, 2), {0, 1, 0, 1}, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->param_loads, 4);
  for (const SwitchingStep& step : s->steps) EXPECT_TRUE(step.loaded_params && step.cleared_cache);
  EXPECT_NEAR(s->total_ms, 2 * 8.5 + 2 * 11.0, 1e-12);
  EXPECT_NEAR(s->mean_ms[0], 8.5, 1e-12);
  EXPECT_NEAR(s->mean_ms[1], 11.0, 1e-12);
}

TEST(SwitchingTest, SharedTokenLoadsOnceEach) {
  Result<SwitchingTime> s = EstimateSwitching(Models(7, 7), {0, 1, 0, 1}, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->param_loads, 2);
  EXPECT_TRUE(s->steps[0].cleared_cache);   // empty cache at start
  EXPECT_FALSE(s->steps[1].cleared_cache);  // same token: b loads beside a
  EXPECT_TRUE(s->steps[1].loaded_params);
  EXPECT_FALSE(s->steps[2].loaded_params);
  EXPECT_NEAR(s->total_ms, 8.5 + 11.0 + 5.5 + 6.0, 1e-12);
}

TEST(SwitchingTest, RepeatsClearsAndTokenZero) {
  // Same model repeated: one load. A clear forces a reload.
  Result<SwitchingTime> s =
      EstimateSwitching(Models(0, 0), {0, 0, 0, kClearCache, 0}, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->steps.size(), 4u);
  EXPECT_EQ(s->param_loads, 2);
  EXPECT_NEAR(s->total_ms, 8.5 + 5.5 + 5.5 + 8.5, 1e-12);
  // Token 0 never matches another model's token 0.
  s = EstimateSwitching(Models(0, 0), {0, 1, 0}, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->param_loads, 3);
}

TEST(SwitchingTest, Errors) {
  Result<SwitchingTime> s = EstimateSwitching(Models(1, 2), {0, 2}, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("step 1 names model 2"), std::string::npos) << s.status().message();
  EXPECT_FALSE(EstimateSwitching(Models(1, 2), {-7}, RoundSpec(), RoundHost(), Clock::kMax).ok());
}

}  // namespace
}  // namespace etpu::device
