// Reproduces timing-anchors.md §4.5 / §5.3 for Coral's three compiled PoseNet MobileNet v1
// models. The byte counts and compiler cycle estimates below were parsed from the public
// *_edgetpu.tflite files (project-posenet) and the latencies are Coral's published figures
// (coral.ai/models/pose-estimation: 5.8 / 10.3 / 32.4 ms, USB 3 desktop, max clock). They are
// facts about real files and real measurements, not outputs of etpu.
#include <gtest/gtest.h>

#include <cmath>

#include "device/device_catalog.h"
#include "device/timing_model.h"

namespace etpu::device {
namespace {

struct PoseNetAnchor {
  int in_h, in_w;
  int64_t cached_params, instruction_bytes, input_bytes, output_bytes, compiler_cycles;
  double published_ms;  // Coral, USB 3 desktop, libedgetpu1-max
  double note_jetson_std_ms;  // timing-anchors.md §5.3 model column, Jetson Nano std clock
};

constexpr PoseNetAnchor kAnchors[] = {
    {353, 481, 1'386'432, 120'176, 509'384, 85'568, 1'428'960, 5.8, 10.0},
    {481, 641, 1'386'432, 257'904, 924'968, 152'528, 2'617'344, 10.3, 18.0},
    {721, 1281, 1'386'432, 1'041'120, 3'101'320, 447'120, 8'432'400, 32.4, 57.0},
};

int SameOut(int in, int stride) { return (in + stride - 1) / stride; }

// timing-anchors.md §4.4: MobileNet v1 0.75, output stride 16, last blocks at 384 channels.
std::vector<LayerCost> PoseNetLayers(int in_h, int in_w) {
  std::vector<LayerCost> layers;
  int h = SameOut(in_h, 2), w = SameOut(in_w, 2);
  auto add = [&](LayerCost::Kind kind, int cin, int cout, int k) {
    LayerCost l;
    l.kind = kind;
    l.out_h = h;
    l.out_w = w;
    l.in_c = cin;
    l.out_c = cout;
    l.kh = l.kw = k;
    layers.push_back(l);
  };
  add(LayerCost::kConv, 3, 24, 3);
  int c = 24;
  const int blocks[][2] = {{48, 1}, {96, 2}, {96, 1}, {192, 2}, {192, 1}, {384, 2}, {384, 1}, {384, 1},
                           {384, 1}, {384, 1}, {384, 1}, {384, 1}, {384, 1}};
  for (const auto& [out, stride] : blocks) {
    if (stride == 2) {
      h = SameOut(h, 2);
      w = SameOut(w, 2);
    }
    add(LayerCost::kDepthwise, c, c, 3);
    add(LayerCost::kConv, c, out, 1);
    c = out;
  }
  for (int head : {17, 34, 32, 32}) add(LayerCost::kConv, c, head, 1);
  return layers;
}

InvocationQuery Query(const PoseNetAnchor& a, bool use_compiler_cycles) {
  InvocationQuery q;
  q.layers = PoseNetLayers(a.in_h, a.in_w);
  q.estimated_cycles = use_compiler_cycles ? a.compiler_cycles : 0;
  q.instruction_bytes = a.instruction_bytes;
  q.input_bytes = a.input_bytes;
  q.output_bytes = a.output_bytes;
  q.cached_param_bytes = a.cached_params;
  return q;
}

class PoseNetAnchorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<DeviceCatalog> c = BuiltinDeviceCatalog();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = *c;
  }
  DeviceCatalog catalog_;
};

TEST_F(PoseNetAnchorTest, OutputGridMatchesTheNote) {
  // §4.4: output grids 23x31, 31x41, 46x81.
  EXPECT_EQ(PoseNetLayers(353, 481).back().out_h, 23);
  EXPECT_EQ(PoseNetLayers(353, 481).back().out_w, 31);
  EXPECT_EQ(PoseNetLayers(721, 1281).back().out_h, 46);
  EXPECT_EQ(PoseNetLayers(721, 1281).back().out_w, 81);
  int64_t macs = 0;
  for (const LayerCost& l : PoseNetLayers(353, 481)) macs += LayerMacs(l);
  EXPECT_NEAR(macs / 1e9, 1.246, 0.001);  // §4.4 MACs column
}

TEST_F(PoseNetAnchorTest, CompilerCyclesReproducePublishedLatencyWithin5Percent) {
  const DeviceSpec& chip = catalog_.DefaultChip();
  const HostProfile* usb3 = catalog_.FindHost("usb3");
  ASSERT_NE(usb3, nullptr);
  for (const PoseNetAnchor& a : kAnchors) {
    Result<InvocationTime> t = EstimateInvocation(Query(a, true), chip, *usb3, Clock::kMax);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->cycles, a.compiler_cycles);
    EXPECT_NEAR(t->total_ms / a.published_ms, 1.0, 0.05) << a.in_h << "x" << a.in_w << ": " << t->total_ms;
    // The std clock cannot explain the published figures (§4.5 takeaway 5).
    Result<InvocationTime> slow = EstimateInvocation(Query(a, true), chip, *usb3, Clock::kStd);
    ASSERT_TRUE(slow.ok());
    EXPECT_GT(slow->total_ms / a.published_ms, 1.25) << a.in_h;
  }
}

TEST_F(PoseNetAnchorTest, StructuralCyclesReproducePublishedLatencyWithin5Percent) {
  const DeviceSpec& chip = catalog_.DefaultChip();
  const HostProfile* usb3 = catalog_.FindHost("usb3");
  ASSERT_NE(usb3, nullptr);
  for (const PoseNetAnchor& a : kAnchors) {
    Result<InvocationTime> t = EstimateInvocation(Query(a, false), chip, *usb3, Clock::kMax);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    // The per-layer model with the fitted eta tracks the compiler's own estimate within 10%.
    EXPECT_NEAR(static_cast<double>(t->cycles) / a.compiler_cycles, 1.0, 0.10) << a.in_h << ": " << t->cycles;
    EXPECT_NEAR(t->total_ms / a.published_ms, 1.0, 0.05) << a.in_h << "x" << a.in_w << ": " << t->total_ms;
    // First inference adds the 1.39 MB parameter upload, ~3 ms on USB 3.
    EXPECT_NEAR(t->first_total_ms - t->total_ms, a.cached_params / usb3->h2d_bytes_per_s * 1e3, 1e-9);
  }
}

TEST_F(PoseNetAnchorTest, JetsonStdProfileMatchesTheNotesFit) {
  // §5.3 lists the note's own model on Jetson Nano + libedgetpu1-std as 10.0 / 18.0 / 57.0 ms.
  // The seed's end-to-end fps are not TPU-only times, so this checks the profile's constants
  // against the note's fit, not against hardware.
  const HostProfile* jetson = catalog_.FindHost("jetson-nano-usb3");
  ASSERT_NE(jetson, nullptr);
  for (const PoseNetAnchor& a : kAnchors) {
    Result<InvocationTime> t = EstimateInvocation(Query(a, true), catalog_.DefaultChip(), *jetson, jetson->default_clock);
    ASSERT_TRUE(t.ok());
    EXPECT_NEAR(t->total_ms / a.note_jetson_std_ms, 1.0, 0.05) << a.in_h << ": " << t->total_ms;
  }
}

}  // namespace
}  // namespace etpu::device
