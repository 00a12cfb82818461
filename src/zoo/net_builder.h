// NetBuilder: builds quantized (uint8, per-tensor) TFLite networks layer by layer, in the style
// of Coral's MobileNet models, with deterministic pseudo-random weights.
//
// Quantization contract (see docs/ZOO.md):
//  - ReLU / ReLU6 outputs use [0, 6] (scale 6/255, zero point 0), as the real Coral models.
//  - Weights are uint8 with a per-tensor zero point near 128; their scale is chosen from the
//    fan-in and the input's estimated RMS so that pre-activations have a known spread
//    (sigma 1.5 for activated layers, so 6 is 4 sigma; 1 for linear ones). Linear outputs use [-4 sigma, 4 sigma].
//  - Biases are int32 with scale = input scale * weight scale and zero point 0.
//  - Pooling, reshape and max-pool keep their input's quantization; softmax and logistic
//    outputs use scale 1/256, zero point 0 (what TFLite requires).
// The builder also counts parameters (weights + biases) and multiply-accumulates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tflite/model_builder.h"

namespace etpu::zoo {

/// Fused activation of a layer.
enum class Act { kNone, kRelu, kRelu6 };

/// A small deterministic generator (SplitMix64); the same seed gives the same stream everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  /// Uniform integer in [lo, hi].
  int64_t Uniform(int64_t lo, int64_t hi);

 private:
  uint64_t state_;
};

class NetBuilder {
 public:
  /// `prefix` starts every tensor name; `seed` fixes all weights.
  NetBuilder(std::string prefix, uint64_t seed);

  /// A uint8 graph input (scale 1/128, zero point 128: real values in [-1, 1]).
  int Input(const std::string& name, std::vector<int32_t> shape);
  /// CONV_2D with a [cout, kh, kw, cin] uint8 kernel.
  int Conv(int in, int cout, int kh, int kw, int stride, Act act, const std::string& name,
           ir::Padding padding = ir::Padding::SAME);
  int Conv(int in, int cout, int k, int stride, Act act, const std::string& name) {
    return Conv(in, cout, k, k, stride, act, name);
  }
  /// DEPTHWISE_CONV_2D with a [1, k, k, c * multiplier] kernel (output channel o reads input
  /// channel o / multiplier, as TFLite defines it).
  int Depthwise(int in, int k, int stride, Act act, const std::string& name, int multiplier = 1);
  /// FULLY_CONNECTED with a [cout, cin] kernel (cin = the input's last dimension).
  int FullyConnected(int in, int cout, const std::string& name);
  int AvgPool(int in, int fh, int fw, int stride, ir::Padding padding, const std::string& name);
  int MaxPool(int in, int fh, int fw, int stride, ir::Padding padding, const std::string& name);
  /// ADD of two same-shape tensors; output range covers both.
  int Add(int a, int b, const std::string& name);
  /// CONCATENATION; inputs sharing one quantization keep it, otherwise the widest range is used.
  int Concat(const std::vector<int>& ins, int axis, const std::string& name);
  /// RESHAPE with a constant int32 shape tensor (no builtin options, as the TFLite converter writes it).
  int Reshape(int in, std::vector<int32_t> shape, const std::string& name);
  int Softmax(int in, const std::string& name);
  int Logistic(int in, const std::string& name);

  const std::vector<int32_t>& Shape(int tensor) const { return info_.at(static_cast<size_t>(tensor)).shape; }
  int Channels(int tensor) const { return Shape(tensor).back(); }
  /// Weights + biases added so far (elements).
  int64_t params() const { return params_; }
  /// Multiply-accumulates of the convolutions, depthwise convolutions and fully connected layers.
  int64_t macs() const { return macs_; }
  tflite::ModelBuilder& model() { return model_; }
  /// Adds a tensor with no quantization tracking (custom-op outputs, constants).
  int AddRawTensor(const std::string& name, ir::TensorType type, std::vector<int32_t> shape,
                   const ir::Quantization& quant = {}, std::vector<uint8_t> data = {});
  Rng& rng() { return rng_; }

 private:
  struct Info {
    std::vector<int32_t> shape;
    float scale = 0;
    int64_t zero_point = 0;
    float rms = 0;  ///< Estimated root-mean-square of the real values.
  };
  int AddActivation(const std::string& name, std::vector<int32_t> shape, float scale, int64_t zp, float rms);
  /// Output quantization of a layer with pre-activation spread `sigma`.
  void OutputQuant(Act act, float sigma, float* scale, int64_t* zp, float* rms) const;
  /// Adds uint8 weights (returns the tensor) for fan-in `fan_in`; sets the weight scale. Output
  /// channels are the first dimension, or the last one for a `depthwise` kernel.
  int Weights(const std::string& name, std::vector<int32_t> shape, bool depthwise, int64_t fan_in, float in_rms,
              float sigma, float* w_scale);
  int Bias(const std::string& name, int cout, float in_scale, float w_scale, float sigma);
  std::string N(const std::string& name) const { return prefix_.empty() ? name : prefix_ + "/" + name; }

  std::string prefix_;
  Rng rng_;
  tflite::ModelBuilder model_;
  std::vector<Info> info_;
  int64_t params_ = 0;
  int64_t macs_ = 0;
};

/// Output size of a SAME / VALID window along one axis.
int OutSize(int in, int filter, int stride, ir::Padding padding);

}  // namespace etpu::zoo
