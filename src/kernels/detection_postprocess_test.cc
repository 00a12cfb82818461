// TFLite_Detection_PostProcess on hand-made inputs whose results follow from the definitions.
#include "kernels/detection_postprocess.h"

#include <flatbuffers/flexbuffers.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace etpu::kernels {
namespace {

DetectionPostProcessOptions Opts() {
  DetectionPostProcessOptions o;
  o.max_detections = 3;
  o.max_classes_per_detection = 1;
  o.detections_per_class = 3;
  o.nms_score_threshold = 0.3f;
  o.nms_iou_threshold = 0.5f;
  o.num_classes = 2;
  o.y_scale = o.x_scale = 10.0f;
  o.h_scale = o.w_scale = 5.0f;
  return o;
}

// Anchors (yc, xc, h, w): box 0 and 1 overlap (IoU 0.6 after zero encodings), box 2 apart.
const std::vector<float> kAnchors = {0.5f, 0.5f, 0.2f, 0.2f,   //
                                     0.5f, 0.55f, 0.2f, 0.2f,  //
                                     0.1f, 0.1f, 0.1f, 0.1f};
const std::vector<float> kZeroEnc(12, 0.0f);

TEST(DetectionPostProcess, DecodesCenterSizeEncodings) {
  DetectionPostProcessOptions o = Opts();
  o.max_detections = 1;
  const std::vector<float> enc = {1.0f, -2.0f, 5.0f * std::log(2.0f), 0.0f};
  const std::vector<float> anchor = {0.5f, 0.4f, 0.2f, 0.1f};
  const std::vector<float> cls = {0.0f, 0.9f, 0.1f};
  auto r = DetectionPostProcess(o, 1, 3, enc.data(), cls.data(), anchor.data());
  ASSERT_TRUE(r.ok()) << r.status().message();
  // yc = 0.1 * 0.2 + 0.5 = 0.52, xc = -0.2 * 0.1 + 0.4 = 0.38, h = 2 * 0.2, w = 0.1.
  EXPECT_NEAR(r.value().boxes[0], 0.52f - 0.2f, 1e-6);
  EXPECT_NEAR(r.value().boxes[1], 0.38f - 0.05f, 1e-6);
  EXPECT_NEAR(r.value().boxes[2], 0.52f + 0.2f, 1e-6);
  EXPECT_NEAR(r.value().boxes[3], 0.38f + 0.05f, 1e-6);
  EXPECT_EQ(r.value().classes[0], 0.0f);  // column 1 = class 0 after the background
  EXPECT_FLOAT_EQ(r.value().scores[0], 0.9f);
  EXPECT_EQ(r.value().num_detections, 1.0f);
}

TEST(DetectionPostProcess, FastNmsSuppressesOverlapsAndKeepsOrder) {
  // Scores (background, class 0, class 1): box 0 best 0.9 (class 1), box 1 0.8 overlapping
  // box 0 (suppressed), box 2 0.7 (class 0), separate.
  const std::vector<float> cls = {0.0f, 0.1f, 0.9f, 0.0f, 0.8f, 0.2f, 0.0f, 0.7f, 0.3f};
  auto r = DetectionPostProcess(Opts(), 3, 3, kZeroEnc.data(), cls.data(), kAnchors.data());
  ASSERT_TRUE(r.ok()) << r.status().message();
  const DetectionResult& d = r.value();
  EXPECT_EQ(d.num_detections, 2.0f);
  EXPECT_EQ(d.classes[0], 1.0f);
  EXPECT_FLOAT_EQ(d.scores[0], 0.9f);
  EXPECT_NEAR(d.boxes[1], 0.4f, 1e-6);  // box 0: xmin 0.5 - 0.1
  EXPECT_EQ(d.classes[1], 0.0f);
  EXPECT_FLOAT_EQ(d.scores[1], 0.7f);
  EXPECT_NEAR(d.boxes[4], 0.05f, 1e-6);  // box 2: ymin 0.1 - 0.05
  // The third slot is empty and zero.
  EXPECT_EQ(d.scores[2], 0.0f);
  EXPECT_EQ(d.boxes[8], 0.0f);
  ASSERT_EQ(d.boxes.size(), 12u);
}

TEST(DetectionPostProcess, IouThresholdIsStrict) {
  // IoU of box 0 and 1 is 0.6 (0.2x0.2 boxes shifted by 0.05: inter 0.2*0.15 = 0.03,
  // union 0.05): a box is suppressed only when the IoU exceeds the threshold.
  DetectionPostProcessOptions o = Opts();
  o.nms_iou_threshold = 0.61f;
  const std::vector<float> cls = {0.0f, 0.1f, 0.9f, 0.0f, 0.8f, 0.2f, 0.0f, 0.7f, 0.3f};
  auto r = DetectionPostProcess(o, 3, 3, kZeroEnc.data(), cls.data(), kAnchors.data());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().num_detections, 3.0f);
  o.nms_iou_threshold = 0.59f;
  r = DetectionPostProcess(o, 3, 3, kZeroEnc.data(), cls.data(), kAnchors.data());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().num_detections, 2.0f);
}

// The classes of each detection in the fast path are the box's best classes in decreasing score,
// ties by lower class first (a stable sort), for any number of classes per detection: checked
// against a full stable sort on scores with many ties (few distinct levels, as after uint8).
TEST(DetectionPostProcess, FastPathClassesAreTheStableSortsPrefixUnderTies) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int num_classes = 1 + static_cast<int>(rng() % 12);
    const int ncwb = num_classes + static_cast<int>(rng() % 2);  // with or without a background
    DetectionPostProcessOptions o = Opts();
    o.num_classes = num_classes;
    o.max_classes_per_detection = 1 + static_cast<int>(rng() % 5);
    o.nms_score_threshold = 0.0f;
    o.max_detections = 3;
    const int boxes = 3;  // kAnchors: boxes 0 and 1 overlap, so NMS keeps 2 (or 3 with ties)
    std::vector<float> cls(static_cast<size_t>(boxes) * ncwb);
    for (float& v : cls) v = static_cast<float>(rng() % 4) * 0.25f;
    auto r = DetectionPostProcess(o, boxes, ncwb, kZeroEnc.data(), cls.data(), kAnchors.data());
    ASSERT_TRUE(r.ok()) << r.status().message();
    const DetectionResult& d = r.value();
    const int per_det = std::min(o.max_classes_per_detection, num_classes);
    const int off = ncwb - num_classes;
    for (int k = 0; k < static_cast<int>(d.num_detections); ++k) {
      // Which box: the detection's box coordinates identify it (the three anchors differ).
      int box = -1;
      for (int b = 0; b < boxes; ++b) {
        const float yc = kAnchors[b * 4], xc = kAnchors[b * 4 + 1];
        if (std::abs((d.boxes[k * per_det * 4] + d.boxes[k * per_det * 4 + 2]) / 2 - yc) < 1e-6f &&
            std::abs((d.boxes[k * per_det * 4 + 1] + d.boxes[k * per_det * 4 + 3]) / 2 - xc) < 1e-6f) {
          box = b;
        }
      }
      ASSERT_GE(box, 0);
      std::vector<int> order(static_cast<size_t>(num_classes));
      std::iota(order.begin(), order.end(), 0);
      const float* row = cls.data() + box * ncwb + off;
      std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return row[i] > row[j]; });
      for (int c = 0; c < per_det; ++c) {
        EXPECT_EQ(d.classes[k * per_det + c], static_cast<float>(order[c]))
            << "trial " << trial << " detection " << k << " rank " << c;
        EXPECT_EQ(d.scores[k * per_det + c], row[order[c]]);
      }
    }
  }
}

TEST(DetectionPostProcess, ScoreThresholdAndSeveralClassesPerDetection) {
  DetectionPostProcessOptions o = Opts();
  o.max_classes_per_detection = 2;
  o.nms_score_threshold = 0.75f;  // only boxes 0 (0.9) and 1 (0.8) qualify; 1 is suppressed
  const std::vector<float> cls = {0.0f, 0.1f, 0.9f, 0.0f, 0.8f, 0.2f, 0.0f, 0.7f, 0.3f};
  auto r = DetectionPostProcess(o, 3, 3, kZeroEnc.data(), cls.data(), kAnchors.data());
  ASSERT_TRUE(r.ok());
  const DetectionResult& d = r.value();
  EXPECT_EQ(d.num_detections, 1.0f);
  ASSERT_EQ(d.classes.size(), 6u);
  EXPECT_EQ(d.classes[0], 1.0f);
  EXPECT_FLOAT_EQ(d.scores[0], 0.9f);
  EXPECT_EQ(d.classes[1], 0.0f);  // the second-best class of the same box
  EXPECT_FLOAT_EQ(d.scores[1], 0.1f);
  EXPECT_EQ(d.boxes[0], d.boxes[4]);
}

TEST(DetectionPostProcess, RegularNmsRunsPerClass) {
  DetectionPostProcessOptions o = Opts();
  o.use_regular_nms = true;
  o.max_detections = 4;
  // Box 0 scores high in both classes: per-class NMS keeps it twice.
  const std::vector<float> cls = {0.0f, 0.85f, 0.9f, 0.0f, 0.8f, 0.2f, 0.0f, 0.1f, 0.4f};
  auto r = DetectionPostProcess(o, 3, 3, kZeroEnc.data(), cls.data(), kAnchors.data());
  ASSERT_TRUE(r.ok());
  const DetectionResult& d = r.value();
  EXPECT_EQ(d.num_detections, 3.0f);
  EXPECT_EQ(d.classes[0], 1.0f);  // 0.9 box 0 class 1
  EXPECT_FLOAT_EQ(d.scores[0], 0.9f);
  EXPECT_EQ(d.classes[1], 0.0f);  // 0.85 box 0 class 0 (box 1 class 0 suppressed by it)
  EXPECT_FLOAT_EQ(d.scores[1], 0.85f);
  EXPECT_EQ(d.classes[2], 1.0f);  // 0.4 box 2 class 1
  EXPECT_FLOAT_EQ(d.scores[2], 0.4f);
  EXPECT_EQ(d.scores[3], 0.0f);
}

TEST(DetectionPostProcess, Uint8InputsAreDequantizedFirst) {
  const std::vector<uint8_t> enc = {128, 118, 138, 128, 128, 128, 128, 128, 140, 100, 128, 128};
  const std::vector<uint8_t> cls = {0, 30, 230, 0, 200, 40, 0, 180, 70};
  const std::vector<uint8_t> anc = {128, 128, 51, 51, 128, 140, 51, 51, 25, 25, 25, 25};
  const QuantParams eq{0.1f, 128}, cq{1.0f / 255, 0}, aq{1.0f / 255, 0};
  auto deq = [](const std::vector<uint8_t>& v, QuantParams q) {
    std::vector<float> f;
    for (uint8_t b : v) f.push_back(q.scale * static_cast<float>(int{b} - q.zero_point));
    return f;
  };
  auto a = DetectionPostProcess(Opts(), 3, 3, enc.data(), eq, cls.data(), cq, anc.data(), aq);
  const auto fe = deq(enc, eq), fc = deq(cls, cq), fa = deq(anc, aq);
  auto b = DetectionPostProcess(Opts(), 3, 3, fe.data(), fc.data(), fa.data());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().boxes, b.value().boxes);
  EXPECT_EQ(a.value().scores, b.value().scores);
  EXPECT_EQ(a.value().classes, b.value().classes);
  EXPECT_GT(a.value().num_detections, 0.0f);
}

TEST(DetectionPostProcess, ParsesFlexBufferOptions) {
  flexbuffers::Builder fbb;
  fbb.Map([&] {
    fbb.Int("max_detections", 10);
    fbb.Int("max_classes_per_detection", 1);
    fbb.Int("detections_per_class", 5);
    fbb.Bool("use_regular_nms", true);
    fbb.Float("nms_score_threshold", 1e-8f);
    fbb.Float("nms_iou_threshold", 0.6f);
    fbb.Int("num_classes", 90);
    fbb.Float("y_scale", 10.0f);
    fbb.Float("x_scale", 10.0f);
    fbb.Float("h_scale", 5.0f);
    fbb.Float("w_scale", 5.0f);
  });
  fbb.Finish();
  auto o = ParseDetectionPostProcessOptions(fbb.GetBuffer());
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o.value().max_detections, 10);
  EXPECT_EQ(o.value().detections_per_class, 5);
  EXPECT_TRUE(o.value().use_regular_nms);
  EXPECT_EQ(o.value().num_classes, 90);
  EXPECT_FLOAT_EQ(o.value().nms_iou_threshold, 0.6f);
  EXPECT_FLOAT_EQ(o.value().w_scale, 5.0f);

  flexbuffers::Builder partial;
  partial.Map([&] { partial.Int("max_detections", 10); });
  partial.Finish();
  auto bad = ParseDetectionPostProcessOptions(partial.GetBuffer());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("num_classes"), std::string::npos);
  const std::vector<uint8_t> garbage = {0xff, 0x13, 0x07};
  EXPECT_FALSE(ParseDetectionPostProcessOptions(garbage).ok());
}

TEST(DetectionPostProcess, RejectsBadOptions) {
  DetectionPostProcessOptions o = Opts();
  o.num_classes = 5;  // more than the 3 columns
  EXPECT_FALSE(DetectionPostProcess(o, 3, 3, kZeroEnc.data(), kZeroEnc.data(), kAnchors.data()).ok());
  o = Opts();
  o.h_scale = 0;
  EXPECT_FALSE(DetectionPostProcess(o, 3, 3, kZeroEnc.data(), kZeroEnc.data(), kAnchors.data()).ok());
  o = Opts();
  o.max_detections = 0;
  EXPECT_FALSE(DetectionPostProcess(o, 3, 3, kZeroEnc.data(), kZeroEnc.data(), kAnchors.data()).ok());
}

}  // namespace
}  // namespace etpu::kernels
