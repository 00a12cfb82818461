// TFLite_Detection_PostProcess (the SSD custom operator): decode center-size box encodings
// against anchors, then non-maximum suppression, with float outputs.
//
// Semantics (TFLite's detection_postprocess kernel):
//  - uint8 inputs are dequantized as scale * (q - zero_point) in float;
//  - decode: yc = y / y_scale * ha + yca, xc = x / x_scale * wa + xca,
//    half_h = 0.5 * exp(h / h_scale) * ha, half_w = 0.5 * exp(w / w_scale) * wa,
//    box = [yc - half_h, xc - half_w, yc + half_h, xc + half_w] (ymin, xmin, ymax, xmax);
//  - class scores skip `label_offset = num_classes_with_background - num_classes` leading
//    columns (the background); scores >= nms_score_threshold are candidates;
//  - IoU = inter / (area_i + area_j - inter), 0 when an area is <= 0; a candidate is dropped when
//    IoU > nms_iou_threshold with an already selected box (greedy, highest score first);
//  - fast NMS (use_regular_nms = false): one NMS over each anchor's best class score, then each
//    kept anchor reports its top min(max_classes_per_detection, num_classes) classes;
//  - regular NMS: per-class NMS keeping detections_per_class, merged and cut to max_detections.
// Outputs: boxes [max_detections * max_classes_per_detection, 4], classes and scores of the same
// count (classes as float class indices without background), and the number of detections.
// Entries past the count are 0. Ties between equal scores are broken by the lower index first
// (TFLite sorts ties in an unspecified order; we make it deterministic — ours).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "etpu/status.h"
#include "kernels/types.h"

namespace etpu::kernels {

/// The operator's options (FlexBuffer map keys of the same names).
struct DetectionPostProcessOptions {
  int max_detections = 0;
  int max_classes_per_detection = 1;
  int detections_per_class = 100;
  float nms_score_threshold = 0.0f;
  float nms_iou_threshold = 0.0f;
  int num_classes = 0;
  float y_scale = 0.0f, x_scale = 0.0f, h_scale = 0.0f, w_scale = 0.0f;
  bool use_regular_nms = false;
};

/// Reads the options from the custom operator's FlexBuffer map (verified first). Missing
/// detections_per_class defaults to 100, use_regular_nms to false; other keys are required.
Result<DetectionPostProcessOptions> ParseDetectionPostProcessOptions(std::span<const uint8_t> flexbuffer);

/// Float outputs of the operator.
struct DetectionResult {
  std::vector<float> boxes;    ///< n * 4: ymin, xmin, ymax, xmax.
  std::vector<float> classes;  ///< n.
  std::vector<float> scores;   ///< n.
  float num_detections = 0;
};

/// Runs the operator on float tensors: box_encodings [num_boxes, 4], class_predictions
/// [num_boxes, num_classes_with_background], anchors [num_boxes, 4] (yc, xc, h, w).
Result<DetectionResult> DetectionPostProcess(const DetectionPostProcessOptions& o, int num_boxes,
                                             int num_classes_with_background, const float* box_encodings,
                                             const float* class_predictions, const float* anchors);

/// The same with uint8 tensors, dequantized as TFLite does first.
Result<DetectionResult> DetectionPostProcess(const DetectionPostProcessOptions& o, int num_boxes,
                                             int num_classes_with_background, const uint8_t* box_encodings,
                                             QuantParams box_q, const uint8_t* class_predictions,
                                             QuantParams class_q, const uint8_t* anchors, QuantParams anchor_q);

}  // namespace etpu::kernels
