// Plain value types shared by every etpu reference kernel: shapes, enums, index helpers.
//
// Kernels know nothing of models or graphs: they take these structs plus raw pointers whose
// element counts match the shapes given (the caller's contract). Tensors are NHWC, row-major.
#pragma once

#include <cstdint>
#include <string>

namespace etpu::kernels {

/// A 4-D shape, NHWC for activations, OHWI for conv filters, 1HW(I*M) for depthwise filters.
struct Shape4 {
  int n = 1, h = 1, w = 1, c = 1;

  /// Number of elements (as int64 to avoid overflow on hostile shapes).
  int64_t FlatSize() const { return int64_t{n} * h * w * c; }
  bool operator==(const Shape4&) const = default;
  /// True when every dimension is >= 1 and the element count fits in an int32.
  bool Valid() const { return n > 0 && h > 0 && w > 0 && c > 0 && FlatSize() <= INT32_MAX; }
  /// "[n,h,w,c]" for error messages.
  std::string ToString() const {
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on the operator+ chain
    // wherever it is inlined.
    std::string s = "[";
    for (int d : {n, h, w, c}) {
      s += std::to_string(d);
      s += ',';
    }
    s.back() = ']';
    return s;
  }
};

/// Flat index of (b, y, x, ch) in an NHWC tensor of shape s (no bounds check).
inline int64_t Offset(const Shape4& s, int b, int y, int x, int ch) {
  return ((int64_t{b} * s.h + y) * s.w + x) * s.c + ch;
}

/// TFLite's Padding enum (schema values SAME=0, VALID=1).
enum class Padding { kSame = 0, kValid = 1 };

/// TFLite's fused ActivationFunctionType (schema values).
enum class Activation { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4, kSignBit = 5 };

/// The 8-bit integer element types the quantized kernels handle.
enum class QType { kUInt8, kInt8 };

/// Smallest / largest value of a quantized type.
inline int32_t QMin(QType t) { return t == QType::kUInt8 ? 0 : -128; }
inline int32_t QMax(QType t) { return t == QType::kUInt8 ? 255 : 127; }

/// Affine quantization of one tensor: real = scale * (q - zero_point).
struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

}  // namespace etpu::kernels
