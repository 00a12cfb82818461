// Custom operators the CPU interpreter knows by default: TFLite_Detection_PostProcess and
// PosenetDecoderOp (kernels in src/kernels). Outputs are float tensors as in TFLite.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "kernels/detection_postprocess.h"
#include "kernels/posenet_decoder.h"
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {
namespace {

std::span<const uint8_t> CustomOptions(const OpBuildContext& c) { return c.op().custom_options; }

// Copies `values` into float output i; its element count must match exactly.
Status WriteFloats(const OpBuildContext& c, int i, const std::vector<float>& values) {
  if (c.out(i).num_elements() != static_cast<int64_t>(values.size())) {
    return c.Error(fmt::format("output {} has {} elements (expected {})", i, c.out(i).num_elements(), values.size()));
  }
  std::memcpy(c.out_data(i), values.data(), values.size() * sizeof(float));
  return OkStatus();
}

Status CheckFloatOutputs(const OpBuildContext& c, int n) {
  if (c.num_outputs() != n) return c.Error(fmt::format("has {} outputs (expected {})", c.num_outputs(), n));
  for (int i = 0; i < n; ++i) ETPU_RETURN_IF_ERROR(CheckType(c, c.out(i), {TensorType::FLOAT32}));
  return OkStatus();
}

Result<EvalFn> MakeDetectionPostProcess(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 3, 4));
  ETPU_RETURN_IF_ERROR(CheckFloatOutputs(c, 4));
  auto opts = kernels::ParseDetectionPostProcessOptions(CustomOptions(c));
  if (!opts.ok()) return opts.status().WithContext(c.label());
  const ir::Tensor& boxes = c.in(0);
  const ir::Tensor& scores = c.in(1);
  const ir::Tensor& anchors = c.in(2);
  if (boxes.shape.size() < 2 || scores.shape.size() < 2 || boxes.shape.back() != 4 || anchors.shape.back() != 4) {
    return c.Error("expected box encodings [1, N, 4], class predictions [1, N, C], anchors [N, 4]");
  }
  const int n = boxes.shape[boxes.shape.size() - 2];
  const int classes = scores.shape.back();
  if (scores.shape[scores.shape.size() - 2] != n || anchors.num_elements() != int64_t{n} * 4) {
    return c.Error("box, score and anchor counts differ");
  }
  const TensorType t = boxes.type;
  if (scores.type != t || anchors.type != t || (t != TensorType::UINT8 && t != TensorType::FLOAT32)) {
    return UnimplementedError(c.label() + ": inputs must all be UINT8 or all FLOAT32");
  }
  auto o = *opts;
  // TFLite's Prepare gives the outputs their sizes: boxes [1, D, 4], classes and scores [1, D], count [1].
  const int32_t d = o.max_detections * o.max_classes_per_detection;
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(0, {1, d, 4}));
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(1, {1, d}));
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(2, {1, d}));
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(3, {1}));
  return EvalFn([c, o, n, classes, t]() -> Status {
    Result<kernels::DetectionResult> r =
        t == TensorType::FLOAT32
            ? kernels::DetectionPostProcess(o, n, classes, As<float>(c.in_data(0)), As<float>(c.in_data(1)),
                                            As<float>(c.in_data(2)))
            : kernels::DetectionPostProcess(o, n, classes, c.in_data(0), Quant(c.in(0)), c.in_data(1), Quant(c.in(1)),
                                            c.in_data(2), Quant(c.in(2)));
    if (!r.ok()) return r.status().WithContext(c.label());
    ETPU_RETURN_IF_ERROR(WriteFloats(c, 0, r->boxes));
    ETPU_RETURN_IF_ERROR(WriteFloats(c, 1, r->classes));
    ETPU_RETURN_IF_ERROR(WriteFloats(c, 2, r->scores));
    return WriteFloats(c, 3, {r->num_detections});
  });
}

Result<EvalFn> MakePosenetDecoder(OpBuildContext& c) {
  ETPU_RETURN_IF_ERROR(CheckArity(c, 3, 4));
  ETPU_RETURN_IF_ERROR(CheckFloatOutputs(c, 4));
  auto opts = kernels::ParsePosenetDecoderOptions(CustomOptions(c));
  if (!opts.ok()) return opts.status().WithContext(c.label());
  const ir::Tensor& heat = c.in(0);
  if (heat.shape.size() != 4 || heat.shape[3] != kernels::kPoseKeypoints) return c.Error("heatmaps must be [1, H, W, 17]");
  const int h = heat.shape[1], w = heat.shape[2];
  const int64_t cells = int64_t{h} * w;
  if (c.in(1).num_elements() != cells * 2 * kernels::kPoseKeypoints ||
      c.in(2).num_elements() != cells * 4 * kernels::kPoseEdges) {
    return c.Error("offset maps do not match the heatmap size");
  }
  for (int i = 0; i < 3; ++i) {
    ETPU_RETURN_IF_ERROR(CheckType(c, c.in(i), {TensorType::UINT8, TensorType::FLOAT32}));
  }
  auto o = *opts;
  // Sized at prepare time, as the decoder's Prepare does: keypoints [1, D, 17, 2], keypoint scores
  // [1, D, 17], pose scores [1, D], count [1].
  const int32_t d = o.max_detections;
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(0, {1, d, kernels::kPoseKeypoints, 2}));
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(1, {1, d, kernels::kPoseKeypoints}));
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(2, {1, d}));
  ETPU_RETURN_IF_ERROR(c.SetOutputShape(3, {1}));
  return EvalFn([c, o, h, w]() -> Status {
    auto map = [&](int i) {
      kernels::PoseMap m;
      if (c.in(i).type == TensorType::FLOAT32) {
        m.f = As<float>(c.in_data(i));
      } else {
        m.q = c.in_data(i);
        m.quant = Quant(c.in(i));
      }
      return m;
    };
    auto r = kernels::DecodePoses(o, h, w, map(0), map(1), map(2));
    if (!r.ok()) return r.status().WithContext(c.label());
    ETPU_RETURN_IF_ERROR(WriteFloats(c, 0, r->keypoints));
    ETPU_RETURN_IF_ERROR(WriteFloats(c, 1, r->keypoint_scores));
    ETPU_RETURN_IF_ERROR(WriteFloats(c, 2, r->pose_scores));
    return WriteFloats(c, 3, {r->count});
  });
}

}  // namespace

const OpFactory* FindDefaultCustomOp(const std::string& name) {
  static const std::map<std::string, OpFactory> ops = {
      {"TFLite_Detection_PostProcess", MakeDetectionPostProcess},
      {"PosenetDecoderOp", MakePosenetDecoder},
  };
  auto it = ops.find(name);
  return it == ops.end() ? nullptr : &it->second;
}

}  // namespace etpu::runtime::ops
