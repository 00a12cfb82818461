// SSD MobileNet v2 (TF object detection API ssd_mobilenet_v2_coco, as exported for TFLite):
// MobileNet v2 features at 19x19 (layer_15 expansion) and 10x10 (1280), four extra layers
// (1x1 then 3x3/2 convolutions) to 5x5, 3x3, 2x2, 1x1; 1x1 box and class predictors
// (3 anchors on the first map, 6 elsewhere: 1917 anchors); box encodings and sigmoid class
// scores go, still uint8, into the TFLite_Detection_PostProcess custom op on the CPU together
// with the constant anchors. The op dequantizes its uint8 inputs itself, so there are no
// DEQUANTIZE ops (as in Coral's ssd_mobilenet_v2_coco_quant_postprocess models).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <flatbuffers/flexbuffers.h>

#include "zoo/zoo_nets.h"

namespace etpu::zoo {

namespace {

constexpr int kClasses = 90;  // COCO, plus one background class in the predictor
constexpr int kMaxDetections = 10;

struct Anchor {
  float ycenter, xcenter, h, w;
};

/// The multiple-grid anchors of ssd_mobilenet_v2_coco: scales 0.2..0.95 over 6 layers, aspect
/// ratios {1, 2, 1/2, 3, 1/3} plus an interpolated scale; 3 reduced boxes on the first layer.
std::vector<Anchor> SsdAnchors(const std::vector<int>& grid) {
  const int layers = static_cast<int>(grid.size());
  std::vector<float> scales;
  for (int k = 0; k < layers; ++k) scales.push_back(0.2f + (0.95f - 0.2f) * k / (layers - 1));
  scales.push_back(1.0f);
  std::vector<Anchor> anchors;
  for (int l = 0; l < layers; ++l) {
    std::vector<std::pair<float, float>> boxes;  // (scale, aspect ratio)
    if (l == 0) {
      boxes = {{0.1f, 1.0f}, {scales[0], 2.0f}, {scales[0], 0.5f}};
    } else {
      for (float ar : {1.0f, 2.0f, 0.5f, 3.0f, 1.0f / 3.0f}) boxes.push_back({scales[l], ar});
      boxes.push_back({std::sqrt(scales[l] * scales[l + 1]), 1.0f});
    }
    const int g = grid[l];
    for (int y = 0; y < g; ++y) {
      for (int x = 0; x < g; ++x) {
        for (const auto& [s, ar] : boxes) {
          const float r = std::sqrt(ar);
          anchors.push_back({(y + 0.5f) / g, (x + 0.5f) / g, s / r, s * r});
        }
      }
    }
  }
  return anchors;
}

std::vector<uint8_t> PostProcessOptions() {
  flexbuffers::Builder fbb;
  fbb.Map([&] {
    fbb.Int("max_detections", kMaxDetections);
    fbb.Int("max_classes_per_detection", 1);
    fbb.Int("detections_per_class", 100);
    fbb.Bool("use_regular_nms", false);
    fbb.Float("nms_score_threshold", 1e-8f);
    fbb.Float("nms_iou_threshold", 0.6f);
    fbb.Int("num_classes", kClasses);
    fbb.Float("y_scale", 10.0f);
    fbb.Float("x_scale", 10.0f);
    fbb.Float("h_scale", 5.0f);
    fbb.Float("w_scale", 5.0f);
  });
  fbb.Finish();
  return fbb.GetBuffer();
}

}  // namespace

Status BuildSsdMobileNetV2(NetBuilder& b) {
  const int in = b.Input("normalized_input_image_tensor", {1, 300, 300, 3});
  std::vector<int> maps(2);
  ETPU_RETURN_IF_ERROR(BuildSsdBackbone(b, in, &maps[0], &maps[1]));
  int x = maps[1];
  const int depths[] = {512, 256, 256, 128};
  for (int i = 0; i < 4; ++i) {
    const std::string n = "FeatureExtractor/MobilenetV2/layer_19_" + std::to_string(i + 2);
    x = b.Conv(x, depths[i] / 2, 1, 1, Act::kRelu6, n + "_1x1");
    x = b.Conv(x, depths[i], 3, 2, Act::kRelu6, n + "_3x3_s2");
    maps.push_back(x);
  }
  std::vector<int> boxes, classes, grid;
  int total = 0;
  for (size_t i = 0; i < maps.size(); ++i) {
    const std::string n = "BoxPredictor_" + std::to_string(i);
    const int anchors = i == 0 ? 3 : 6;
    const auto shape = b.Shape(maps[i]);
    const int count = shape[1] * shape[2] * anchors;
    grid.push_back(shape[1]);
    total += count;
    const int box = b.Conv(maps[i], anchors * 4, 1, 1, Act::kNone, n + "/BoxEncodingPredictor");
    boxes.push_back(b.Reshape(box, {1, count, 4}, n + "/Reshape"));
    const int cls = b.Conv(maps[i], anchors * (kClasses + 1), 1, 1, Act::kNone, n + "/ClassPredictor");
    classes.push_back(b.Reshape(cls, {1, count, kClasses + 1}, n + "/Reshape_1"));
  }
  const int box_encodings = b.Concat(boxes, 1, "concat");
  const int class_logits = b.Concat(classes, 1, "concat_1");
  const int scores = b.Logistic(class_logits, "raw_outputs/class_predictions");

  const std::vector<Anchor> anchors = SsdAnchors(grid);
  if (static_cast<int>(anchors.size()) != total) {
    return InternalError("zoo: SSD anchor count " + std::to_string(anchors.size()) + " != predictor rows " +
                         std::to_string(total));
  }
  float hi = 0;
  for (const Anchor& a : anchors) hi = std::max({hi, a.ycenter, a.xcenter, a.h, a.w});
  const float scale = hi / 255.0f;
  std::vector<uint8_t> anchor_bytes;
  for (const Anchor& a : anchors) {
    for (float v : {a.ycenter, a.xcenter, a.h, a.w}) {
      anchor_bytes.push_back(static_cast<uint8_t>(std::clamp<long>(std::lround(v / scale), 0, 255)));
    }
  }
  const int anchor_t =
      b.AddRawTensor("anchors", ir::TensorType::UINT8, {total, 4}, tflite::Quant(scale, 0), std::move(anchor_bytes));

  const int det_boxes = b.AddRawTensor("TFLite_Detection_PostProcess", ir::TensorType::FLOAT32, {1, kMaxDetections, 4});
  const int det_classes = b.AddRawTensor("TFLite_Detection_PostProcess:1", ir::TensorType::FLOAT32, {1, kMaxDetections});
  const int det_scores = b.AddRawTensor("TFLite_Detection_PostProcess:2", ir::TensorType::FLOAT32, {1, kMaxDetections});
  const int det_count = b.AddRawTensor("TFLite_Detection_PostProcess:3", ir::TensorType::FLOAT32, {1});
  b.model().AddCustomOperator("TFLite_Detection_PostProcess", {box_encodings, scores, anchor_t},
                              {det_boxes, det_classes, det_scores, det_count}, PostProcessOptions());
  b.model().SetInputs({in});
  b.model().SetOutputs({det_boxes, det_classes, det_scores, det_count});
  return Status::Ok();
}

}  // namespace etpu::zoo
