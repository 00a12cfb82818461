// PosenetDecoderOp on synthetic maps whose poses are known by construction.
#include "kernels/posenet_decoder.h"

#include <flatbuffers/flexbuffers.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace etpu::kernels {
namespace {

constexpr int kH = 16, kW = 16, kStride = 8;
const std::pair<int, int> kSkeleton[kPoseEdges] = {{0, 1}, {1, 3}, {0, 2}, {2, 4}, {0, 5}, {5, 7},
                                                   {7, 9}, {5, 11}, {11, 13}, {13, 15}, {0, 6}, {6, 8},
                                                   {8, 10}, {6, 12}, {12, 14}, {14, 16}};

struct Person {
  float y[kPoseKeypoints], x[kPoseKeypoints];  // block units, multiples of 1/4
  float logit;
};

Person MakePerson(float dx, float logit) {
  Person p;
  for (int k = 0; k < kPoseKeypoints; ++k) {
    p.y[k] = 1.25f + 0.75f * k;           // 1.25 .. 13.25, one row step per keypoint
    p.x[k] = 1.5f + (k % 5) * 1.0f + dx;  // 1.5 .. 5.5 (+ dx)
  }
  p.logit = logit;
  return p;
}

struct Maps {
  std::vector<float> heat, shorts, mids;
};

// Heatmap peaks at each keypoint's cell; short offsets point from every cell to the keypoint
// of the person owning that half of the map; mid offsets carry the exact edge vectors.
Maps Render(const std::vector<Person>& people) {
  Maps m;
  m.heat.assign(kH * kW * kPoseKeypoints, -10.0f);
  m.shorts.assign(kH * kW * 2 * kPoseKeypoints, 0.0f);
  m.mids.assign(kH * kW * 4 * kPoseEdges, 0.0f);
  for (const Person& p : people) {
    for (int k = 0; k < kPoseKeypoints; ++k) {
      const int cy = static_cast<int>(std::lround(p.y[k])), cx = static_cast<int>(std::lround(p.x[k]));
      m.heat[(cy * kW + cx) * kPoseKeypoints + k] = p.logit;
    }
  }
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      const Person& p = people[people.size() > 1 && x >= kW / 2 ? 1 : 0];
      const int base = (y * kW + x);
      for (int k = 0; k < kPoseKeypoints; ++k) {
        m.shorts[base * 2 * kPoseKeypoints + k] = (p.y[k] - y) * kStride;
        m.shorts[base * 2 * kPoseKeypoints + kPoseKeypoints + k] = (p.x[k] - x) * kStride;
      }
      for (int e = 0; e < kPoseEdges; ++e) {
        const auto [a, b] = kSkeleton[e];
        float* mid = &m.mids[base * 4 * kPoseEdges];
        mid[e] = (p.y[b] - p.y[a]) * kStride;
        mid[2 * kPoseEdges + e] = (p.x[b] - p.x[a]) * kStride;
        mid[kPoseEdges + e] = -mid[e];
        mid[3 * kPoseEdges + e] = -mid[2 * kPoseEdges + e];
      }
    }
  }
  return m;
}

PosenetDecoderOptions Opts(int max_detections) { return {max_detections, 0.5f, kStride, 20.0f}; }

Result<PoseResult> Decode(const PosenetDecoderOptions& o, const Maps& m) {
  PoseMap h, s, d;
  h.f = m.heat.data();
  s.f = m.shorts.data();
  d.f = m.mids.data();
  return DecodePoses(o, kH, kW, h, s, d);
}

void ExpectPose(const PoseResult& r, int i, const Person& p) {
  const float sig = 1.0f / (1.0f + std::exp(-p.logit));
  for (int k = 0; k < kPoseKeypoints; ++k) {
    EXPECT_FLOAT_EQ(r.keypoints[(i * kPoseKeypoints + k) * 2], p.y[k] * kStride) << "pose " << i << " kp " << k;
    EXPECT_FLOAT_EQ(r.keypoints[(i * kPoseKeypoints + k) * 2 + 1], p.x[k] * kStride) << "pose " << i << " kp " << k;
    EXPECT_FLOAT_EQ(r.keypoint_scores[i * kPoseKeypoints + k], sig);
  }
  EXPECT_NEAR(r.pose_scores[i], sig, 1e-6);
}

TEST(PosenetDecoder, DecodesOnePersonExactly) {
  const Person a = MakePerson(0, 4.0f);
  auto r = Decode(Opts(3), Render({a}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().count, 1.0f);  // every other keypoint peak falls within the NMS radius
  ExpectPose(r.value(), 0, a);
  EXPECT_EQ(r.value().pose_scores[1], 0.0f);
  EXPECT_EQ(r.value().keypoints.size(), 3u * kPoseKeypoints * 2);
}

TEST(PosenetDecoder, TwoPeopleByDecreasingScore) {
  const Person a = MakePerson(0, 2.0f), b = MakePerson(8, 4.0f);
  auto r = Decode(Opts(4), Render({a, b}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().count, 2.0f);
  ExpectPose(r.value(), 0, b);
  ExpectPose(r.value(), 1, a);
  auto one = Decode(Opts(1), Render({a, b}));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one.value().count, 1.0f);
  ExpectPose(one.value(), 0, b);
}

TEST(PosenetDecoder, ScoreThresholdDropsWeakPeople) {
  PosenetDecoderOptions o = Opts(4);
  o.score_threshold = 0.95f;  // sigmoid(2) = 0.88 < 0.95 < sigmoid(4) = 0.98
  auto r = Decode(o, Render({MakePerson(0, 2.0f), MakePerson(8, 4.0f)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().count, 1.0f);
  o.score_threshold = 0.99f;
  r = Decode(o, Render({MakePerson(0, 2.0f), MakePerson(8, 4.0f)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().count, 0.0f);
}

TEST(PosenetDecoder, Uint8MapsMatchTheirDequantizedFloats) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<uint8_t> h(kH * kW * kPoseKeypoints), s(kH * kW * 34), m(kH * kW * 64);
  for (auto* v : {&h, &s, &m}) for (auto& b : *v) b = static_cast<uint8_t>(d(rng));
  const QuantParams hq{0.05f, 200}, sq{0.5f, 128}, mq{1.0f, 128};
  PoseMap qh{nullptr, h.data(), hq}, qs{nullptr, s.data(), sq}, qm{nullptr, m.data(), mq};
  auto rq = DecodePoses(Opts(5), kH, kW, qh, qs, qm);
  std::vector<float> fh, fs, fm;
  for (uint8_t b : h) fh.push_back((b - 200.0f) * 0.05f);
  for (uint8_t b : s) fs.push_back((b - 128.0f) * 0.5f);
  for (uint8_t b : m) fm.push_back((b - 128.0f) * 1.0f);
  PoseMap ph{fh.data()}, ps{fs.data()}, pm{fm.data()};
  auto rf = DecodePoses(Opts(5), kH, kW, ph, ps, pm);
  ASSERT_TRUE(rq.ok() && rf.ok());
  EXPECT_GT(rq.value().count, 0.0f);
  EXPECT_EQ(rq.value().count, rf.value().count);
  for (size_t i = 0; i < rq.value().keypoints.size(); ++i) {
    EXPECT_NEAR(rq.value().keypoints[i], rf.value().keypoints[i], 1e-3) << i;
  }
}

TEST(PosenetDecoder, ParsesOptionsAndRejectsBadInput) {
  flexbuffers::Builder fbb;
  fbb.Map([&] {
    fbb.Int("max_detections", 20);
    fbb.Float("score_threshold", 0.2f);
    fbb.Int("stride", 16);
    fbb.Float("nms_radius", 10.0f);
  });
  fbb.Finish();
  auto o = ParsePosenetDecoderOptions(fbb.GetBuffer());
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o.value().max_detections, 20);
  EXPECT_EQ(o.value().stride, 16);
  EXPECT_FLOAT_EQ(o.value().nms_radius, 10.0f);
  flexbuffers::Builder partial;
  partial.Map([&] { partial.Int("stride", 16); });
  partial.Finish();
  EXPECT_FALSE(ParsePosenetDecoderOptions(partial.GetBuffer()).ok());
  const std::vector<uint8_t> garbage = {1, 2, 3, 4, 5};
  EXPECT_FALSE(ParsePosenetDecoderOptions(garbage).ok());

  const Maps m = Render({MakePerson(0, 4.0f)});
  PosenetDecoderOptions bad = Opts(2);
  bad.stride = 0;
  EXPECT_FALSE(Decode(bad, m).ok());
  PoseMap none;
  PoseMap s{m.shorts.data()}, d{m.mids.data()};
  EXPECT_FALSE(DecodePoses(Opts(2), kH, kW, none, s, d).ok());
}

}  // namespace
}  // namespace etpu::kernels
