// Single-layer bit-exact checks of etpu::kernels against the TFLite oracle runner (see README).
// Build: link with etpu_kernels and etpu_tflite; needs /tmp/etpu-oracle (oracle/setup.sh).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "kernels/activations.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/fully_connected.h"
#include "kernels/pooling.h"
#include "kernels/quantize.h"
#include "kernels/reduce.h"
#include "kernels/resize.h"
#include "kernels/shape_ops.h"
#include "kernels/softmax.h"
#include "tflite/model_builder.h"

using namespace etpu;
using namespace etpu::kernels;
namespace fb = tflite_fb;
using etpu::tflite::ModelBuilder;
using etpu::tflite::Quant;
using TT = ir::TensorType;
using Op = ir::BuiltinOperator;

std::mt19937 rng(1234);
template <typename T>
std::vector<T> Rand(size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}
template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  memcpy(b.data(), v.data(), b.size());
  return b;
}
void WriteFile(const std::string& p, const std::vector<uint8_t>& b) {
  std::ofstream f(p, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), b.size());
}
std::vector<uint8_t> ReadFile(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), {});
}

int failures = 0;
// Runs the model on the given inputs with the oracle and compares output 0 to `mine`.
void Check(const std::string& name, ModelBuilder& b, const std::vector<std::vector<uint8_t>>& inputs,
           const std::vector<uint8_t>& mine, bool v29 = false) {
  const std::string dir = "/tmp/oc/" + name;
  std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
  WriteFile(dir + "/m.tflite", b.Serialize());
  std::string cmd = "/tmp/etpu-oracle/tflite_c_run /tmp/etpu-oracle/" +
                    std::string(v29 ? "libtflite29.so" : "libtflite22.so") + " " + dir +
                    "/m.tflite --dump " + dir;
  for (size_t i = 0; i < inputs.size(); ++i) {
    WriteFile(dir + "/in" + std::to_string(i) + ".bin", inputs[i]);
    cmd += " " + dir + "/in" + std::to_string(i) + ".bin";
  }
  cmd += " > " + dir + "/log.txt 2>&1";
  const int rc = std::system(cmd.c_str());
  auto got = ReadFile(dir + "/out0.bin");
  size_t diff = 0, maxd = 0;
  if (got.size() != mine.size()) {
    std::printf("%-28s SIZE MISMATCH oracle %zu mine %zu rc %d\n", name.c_str(), got.size(), mine.size(), rc);
    ++failures;
    return;
  }
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != mine[i]) ++diff;
  std::printf("%-28s %zu bytes, %zu mismatches\n", name.c_str(), got.size(), diff);
  if (diff) ++failures;
  (void)maxd;
}

fb::BuiltinOptionsUnion Reducer(bool keep) {
  fb::ReducerOptionsT o;
  o.keep_dims = keep;
  fb::BuiltinOptionsUnion u;
  u.Set(std::move(o));
  return u;
}

int main() {
  // 1. CONV_2D uint8, 3x3 stride 2 SAME, RELU6.
  for (int variant = 0; variant < 3; ++variant) {
    const Shape4 in{1, 17, 15, 8}, f{16, 3, 3, 8};
    const QuantParams iq{0.0235f, 117}, oq{variant == 2 ? 0.011f : 0.0471f, variant == 2 ? 128 : 0};
    const float fs = 0.0071f;
    const int fzp = 131;
    ConvOptions o;
    o.stride_h = o.stride_w = variant == 1 ? 1 : 2;
    o.padding = variant == 1 ? Padding::kValid : Padding::kSame;
    o.activation = variant == 2 ? Activation::kNone : Activation::kRelu6;
    auto p = PrepareConv(o, in, f, QType::kUInt8, iq, {&fs, 1}, fzp, oq);
    const Shape4 out{1, p->out_h, p->out_w, 16};
    auto x = Rand<uint8_t>(in.FlatSize(), 0, 255), w = Rand<uint8_t>(f.FlatSize(), 0, 255);
    auto bias = Rand<int32_t>(16, -3000, 3000);
    std::vector<uint8_t> y(out.FlatSize());
    (void)Conv2D(*p, in, x.data(), f, w.data(), bias.data(), out, y.data());
    ModelBuilder b;
    int ti = b.AddTensor("in", TT::UINT8, {1, 17, 15, 8}, Quant(iq.scale, iq.zero_point));
    int tw = b.AddTensor("w", TT::UINT8, {16, 3, 3, 8}, Quant(fs, fzp), w);
    int tb = b.AddTensor("b", TT::INT32, {16}, Quant(iq.scale * fs, 0), Bytes(bias));
    int to = b.AddTensor("out", TT::UINT8, {1, out.h, out.w, 16}, Quant(oq.scale, oq.zero_point));
    b.AddOperator(Op::CONV_2D, {ti, tw, tb}, {to},
                  tflite::ConvOptions(o.stride_h, o.stride_w, variant == 1 ? fb::Padding::VALID : fb::Padding::SAME,
                                      variant == 2 ? fb::ActivationFunctionType::NONE : fb::ActivationFunctionType::RELU6));
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check("conv_u8_" + std::to_string(variant), b, {x}, y);
  }
  // 2. CONV_2D int8 per-channel.
  {
    const Shape4 in{1, 12, 12, 6}, f{10, 3, 3, 6};
    const QuantParams iq{0.05f, -7}, oq{0.09f, 3};
    std::vector<float> fs(10);
    for (auto& s : fs) s = std::uniform_real_distribution<float>(0.001f, 0.02f)(rng);
    ConvOptions o;
    o.dilation_h = 2;
    auto p = PrepareConv(o, in, f, QType::kInt8, iq, fs, 0, oq);
    const Shape4 out{1, p->out_h, p->out_w, 10};
    auto x = Rand<int8_t>(in.FlatSize(), -128, 127), w = Rand<int8_t>(f.FlatSize(), -127, 127);
    auto bias = Rand<int32_t>(10, -3000, 3000);
    std::vector<int8_t> y(out.FlatSize());
    (void)Conv2D(*p, in, x.data(), f, w.data(), bias.data(), out, y.data());
    std::vector<float> bs(10);
    for (int i = 0; i < 10; ++i) bs[i] = iq.scale * fs[i];
    ModelBuilder b;
    int ti = b.AddTensor("in", TT::INT8, {1, 12, 12, 6}, Quant(iq.scale, iq.zero_point));
    int tw = b.AddTensor("w", TT::INT8, {10, 3, 3, 6}, tflite::QuantPerChannel(fs, 0), Bytes(w));
    int tb = b.AddTensor("b", TT::INT32, {10}, tflite::QuantPerChannel(bs, 0), Bytes(bias));
    int to = b.AddTensor("out", TT::INT8, {1, out.h, out.w, 10}, Quant(oq.scale, oq.zero_point));
    b.AddOperator(Op::CONV_2D, {ti, tw, tb}, {to}, tflite::ConvOptions(1, 1, fb::Padding::SAME, fb::ActivationFunctionType::NONE, 2, 1), 3);
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check("conv_i8_perchannel", b, {Bytes(x)}, Bytes(y));
  }
  // 3. DEPTHWISE uint8 with multiplier 2.
  {
    const Shape4 in{1, 13, 11, 4}, f{1, 3, 3, 8};
    const QuantParams iq{0.02f, 128}, oq{0.03f, 120};
    const float fs = 0.011f;
    ConvOptions o;
    o.depth_multiplier = 2;
    o.stride_h = 2;
    o.activation = Activation::kRelu;
    auto p = PrepareDepthwiseConv(o, in, f, QType::kUInt8, iq, {&fs, 1}, 140, oq);
    const Shape4 out{1, p->out_h, p->out_w, 8};
    auto x = Rand<uint8_t>(in.FlatSize(), 0, 255), w = Rand<uint8_t>(f.FlatSize(), 0, 255);
    auto bias = Rand<int32_t>(8, -3000, 3000);
    std::vector<uint8_t> y(out.FlatSize());
    (void)DepthwiseConv2D(*p, in, x.data(), f, w.data(), bias.data(), out, y.data());
    ModelBuilder b;
    int ti = b.AddTensor("in", TT::UINT8, {1, 13, 11, 4}, Quant(iq.scale, iq.zero_point));
    int tw = b.AddTensor("w", TT::UINT8, {1, 3, 3, 8}, Quant(fs, 140), w);
    int tb = b.AddTensor("b", TT::INT32, {8}, Quant(iq.scale * fs, 0), Bytes(bias));
    int to = b.AddTensor("out", TT::UINT8, {1, out.h, out.w, 8}, Quant(oq.scale, oq.zero_point));
    b.AddOperator(Op::DEPTHWISE_CONV_2D, {ti, tw, tb}, {to},
                  tflite::DepthwiseOptions(2, 1, fb::Padding::SAME, 2, fb::ActivationFunctionType::RELU), 2);
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check("dwconv_u8_mult2", b, {x}, y);
  }
  // 4. FULLY_CONNECTED uint8.
  {
    const QuantParams iq{0.02f, 128}, oq{0.1f, 100};
    const float fs = 0.005f;
    auto p = PrepareFullyConnected(QType::kUInt8, iq, {&fs, 1}, 125, oq, Activation::kNone, 20);
    auto x = Rand<uint8_t>(2 * 64, 0, 255), w = Rand<uint8_t>(20 * 64, 0, 255);
    auto bias = Rand<int32_t>(20, -3000, 3000);
    std::vector<uint8_t> y(40);
    (void)FullyConnected(*p, {2, 64, 20}, x.data(), w.data(), bias.data(), y.data());
    ModelBuilder b;
    int ti = b.AddTensor("in", TT::UINT8, {2, 64}, Quant(iq.scale, iq.zero_point));
    int tw = b.AddTensor("w", TT::UINT8, {20, 64}, Quant(fs, 125), w);
    int tb = b.AddTensor("b", TT::INT32, {20}, Quant(iq.scale * fs, 0), Bytes(bias));
    int to = b.AddTensor("out", TT::UINT8, {2, 20}, Quant(oq.scale, oq.zero_point));
    b.AddOperator(Op::FULLY_CONNECTED, {ti, tw, tb}, {to}, tflite::FullyConnectedOpts());
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check("fc_u8", b, {x}, y);
  }
  // 5. ADD / SUB / MUL uint8 + int8 with broadcast.
  for (int op = 0; op < 3; ++op)
    for (int t = 0; t < 2; ++t) {
      const bool u8 = t == 0;
      const QType qt = u8 ? QType::kUInt8 : QType::kInt8;
      const int lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
      const QuantParams q1{0.037f, u8 ? 120 : -8}, q2{0.081f, u8 ? 140 : 12}, qo{op == 2 ? 0.2f : 0.09f, u8 ? 128 : 0};
      auto p = op == 2 ? PrepareMul(qt, q1, q2, qo, Activation::kNone) : PrepareAdd(qt, q1, q2, qo, Activation::kNone);
      const Shape4 s1{1, 6, 7, 9}, s2{1, 1, 7, 9};
      auto a = Rand<uint8_t>(s1.FlatSize(), lo, hi), c = Rand<uint8_t>(s2.FlatSize(), lo, hi);
      std::vector<uint8_t> y(s1.FlatSize());
      if (u8) {
        if (op == 0) (void)Add(*p, s1, a.data(), s2, c.data(), s1, y.data());
        if (op == 1) (void)Sub(*p, s1, a.data(), s2, c.data(), s1, y.data());
        if (op == 2) (void)Mul(*p, s1, a.data(), s2, c.data(), s1, y.data());
      } else {
        auto* ai = reinterpret_cast<int8_t*>(a.data());
        auto* ci = reinterpret_cast<int8_t*>(c.data());
        auto* yi = reinterpret_cast<int8_t*>(y.data());
        if (op == 0) (void)Add(*p, s1, ai, s2, ci, s1, yi);
        if (op == 1) (void)Sub(*p, s1, ai, s2, ci, s1, yi);
        if (op == 2) (void)Mul(*p, s1, ai, s2, ci, s1, yi);
      }
      ModelBuilder b;
      const TT tt = u8 ? TT::UINT8 : TT::INT8;
      int t1 = b.AddTensor("a", tt, {1, 6, 7, 9}, Quant(q1.scale, q1.zero_point));
      int t2 = b.AddTensor("b", tt, {1, 1, 7, 9}, Quant(q2.scale, q2.zero_point));
      int to = b.AddTensor("o", tt, {1, 6, 7, 9}, Quant(qo.scale, qo.zero_point));
      fb::BuiltinOptionsUnion u;
      if (op == 0) u = tflite::AddOpts();
      if (op == 1) { fb::SubOptionsT so; u.Set(std::move(so)); }
      if (op == 2) { fb::MulOptionsT mo; u.Set(std::move(mo)); }
      b.AddOperator(op == 0 ? Op::ADD : op == 1 ? Op::SUB : Op::MUL, {t1, t2}, {to}, u, u8 ? 1 : 2);
      b.SetInputs({t1, t2});
      b.SetOutputs({to});
      Check(std::string(op == 0 ? "add" : op == 1 ? "sub" : "mul") + (u8 ? "_u8" : "_i8") + "_bcast", b, {a, c}, y);
    }
  // 6. SOFTMAX uint8 / int8.
  for (int t = 0; t < 2; ++t) {
    const bool u8 = t == 0;
    for (float sc : {0.05f, 0.2f, 0.0123f}) {
      const QuantParams iq{sc, u8 ? 100 : -20}, oq{1.0f / 256, u8 ? 0 : -128};
      auto p = PrepareSoftmax(1.0f, u8 ? QType::kUInt8 : QType::kInt8, iq, oq);
      auto x = Rand<uint8_t>(3 * 1001, u8 ? 0 : -128, u8 ? 255 : 127);
      std::vector<uint8_t> y(x.size());
      if (u8) (void)Softmax(*p, 3, 1001, x.data(), y.data());
      else (void)Softmax(*p, 3, 1001, reinterpret_cast<int8_t*>(x.data()), reinterpret_cast<int8_t*>(y.data()));
      ModelBuilder b;
      const TT tt = u8 ? TT::UINT8 : TT::INT8;
      int ti = b.AddTensor("in", tt, {3, 1001}, Quant(iq.scale, iq.zero_point));
      int to = b.AddTensor("out", tt, {3, 1001}, Quant(oq.scale, oq.zero_point));
      b.AddOperator(Op::SOFTMAX, {ti}, {to}, tflite::SoftmaxOpts(1.0f), u8 ? 1 : 2);
      b.SetInputs({ti});
      b.SetOutputs({to});
      Check(std::string("softmax_") + (u8 ? "u8_" : "i8_") + std::to_string(sc), b, {x}, y);
    }
  }
  // 7. LOGISTIC / TANH over every input value.
  for (int op = 0; op < 2; ++op)
    for (int t = 0; t < 2; ++t) {
      const bool u8 = t == 0;
      const QuantParams iq{0.0731f, u8 ? 131 : 5};
      const QuantParams oq = op == 1 ? QuantParams{1.0f / 128, u8 ? 128 : 0} : QuantParams{1.0f / 256, u8 ? 0 : -128};
      auto p = op == 1 ? PrepareTanh(u8 ? QType::kUInt8 : QType::kInt8, iq, oq) : PrepareLogistic(u8 ? QType::kUInt8 : QType::kInt8, iq, oq);
      std::vector<uint8_t> x(256), y(256);
      for (int i = 0; i < 256; ++i) x[i] = static_cast<uint8_t>(i);
      if (u8) (void)(op == 1 ? Tanh(*p, 256, x.data(), y.data()) : Logistic(*p, 256, x.data(), y.data()));
      else {
        auto* xi = reinterpret_cast<int8_t*>(x.data());
        auto* yi = reinterpret_cast<int8_t*>(y.data());
        (void)(op == 1 ? Tanh(*p, 256, xi, yi) : Logistic(*p, 256, xi, yi));
      }
      ModelBuilder b;
      const TT tt = u8 ? TT::UINT8 : TT::INT8;
      int ti = b.AddTensor("in", tt, {1, 256}, Quant(iq.scale, iq.zero_point));
      int to = b.AddTensor("out", tt, {1, 256}, Quant(oq.scale, oq.zero_point));
      b.AddOperator(op == 1 ? Op::TANH : Op::LOGISTIC, {ti}, {to}, {}, u8 ? 1 : 2);
      b.SetInputs({ti});
      b.SetOutputs({to});
      Check(std::string(op == 1 ? "tanh" : "logistic") + (u8 ? "_u8" : "_i8"), b, {x}, y);
    }
  // 8. AVERAGE_POOL / MAX_POOL uint8.
  for (int op = 0; op < 2; ++op) {
    const Shape4 in{1, 10, 9, 5};
    PoolOptions o;
    o.filter_h = 3; o.filter_w = 3; o.stride_h = 2; o.stride_w = 2;
    auto p = PreparePool(o, in, QType::kUInt8, {0.1f, 3});
    const Shape4 out{1, p->out_h, p->out_w, 5};
    auto x = Rand<uint8_t>(in.FlatSize(), 0, 255);
    std::vector<uint8_t> y(out.FlatSize());
    if (op == 0) (void)AveragePool(*p, in, x.data(), out, y.data()); else (void)MaxPool(*p, in, x.data(), out, y.data());
    ModelBuilder b;
    int ti = b.AddTensor("in", TT::UINT8, {1, 10, 9, 5}, Quant(0.1f, 3));
    int to = b.AddTensor("out", TT::UINT8, {1, out.h, out.w, 5}, Quant(0.1f, 3));
    b.AddOperator(op == 0 ? Op::AVERAGE_POOL_2D : Op::MAX_POOL_2D, {ti}, {to}, tflite::PoolOptions(3, 3, 2, 2, fb::Padding::SAME));
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check(op == 0 ? "avgpool_u8" : "maxpool_u8", b, {x}, y);
  }
  // 9. MEAN over H,W uint8 / int8.
  for (int t = 0; t < 2; ++t) {
    const bool u8 = t == 0;
    const Shape4 in{1, 7, 7, 12};
    const QuantParams iq{0.05f, u8 ? 120 : -3}, oq{0.04f, u8 ? 130 : 7};
    auto p = PrepareMeanHW(u8 ? QType::kUInt8 : QType::kInt8, 7, 7, iq, oq);
    auto x = Rand<uint8_t>(in.FlatSize(), u8 ? 0 : -128, u8 ? 255 : 127);
    std::vector<uint8_t> y(12);
    if (u8) (void)MeanHW(*p, in, x.data(), y.data());
    else (void)MeanHW(*p, in, reinterpret_cast<int8_t*>(x.data()), reinterpret_cast<int8_t*>(y.data()));
    ModelBuilder b;
    const TT tt = u8 ? TT::UINT8 : TT::INT8;
    int ti = b.AddTensor("in", tt, {1, 7, 7, 12}, Quant(iq.scale, iq.zero_point));
    const int32_t axes[2] = {1, 2};
    int ta = b.AddConstant<int32_t>("axes", TT::INT32, {2}, std::span<const int32_t>(axes, 2));
    int to = b.AddTensor("out", tt, {1, 1, 1, 12}, Quant(oq.scale, oq.zero_point));
    b.AddOperator(Op::MEAN, {ti, ta}, {to}, Reducer(true), u8 ? 1 : 2);
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check(std::string("mean_") + (u8 ? "u8" : "i8"), b, {x}, y);
  }
  // 10. CONCATENATION uint8 with differing quantization.
  {
    const QuantParams q1{0.05f, 120}, q2{0.11f, 3}, qo{0.08f, 128};
    auto a = Rand<uint8_t>(2 * 5 * 3, 0, 255), c = Rand<uint8_t>(2 * 5 * 4, 0, 255);
    ConcatInput ins[2] = {{a.data(), 3, q1}, {c.data(), 4, q2}};
    std::vector<uint8_t> y(2 * 5 * 7);
    (void)Concatenation(ins, 10, 1, QType::kUInt8, qo, y.data());
    ModelBuilder b;
    int t1 = b.AddTensor("a", TT::UINT8, {2, 5, 3}, Quant(q1.scale, q1.zero_point));
    int t2 = b.AddTensor("b", TT::UINT8, {2, 5, 4}, Quant(q2.scale, q2.zero_point));
    int to = b.AddTensor("o", TT::UINT8, {2, 5, 7}, Quant(qo.scale, qo.zero_point));
    b.AddOperator(Op::CONCATENATION, {t1, t2}, {to}, tflite::ConcatOpts(2));
    b.SetInputs({t1, t2});
    b.SetOutputs({to});
    Check("concat_u8_requant", b, {a, c}, y);
  }
  // 11. RESIZE_BILINEAR uint8 / int8 (2.9) and NEAREST.
  for (int mode = 0; mode < 3; ++mode)
    for (int t = 0; t < 3; ++t) {
      const bool u8 = t != 2;
      const Shape4 in{1, 9, 7, 3}, out = mode == 0 && t == 1 ? Shape4{1, 18, 14, 3} : Shape4{1, 33, 20, 3};
      ResizeParams rp;
      rp.align_corners = mode == 1;
      rp.half_pixel_centers = mode == 2;
      auto x = Rand<uint8_t>(in.FlatSize(), u8 ? 0 : -128, u8 ? 255 : 127);
      std::vector<uint8_t> y(out.FlatSize());
      if (u8) (void)ResizeBilinear(rp, in, x.data(), out, y.data());
      else (void)ResizeBilinear(rp, in, reinterpret_cast<int8_t*>(x.data()), out, reinterpret_cast<int8_t*>(y.data()));
      ModelBuilder b;
      const TT tt = u8 ? TT::UINT8 : TT::INT8;
      int ti = b.AddTensor("in", tt, {1, 9, 7, 3}, Quant(0.1f, 0));
      const int32_t size[2] = {out.h, out.w};
      int ts = b.AddConstant<int32_t>("size", TT::INT32, {2}, std::span<const int32_t>(size, 2));
      int to = b.AddTensor("out", tt, {1, out.h, out.w, 3}, Quant(0.1f, 0));
      fb::ResizeBilinearOptionsT o;
      o.align_corners = rp.align_corners;
      o.half_pixel_centers = rp.half_pixel_centers;
      fb::BuiltinOptionsUnion u;
      u.Set(std::move(o));
      b.AddOperator(Op::RESIZE_BILINEAR, {ti, ts}, {to}, u, 3);
      b.SetInputs({ti});
      b.SetOutputs({to});
      Check("resize_bilinear_" + std::string(u8 ? "u8_" : "i8_") + std::to_string(mode), b, {x}, y, true);
      std::vector<uint8_t> yn(out.FlatSize());
      (void)ResizeNearestNeighbor(rp, in, x.data(), out, yn.data());
      ModelBuilder bn;
      ti = bn.AddTensor("in", tt, {1, 9, 7, 3}, Quant(0.1f, 0));
      ts = bn.AddConstant<int32_t>("size", TT::INT32, {2}, std::span<const int32_t>(size, 2));
      to = bn.AddTensor("out", tt, {1, out.h, out.w, 3}, Quant(0.1f, 0));
      fb::ResizeNearestNeighborOptionsT on;
      on.align_corners = rp.align_corners;
      on.half_pixel_centers = rp.half_pixel_centers;
      fb::BuiltinOptionsUnion un;
      un.Set(std::move(on));
      bn.AddOperator(Op::RESIZE_NEAREST_NEIGHBOR, {ti, ts}, {to}, un, 3);
      bn.SetInputs({ti});
      bn.SetOutputs({to});
      Check("resize_nearest_" + std::string(u8 ? "u8_" : "i8_") + std::to_string(mode), bn, {x}, yn, true);
    }
  // 12. QUANTIZE u8 -> i8 requantize and LEAKY_RELU / RELU6 uint8 with different scales.
  {
    const QuantParams iq{0.07f, 131}, oq{0.05f, -10};
    auto p = PrepareRequantize(iq, oq);
    std::vector<uint8_t> x(256), y(256);
    for (int i = 0; i < 256; ++i) x[i] = static_cast<uint8_t>(i);
    Requantize(*p, 256, x.data(), reinterpret_cast<int8_t*>(y.data()));
    ModelBuilder b;
    int ti = b.AddTensor("in", TT::UINT8, {1, 256}, Quant(iq.scale, iq.zero_point));
    int to = b.AddTensor("out", TT::INT8, {1, 256}, Quant(oq.scale, oq.zero_point));
    b.AddOperator(Op::QUANTIZE, {ti}, {to}, {}, 2);
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check("requantize_u8_i8", b, {x}, y);
  }
  for (int op = 0; op < 2; ++op) {
    const QuantParams iq{0.07f, 131}, oq{0.05f, 20};
    std::vector<uint8_t> x(256), y(256);
    for (int i = 0; i < 256; ++i) x[i] = static_cast<uint8_t>(i);
    ModelBuilder b;
    int ti = b.AddTensor("in", TT::UINT8, {1, 256}, Quant(iq.scale, iq.zero_point));
    int to = b.AddTensor("out", TT::UINT8, {1, 256}, Quant(oq.scale, oq.zero_point));
    if (op == 0) {
      auto p = PrepareLeakyRelu(0.2f, QType::kUInt8, iq, oq);
      (void)LeakyRelu(*p, 256, x.data(), y.data());
      fb::LeakyReluOptionsT lo;
      lo.alpha = 0.2f;
      fb::BuiltinOptionsUnion u;
      u.Set(std::move(lo));
      b.AddOperator(Op::LEAKY_RELU, {ti}, {to}, u);
    } else {
      auto p = PrepareRelu(Activation::kRelu6, QType::kUInt8, iq, oq);
      (void)Relu(*p, 256, x.data(), y.data());
      b.AddOperator(Op::RELU6, {ti}, {to}, {});
    }
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check(op == 0 ? "leaky_relu_u8" : "relu6_u8_rescale", b, {x}, y);
  }
  // 13. TRANSPOSE_CONV uint8 (no bias), SAME stride 2 and VALID stride 1.
  for (int v = 0; v < 2; ++v) {
    const Shape4 in{1, 5, 6, 3}, f{4, 3, 3, 3};
    const Shape4 out = v == 0 ? Shape4{1, 10, 12, 4} : Shape4{1, 7, 8, 4};
    const float fs = 0.013f;
    auto p = PrepareTransposeConv(v == 0 ? Padding::kSame : Padding::kValid, v == 0 ? 2 : 1, v == 0 ? 2 : 1, in, f, out,
                                  QType::kUInt8, {0.05f, 120}, {&fs, 1}, 130, {0.2f, 100});
    if (!p.ok()) { std::printf("prepare failed %s\n", p.status().ToString().c_str()); ++failures; continue; }
    auto x = Rand<uint8_t>(in.FlatSize(), 0, 255), w = Rand<uint8_t>(f.FlatSize(), 0, 255);
    std::vector<uint8_t> y(out.FlatSize());
    (void)TransposeConv(*p, in, x.data(), f, w.data(), nullptr, out, y.data());
    ModelBuilder b;
    const int32_t os[4] = {1, out.h, out.w, 4};
    int tos = b.AddConstant<int32_t>("os", TT::INT32, {4}, std::span<const int32_t>(os, 4));
    int tw = b.AddTensor("w", TT::UINT8, {4, 3, 3, 3}, Quant(fs, 130), w);
    int ti = b.AddTensor("in", TT::UINT8, {1, 5, 6, 3}, Quant(0.05f, 120));
    int to = b.AddTensor("out", TT::UINT8, {1, out.h, out.w, 4}, Quant(0.2f, 100));
    fb::TransposeConvOptionsT o;
    o.padding = v == 0 ? fb::Padding::SAME : fb::Padding::VALID;
    o.stride_h = o.stride_w = v == 0 ? 2 : 1;
    fb::BuiltinOptionsUnion u;
    u.Set(std::move(o));
    b.AddOperator(Op::TRANSPOSE_CONV, {tos, tw, ti}, {to}, u, 2);
    b.SetInputs({ti});
    b.SetOutputs({to});
    Check("transpose_conv_u8_" + std::to_string(v), b, {x}, y);
  }
  std::printf("%d failing cases\n", failures);
  return failures ? 1 : 0;
}
