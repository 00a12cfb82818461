#include "ir/graph.h"

namespace etpu::ir {

int ElementSize(TensorType type) {
  switch (type) {
    case TensorType::FLOAT32: return 4;
    case TensorType::FLOAT16: return 2;
    case TensorType::INT32: return 4;
    case TensorType::UINT8: return 1;
    case TensorType::INT64: return 8;
    case TensorType::BOOL: return 1;
    case TensorType::INT16: return 2;
    case TensorType::COMPLEX64: return 8;
    case TensorType::INT8: return 1;
    case TensorType::FLOAT64: return 8;
    case TensorType::COMPLEX128: return 16;
    case TensorType::UINT64: return 8;
    case TensorType::UINT32: return 4;
    case TensorType::UINT16: return 2;
    default: return 0;
  }
}

const char* TensorTypeName(TensorType type) {
  const char* name = EnumName(type);
  return (name == nullptr || *name == '\0') ? "UNKNOWN" : name;
}

std::string BuiltinName(BuiltinOperator op) {
  const char* name = EnumName(op);
  if (name == nullptr || *name == '\0') return "BUILTIN_" + std::to_string(static_cast<int>(op));
  return name;
}

int64_t Tensor::num_elements() const {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

bool Tensor::is_dynamic() const {
  for (int32_t d : shape_signature) {
    if (d < 0) return true;
  }
  return false;
}

std::optional<int> Model::FindTensor(const std::string& name) const {
  for (const auto& t : tensors) {
    if (t.name == name) return t.index;
  }
  return std::nullopt;
}

bool Model::HasEdgeTpuCustomOp() const {
  for (const auto& op : ops) {
    if (op.code == BuiltinOperator::CUSTOM && op.custom_code == kEdgeTpuCustomOp) return true;
  }
  return false;
}

}  // namespace etpu::ir
