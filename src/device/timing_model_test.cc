#include "device/timing_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "device/device_catalog.h"
#include "device/test_specs.h"

namespace etpu::device {
namespace {

using testing::RoundHost;
using testing::RoundSpec;

LayerCost Layer(LayerCost::Kind kind, int h, int w, int cin, int cout, int k, int64_t macs = 0) {
  LayerCost l;
  l.kind = kind;
  l.out_h = h;
  l.out_w = w;
  l.in_c = cin;
  l.out_c = cout;
  l.kh = l.kw = k;
  l.macs = macs;
  return l;
}

int64_t Cycles(const LayerCost& l, const DeviceSpec& s) {
  Result<int64_t> c = EstimateLayerCycles(l, s);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : -1;
}

TEST(LayerCyclesTest, HandComputedPerKind) {
  const DeviceSpec s = RoundSpec();  // eta 0.5 doubles every raw count
  // conv 8x8 out, 3x3, 8 -> 128: ceil(64/16)=4 * 9 * ceil(8/4)=2 * ceil(128/64)=2 = 144 -> 288.
  EXPECT_EQ(Cycles(Layer(LayerCost::kConv, 8, 8, 8, 128, 3), s), 288);
  // conv 8x8, 1x1, 9 -> 65: 4 * 1 * ceil(9/4)=3 * ceil(65/64)=2 = 24 -> 48 (channel padding).
  EXPECT_EQ(Cycles(Layer(LayerCost::kConv, 8, 8, 9, 65, 1), s), 48);
  // depthwise 8x8, 3x3, 100 ch: 4 * 9 * ceil(100/64)=2 * 4 passes = 288 -> 576.
  EXPECT_EQ(Cycles(Layer(LayerCost::kDepthwise, 8, 8, 100, 100, 3), s), 576);
  // pool 4x4 out, 2x2 window, 128 ch: ceil(16/16)=1 * 4 * 2 * 4 = 32 -> 64.
  EXPECT_EQ(Cycles(Layer(LayerCost::kPool, 4, 4, 128, 128, 2), s), 64);
  // elementwise 8x8, 64 ch: 4 * 1 * 4 = 16 -> 32 (kernel size ignored).
  EXPECT_EQ(Cycles(Layer(LayerCost::kElementwise, 8, 8, 64, 64, 3), s), 32);
  // FC 1024 -> 1001, one row: ceil(1024/64)=16 * ceil(1001/64)=16 = 256 -> 512.
  EXPECT_EQ(Cycles(Layer(LayerCost::kFullyConnected, 1, 1, 1024, 1001, 1), s), 512);
  // FC with 3 rows: 3 * 256 = 768 -> 1536.
  EXPECT_EQ(Cycles(Layer(LayerCost::kFullyConnected, 3, 1, 1024, 1001, 1), s), 1536);
  // other with 10,000 MACs: ceil(10000/4096)=3 -> 6; without MACs: as elementwise (1*1*4=4 -> 8).
  EXPECT_EQ(Cycles(Layer(LayerCost::kOther, 1, 1, 1, 1, 1, 10000), s), 6);
  EXPECT_EQ(Cycles(Layer(LayerCost::kOther, 4, 4, 64, 64, 1), s), 8);
}

TEST(LayerCyclesTest, EtaRoundsUpPerLayer) {
  DeviceSpec s = RoundSpec();
  s.eta = 0.41;
  // raw 144 / 0.41 = 351.22 -> 352.
  EXPECT_EQ(Cycles(Layer(LayerCost::kConv, 8, 8, 8, 128, 3), s), 352);
  Result<int64_t> total = EstimateComputeCycles(
      {Layer(LayerCost::kConv, 8, 8, 8, 128, 3), Layer(LayerCost::kElementwise, 8, 8, 64, 64, 1)}, s);
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(*total, 352 + 40);  // 16 / 0.41 = 39.02 -> 40
}

TEST(LayerCyclesTest, LayerMacs) {
  EXPECT_EQ(LayerMacs(Layer(LayerCost::kConv, 8, 8, 8, 128, 3)), 64 * 9 * 8 * 128);
  EXPECT_EQ(LayerMacs(Layer(LayerCost::kDepthwise, 8, 8, 100, 100, 3)), 64 * 9 * 100);
  EXPECT_EQ(LayerMacs(Layer(LayerCost::kFullyConnected, 1, 1, 1024, 1001, 1)), 1024 * 1001);
  EXPECT_EQ(LayerMacs(Layer(LayerCost::kPool, 4, 4, 8, 8, 2)), 0);
  EXPECT_EQ(LayerMacs(Layer(LayerCost::kPool, 4, 4, 8, 8, 2, 77)), 77);
}

TEST(LayerCyclesTest, BadLayersNameTheLayerAndField) {
  const DeviceSpec s = RoundSpec();
  LayerCost l = Layer(LayerCost::kConv, 0, 8, 8, 8, 3);
  l.name = "conv_3";
  Result<int64_t> r = EstimateComputeCycles({Layer(LayerCost::kConv, 8, 8, 8, 8, 1), l}, s);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("layer 'conv_3' (#1, conv)"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("out_h = 0"), std::string::npos);
  EXPECT_FALSE(EstimateLayerCycles(Layer(LayerCost::kConv, 8, 8, 8, 1 << 25, 1), s).ok());
  EXPECT_FALSE(EstimateLayerCycles(Layer(LayerCost::kOther, 1, 1, 1, 1, 1, -1), s).ok());
  // An absurd (but in-range) shape is reported as an overflow, not wrapped.
  const int big = 1 << 24;
  Result<int64_t> huge = EstimateLayerCycles(Layer(LayerCost::kConv, big, big, big, big, 1), s);
  EXPECT_FALSE(huge.ok());
}

// The reference query: every term a round number on RoundSpec / RoundHost.
InvocationQuery RoundQuery() {
  InvocationQuery q;
  q.estimated_cycles = 1'000'000;   // 2 ms at 500 MHz, 4 ms at 250 MHz
  q.instruction_bytes = 100'000;    // h2d: (100k + 150k + 50k) / 100 MB/s = 3 ms
  q.input_bytes = 150'000;
  q.scratch_h2d_bytes = 50'000;
  q.output_bytes = 25'000;          // d2h: (25k + 25k) / 50 MB/s = 1 ms
  q.scratch_d2h_bytes = 25'000;
  q.streamed_param_bytes = 100'000; // 1 ms, hidden under 2 ms of compute
  q.cached_param_bytes = 700'000;   // 7 ms, first inference only
  return q;
}

TEST(EstimateInvocationTest, HandComputedTerms) {
  Result<InvocationTime> t = EstimateInvocation(RoundQuery(), RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->cycles, 1'000'000);
  EXPECT_DOUBLE_EQ(t->clock_hz, 500e6);
  EXPECT_NEAR(t->compute_ms, 2.0, 1e-12);
  EXPECT_NEAR(t->h2d_ms, 3.0, 1e-12);
  EXPECT_NEAR(t->d2h_ms, 1.0, 1e-12);
  EXPECT_NEAR(t->fixed_ms, 0.5, 1e-12);
  EXPECT_NEAR(t->stream_ms, 1.0, 1e-12);
  EXPECT_NEAR(t->param_load_ms, 7.0, 1e-12);
  EXPECT_FALSE(t->stream_bound);
  EXPECT_NEAR(t->total_ms, 0.5 + 3 + 1 + 2, 1e-12);        // 6.5
  EXPECT_NEAR(t->first_total_ms, 6.5 + 7, 1e-12);          // 13.5
}

TEST(EstimateInvocationTest, StreamingOverlapsCompute) {
  InvocationQuery q = RoundQuery();
  q.streamed_param_bytes = 500'000;  // 5 ms > 2 ms compute: streaming sets the term
  Result<InvocationTime> t = EstimateInvocation(q, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->stream_bound);
  EXPECT_NEAR(t->total_ms, 0.5 + 3 + 1 + 5, 1e-12);
}

TEST(EstimateInvocationTest, StdClockThrottlesUsbOnly) {
  Result<InvocationTime> usb = EstimateInvocation(RoundQuery(), RoundSpec(), RoundHost(), Clock::kStd);
  ASSERT_TRUE(usb.ok());
  EXPECT_NEAR(usb->compute_ms, 4.0, 1e-12);
  EXPECT_NEAR(usb->total_ms, 8.5, 1e-12);
  Result<InvocationTime> pcie =
      EstimateInvocation(RoundQuery(), RoundSpec(), RoundHost(LinkKind::kPcie), Clock::kStd);
  ASSERT_TRUE(pcie.ok());
  EXPECT_NEAR(pcie->total_ms, 6.5, 1e-12);  // PCIe is never throttled
}

TEST(EstimateInvocationTest, LayerModelWhenNoCompilerEstimate) {
  InvocationQuery q;
  q.layers = {Layer(LayerCost::kConv, 8, 8, 8, 128, 3)};  // 288 cycles (see above)
  Result<InvocationTime> t = EstimateInvocation(q, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->cycles, 288);
  EXPECT_NEAR(t->compute_ms, 288 / 500e6 * 1e3, 1e-15);
  EXPECT_NEAR(t->total_ms, 0.5 + 288 / 500e6 * 1e3, 1e-12);
}

TEST(EstimateInvocationTest, ErrorsNameTheField) {
  InvocationQuery q = RoundQuery();
  q.scratch_d2h_bytes = -1;
  Result<InvocationTime> t = EstimateInvocation(q, RoundSpec(), RoundHost(), Clock::kMax);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("scratch_d2h_bytes = -1"), std::string::npos);
  HostProfile h = RoundHost();
  h.d2h_bytes_per_s = 0;
  t = EstimateInvocation(RoundQuery(), RoundSpec(), h, Clock::kMax);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("d2h_bytes_per_s"), std::string::npos);
}

// Property tests on every real host profile of the built-in catalog.
class RealProfilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<DeviceCatalog> c = BuiltinDeviceCatalog();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = *c;
  }
  double Total(const InvocationQuery& q, const HostProfile& h, Clock clock, bool first = false) {
    Result<InvocationTime> t = EstimateInvocation(q, catalog_.DefaultChip(), h, clock);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return !t.ok() ? -1 : first ? t->first_total_ms : t->total_ms;
  }
  DeviceCatalog catalog_;
};

TEST_F(RealProfilesTest, MoreBytesTakeMoreTime) {
  int64_t InvocationQuery::*fields[] = {&InvocationQuery::instruction_bytes, &InvocationQuery::input_bytes,
                                        &InvocationQuery::output_bytes,      &InvocationQuery::scratch_h2d_bytes,
                                        &InvocationQuery::scratch_d2h_bytes, &InvocationQuery::estimated_cycles};
  for (const HostProfile& h : catalog_.hosts) {
    for (auto field : fields) {
      InvocationQuery q = RoundQuery();
      q.streamed_param_bytes = 0;  // else extra cycles can hide under streaming (by design)
      double previous = Total(q, h, Clock::kMax);
      for (int step = 0; step < 5; ++step) {
        q.*field += 200'000;
        const double now = Total(q, h, Clock::kMax);
        EXPECT_GT(now, previous) << h.name << " field #" << (&field - fields);
        previous = now;
      }
    }
    // Streamed parameters never reduce time and cost time once they exceed compute.
    InvocationQuery q = RoundQuery();
    double previous = Total(q, h, Clock::kMax);
    for (int step = 0; step < 8; ++step) {
      q.streamed_param_bytes += 1'000'000;
      const double now = Total(q, h, Clock::kMax);
      EXPECT_GE(now, previous) << h.name;
      previous = now;
    }
    EXPECT_GT(previous, Total(RoundQuery(), h, Clock::kMax)) << h.name;
    // Cached parameters cost only the first inference.
    InvocationQuery more = RoundQuery();
    more.cached_param_bytes *= 2;
    EXPECT_EQ(Total(more, h, Clock::kMax), Total(RoundQuery(), h, Clock::kMax));
    EXPECT_GT(Total(more, h, Clock::kMax, true), Total(RoundQuery(), h, Clock::kMax, true));
  }
}

TEST_F(RealProfilesTest, MaxClockNeverSlowerAndPcieIgnoresClock) {
  for (const HostProfile& h : catalog_.hosts) {
    const double max_ms = Total(RoundQuery(), h, Clock::kMax);
    const double std_ms = Total(RoundQuery(), h, Clock::kStd);
    if (IsUsb(h.link)) {
      EXPECT_LT(max_ms, std_ms) << h.name;  // compute-bound part halves
    } else {
      EXPECT_EQ(max_ms, std_ms) << h.name;
    }
  }
}

TEST_F(RealProfilesTest, HubSharingSlows) {
  for (const HostProfile& h : catalog_.hosts) {
    double previous = Total(RoundQuery(), h, Clock::kMax);
    for (int devices = 2; devices <= 4; ++devices) {
      Result<HostProfile> shared = ShareLink(h, devices);
      ASSERT_TRUE(shared.ok());
      EXPECT_EQ(shared->devices_sharing_link, devices);
      const double now = Total(RoundQuery(), *shared, Clock::kMax);
      if (IsUsb(h.link)) {
        EXPECT_GT(now, previous) << h.name << " x" << devices;
        EXPECT_DOUBLE_EQ(shared->h2d_bytes_per_s, h.h2d_bytes_per_s / devices);
      } else {
        EXPECT_EQ(now, previous) << h.name;  // one PCIe link per device
      }
      previous = now;
    }
  }
  EXPECT_FALSE(ShareLink(catalog_.hosts[0], 0).ok());
}

// The CPU part measured here is scaled by the host's factor; bad inputs are errors.
TEST(HostCpuMsTest, ScalesTheMeasurementByTheHostFactor) {
  HostProfile h = RoundHost();  // cpu_time_factor 2
  Result<double> ms = HostCpuMs(1.5, h);
  ASSERT_TRUE(ms.ok()) << ms.status().ToString();
  EXPECT_DOUBLE_EQ(*ms, 3.0);
  EXPECT_FALSE(HostCpuMs(-1, h).ok());
  EXPECT_FALSE(HostCpuMs(std::nan(""), h).ok());
  h.cpu_time_factor = 0;
  EXPECT_FALSE(HostCpuMs(1, h).ok());
  EXPECT_FALSE(EstimateInvocation(RoundQuery(), RoundSpec(), h, Clock::kMax).ok());
}

}  // namespace
}  // namespace etpu::device
