#include "zoo/net_builder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace etpu::zoo {

using ir::ActivationFunctionType;
using ir::Padding;

namespace {

constexpr float kReluMax = 6.0f;
constexpr float kActivatedSigma = 1.5f;  // pre-activation spread of ReLU/ReLU6 layers (6 = 4 sigma)
constexpr float kLinearSigma = 1.0f;     // spread of linear (projection, logits) layers
constexpr float kRangeSigmas = 4.0f;     // linear outputs cover +-4 sigma

ActivationFunctionType FusedAct(Act act) {
  switch (act) {
    case Act::kRelu: return ActivationFunctionType::RELU;
    case Act::kRelu6: return ActivationFunctionType::RELU6;
    case Act::kNone: break;
  }
  return ActivationFunctionType::NONE;
}

std::vector<uint8_t> Int32Bytes(const std::vector<int32_t>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  for (size_t i = 0; i < v.size(); ++i) {
    const uint32_t u = static_cast<uint32_t>(v[i]);
    for (int k = 0; k < 4; ++k) b[i * 4 + k] = static_cast<uint8_t>(u >> (8 * k));
  }
  return b;
}

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t Rng::Uniform(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(Next() % span);
}

int OutSize(int in, int filter, int stride, Padding padding) {
  if (padding == Padding::SAME) return (in + stride - 1) / stride;
  return (in - filter + stride) / stride;
}

NetBuilder::NetBuilder(std::string prefix, uint64_t seed) : prefix_(std::move(prefix)), rng_(seed) {}

int NetBuilder::AddRawTensor(const std::string& name, ir::TensorType type, std::vector<int32_t> shape,
                             const ir::Quantization& quant, std::vector<uint8_t> data) {
  Info info;
  info.shape = shape;
  if (!quant.empty()) {
    info.scale = quant.scale[0];
    info.zero_point = quant.zero_point[0];
  }
  const int t = model_.AddTensor(N(name), type, std::move(shape), quant, std::move(data));
  if (static_cast<size_t>(t) >= info_.size()) info_.resize(static_cast<size_t>(t) + 1);
  info_[static_cast<size_t>(t)] = std::move(info);
  return t;
}

int NetBuilder::AddActivation(const std::string& name, std::vector<int32_t> shape, float scale, int64_t zp,
                              float rms) {
  const int t = AddRawTensor(name, ir::TensorType::UINT8, std::move(shape), tflite::Quant(scale, zp));
  info_[static_cast<size_t>(t)].rms = rms;
  return t;
}

int NetBuilder::Input(const std::string& name, std::vector<int32_t> shape) {
  // Uniform on [-1, 1]: RMS 1/sqrt(3).
  return AddActivation(name, std::move(shape), 1.0f / 128.0f, 128, 0.577f);
}

void NetBuilder::OutputQuant(Act act, float sigma, float* scale, int64_t* zp, float* rms) const {
  if (act == Act::kNone) {
    *scale = 2.0f * kRangeSigmas * sigma / 255.0f;
    *zp = 128;
    *rms = sigma;
  } else {
    *scale = kReluMax / 255.0f;
    *zp = 0;
    *rms = sigma / std::sqrt(2.0f);  // half of a zero-mean normal survives the ReLU
  }
}

int NetBuilder::Weights(const std::string& name, std::vector<int32_t> shape, bool depthwise, int64_t fan_in,
                        float in_rms, float sigma, float* w_scale) {
  int64_t count = 1;
  for (int32_t d : shape) count *= d;
  // Zero point near 128; values symmetric around it so the real weights have zero mean.
  const int64_t zp = 128 + rng_.Uniform(-10, 10);
  const int64_t half = std::min<int64_t>(zp, 255 - zp);
  std::vector<uint8_t> data(static_cast<size_t>(count));
  for (auto& q : data) q = static_cast<uint8_t>(zp + rng_.Uniform(-half, half));
  // Centre every output channel: a channel whose few weights happen to sum far from zero would
  // shift all its outputs (on non-negative ReLU inputs) and saturate. Depthwise kernels
  // ([1, k, k, c]) hold channel ch at every c-th value; other kernels hold a channel contiguously.
  const bool interleaved = depthwise;
  const int64_t channels = interleaved ? shape.back() : shape.front();
  const int64_t per_channel = count / channels;
  for (int64_t ch = 0; ch < channels; ++ch) {
    auto at = [&](int64_t i) -> uint8_t& {
      return data[static_cast<size_t>(interleaved ? i * channels + ch : ch * per_channel + i)];
    };
    int64_t sum = 0;
    for (int64_t i = 0; i < per_channel; ++i) sum += at(i) - zp;
    const int64_t shift = static_cast<int64_t>(std::llround(static_cast<double>(sum) / per_channel));
    for (int64_t i = 0; i < per_channel; ++i) at(i) = static_cast<uint8_t>(std::clamp<int64_t>(at(i) - shift, 0, 255));
  }
  // Standard deviation of the uniform integers in [-half, half].
  const float q_std = static_cast<float>(half) * std::sqrt((1.0f + 1.0f / static_cast<float>(half)) / 3.0f);
  const float real_std = sigma / (std::sqrt(static_cast<float>(fan_in)) * std::max(in_rms, 1e-3f));
  *w_scale = real_std / q_std;
  params_ += count;
  return AddRawTensor(name, ir::TensorType::UINT8, std::move(shape), tflite::Quant(*w_scale, zp), std::move(data));
}

int NetBuilder::Bias(const std::string& name, int cout, float in_scale, float w_scale, float sigma) {
  const double bias_scale = static_cast<double>(in_scale) * w_scale;
  std::vector<int32_t> values(static_cast<size_t>(cout));
  const double limit = 0.1 * sigma / bias_scale;  // biases up to a tenth of the spread
  const int64_t ilimit = static_cast<int64_t>(std::min(limit, 1.0e9));
  for (auto& v : values) v = static_cast<int32_t>(rng_.Uniform(-ilimit, ilimit));
  params_ += cout;
  return AddRawTensor(name, ir::TensorType::INT32, {cout}, tflite::Quant(static_cast<float>(bias_scale), 0),
                      Int32Bytes(values));
}

int NetBuilder::Conv(int in, int cout, int kh, int kw, int stride, Act act, const std::string& name,
                     Padding padding) {
  const Info src = info_.at(static_cast<size_t>(in));
  const int cin = src.shape[3];
  const int ho = OutSize(src.shape[1], kh, stride, padding);
  const int wo = OutSize(src.shape[2], kw, stride, padding);
  const float sigma = act == Act::kNone ? kLinearSigma : kActivatedSigma;
  float w_scale = 0;
  const int w = Weights(name + "/weights", {cout, kh, kw, cin}, false, int64_t{kh} * kw * cin, src.rms, sigma, &w_scale);
  const int b = Bias(name + "/bias", cout, src.scale, w_scale, sigma);
  float scale = 0, rms = 0;
  int64_t zp = 0;
  OutputQuant(act, sigma, &scale, &zp, &rms);
  const int out = AddActivation(name, {1, ho, wo, cout}, scale, zp, rms);
  model_.AddOperator(ir::BuiltinOperator::CONV_2D, {in, w, b}, {out},
                     tflite::ConvOptions(stride, stride, padding, FusedAct(act)));
  macs_ += int64_t{ho} * wo * cout * kh * kw * cin;
  return out;
}

int NetBuilder::Depthwise(int in, int k, int stride, Act act, const std::string& name, int multiplier) {
  const Info src = info_.at(static_cast<size_t>(in));
  const int c = src.shape[3] * multiplier;
  const int ho = OutSize(src.shape[1], k, stride, Padding::SAME);
  const int wo = OutSize(src.shape[2], k, stride, Padding::SAME);
  const float sigma = act == Act::kNone ? kLinearSigma : kActivatedSigma;
  float w_scale = 0;
  const int w = Weights(name + "/depthwise_weights", {1, k, k, c}, true, int64_t{k} * k, src.rms, sigma, &w_scale);
  const int b = Bias(name + "/bias", c, src.scale, w_scale, sigma);
  float scale = 0, rms = 0;
  int64_t zp = 0;
  OutputQuant(act, sigma, &scale, &zp, &rms);
  const int out = AddActivation(name, {1, ho, wo, c}, scale, zp, rms);
  model_.AddOperator(ir::BuiltinOperator::DEPTHWISE_CONV_2D, {in, w, b}, {out},
                     tflite::DepthwiseOptions(stride, stride, Padding::SAME, multiplier, FusedAct(act)));
  macs_ += int64_t{ho} * wo * c * k * k;
  return out;
}

int NetBuilder::FullyConnected(int in, int cout, const std::string& name) {
  const Info src = info_.at(static_cast<size_t>(in));
  const int cin = src.shape.back();
  float w_scale = 0;
  const int w = Weights(name + "/weights", {cout, cin}, false, cin, src.rms, kLinearSigma * 2, &w_scale);
  const int b = Bias(name + "/bias", cout, src.scale, w_scale, kLinearSigma * 2);
  float scale = 0, rms = 0;
  int64_t zp = 0;
  OutputQuant(Act::kNone, kLinearSigma * 2, &scale, &zp, &rms);
  const int out = AddActivation(name, {1, cout}, scale, zp, rms);
  model_.AddOperator(ir::BuiltinOperator::FULLY_CONNECTED, {in, w, b}, {out}, tflite::FullyConnectedOpts());
  macs_ += int64_t{cin} * cout;
  return out;
}

int NetBuilder::AvgPool(int in, int fh, int fw, int stride, Padding padding, const std::string& name) {
  const Info src = info_.at(static_cast<size_t>(in));
  const int ho = OutSize(src.shape[1], fh, stride, padding);
  const int wo = OutSize(src.shape[2], fw, stride, padding);
  const int out = AddActivation(name, {1, ho, wo, src.shape[3]}, src.scale, src.zero_point, src.rms);
  model_.AddOperator(ir::BuiltinOperator::AVERAGE_POOL_2D, {in}, {out},
                     tflite::PoolOptions(fh, fw, stride, stride, padding));
  return out;
}

int NetBuilder::MaxPool(int in, int fh, int fw, int stride, Padding padding, const std::string& name) {
  const Info src = info_.at(static_cast<size_t>(in));
  const int ho = OutSize(src.shape[1], fh, stride, padding);
  const int wo = OutSize(src.shape[2], fw, stride, padding);
  const int out = AddActivation(name, {1, ho, wo, src.shape[3]}, src.scale, src.zero_point, src.rms);
  model_.AddOperator(ir::BuiltinOperator::MAX_POOL_2D, {in}, {out},
                     tflite::PoolOptions(fh, fw, stride, stride, padding));
  return out;
}

int NetBuilder::Add(int a, int b, const std::string& name) {
  const Info ia = info_.at(static_cast<size_t>(a));
  const Info ib = info_.at(static_cast<size_t>(b));
  const float rms = std::sqrt(ia.rms * ia.rms + ib.rms * ib.rms);
  const int out = AddActivation(name, ia.shape, 2.0f * kRangeSigmas * rms / 255.0f, 128, rms);
  model_.AddOperator(ir::BuiltinOperator::ADD, {a, b}, {out}, tflite::AddOpts());
  return out;
}

int NetBuilder::Concat(const std::vector<int>& ins, int axis, const std::string& name) {
  Info first = info_.at(static_cast<size_t>(ins.at(0)));
  std::vector<int32_t> shape = first.shape;
  const size_t ax = static_cast<size_t>(axis < 0 ? axis + static_cast<int>(shape.size()) : axis);
  shape[ax] = 0;
  bool same = true;
  float lo = 0, hi = 0, rms = 0;
  for (int t : ins) {
    const Info& i = info_.at(static_cast<size_t>(t));
    shape[ax] += i.shape[ax];
    same = same && i.scale == first.scale && i.zero_point == first.zero_point;
    lo = std::min(lo, -i.scale * static_cast<float>(i.zero_point));
    hi = std::max(hi, i.scale * static_cast<float>(255 - i.zero_point));
    rms = std::max(rms, i.rms);
  }
  float scale = first.scale;
  int64_t zp = first.zero_point;
  if (!same) {
    scale = (hi - lo) / 255.0f;
    zp = std::clamp<int64_t>(std::llround(-lo / scale), 0, 255);
  }
  const int out = AddActivation(name, shape, scale, zp, rms);
  std::vector<int32_t> inputs(ins.begin(), ins.end());
  model_.AddOperator(ir::BuiltinOperator::CONCATENATION, inputs, {out}, tflite::ConcatOpts(axis));
  return out;
}

int NetBuilder::Reshape(int in, std::vector<int32_t> shape, const std::string& name) {
  const Info src = info_.at(static_cast<size_t>(in));
  const int shape_t = AddRawTensor(name + "/shape", ir::TensorType::INT32, {static_cast<int32_t>(shape.size())}, {},
                                   Int32Bytes(shape));
  const int out = AddActivation(name, shape, src.scale, src.zero_point, src.rms);
  model_.AddOperator(ir::BuiltinOperator::RESHAPE, {in, shape_t}, {out});
  return out;
}

int NetBuilder::Softmax(int in, const std::string& name) {
  const int out = AddActivation(name, Shape(in), 1.0f / 256.0f, 0, 0.1f);
  model_.AddOperator(ir::BuiltinOperator::SOFTMAX, {in}, {out}, tflite::SoftmaxOpts(1.0f));
  return out;
}

int NetBuilder::Logistic(int in, const std::string& name) {
  const int out = AddActivation(name, Shape(in), 1.0f / 256.0f, 0, 0.5f);
  model_.AddOperator(ir::BuiltinOperator::LOGISTIC, {in}, {out});
  return out;
}

}  // namespace etpu::zoo
