// PosenetDecoderOp (Coral's custom operator after PoseNet backbones): multi-person pose
// decoding in the PersonLab style from heatmaps, short-range offsets and mid-range offsets.
//
// Facts of Coral's operator we follow: inputs heatmaps [1, H, W, 17] (logits), short offsets
// [1, H, W, 34], mid offsets [1, H, W, 64] (16 forward + 16 backward edges, y and x), each uint8
// (dequantized as (q - zp) * scale, offsets also divided by `stride`) or float; options
// max_detections, score_threshold, stride, nms_radius (FlexBuffer map; the radius is divided by
// the stride); 5 refinement steps; outputs keypoints [1, max_detections, 17, 2] (y, x),
// keypoint scores [1, max_detections, 17], pose scores [1, max_detections], count [1], float.
//
// Semantics that are OURS where Coral's are unknown to us (documented, tested):
//  - channel layout: short offsets channel k = y of keypoint k, 17 + k = x; mid offsets channel
//    e = y of edge e, 32 + e = x, edges 0..15 parent->child (PoseNet's skeleton, below) and
//    16..31 the same edges child->parent;
//  - keypoint score = sigmoid(logit); candidates are cells whose score >= score_threshold and
//    is the maximum of its 3x3 neighbourhood for that keypoint, taken by decreasing score
//    (ties: lower flat index first);
//  - a candidate at cell c of keypoint k is the root at c + short(c, k) (block units); it is
//    skipped when an accepted pose has keypoint k within nms_radius of it;
//  - from the root the pose is completed along backward edges (last to first) and then forward
//    edges (first to last): target = source + mid(round(source), edge), then 5 times
//    target = round(target) + short(round(target), target keypoint) (cells clamped to the map);
//    the target's score is the score at its final cell;
//  - pose score = sum of the scores of keypoints farther than nms_radius from the same keypoint
//    of every earlier pose, divided by 17 (PersonLab's soft NMS); poses are output by decreasing
//    pose score (stable), coordinates multiplied back by the stride (input pixels); unused
//    output rows are 0.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "etpu/status.h"
#include "kernels/types.h"

namespace etpu::kernels {

inline constexpr int kPoseKeypoints = 17;
inline constexpr int kPoseEdges = 16;

/// Options of the operator.
struct PosenetDecoderOptions {
  int max_detections = 0;
  float score_threshold = 0.0f;
  int stride = 0;
  float nms_radius = 0.0f;  ///< In input pixels (as in the model's options).
};

/// Reads the options from the operator's FlexBuffer map (verified; every key required).
Result<PosenetDecoderOptions> ParsePosenetDecoderOptions(std::span<const uint8_t> flexbuffer);

/// Float outputs of the decoder.
struct PoseResult {
  std::vector<float> keypoints;        ///< max_detections * 17 * 2 (y, x), input pixels.
  std::vector<float> keypoint_scores;  ///< max_detections * 17.
  std::vector<float> pose_scores;      ///< max_detections.
  float count = 0;
};

/// One input map: float data, or uint8 data with its quantization (float pointer null).
struct PoseMap {
  const float* f = nullptr;
  const uint8_t* q = nullptr;
  QuantParams quant;
};

/// Decodes poses from maps of height x width cells.
Result<PoseResult> DecodePoses(const PosenetDecoderOptions& o, int height, int width, const PoseMap& heatmaps,
                               const PoseMap& short_offsets, const PoseMap& mid_offsets);

}  // namespace etpu::kernels
