#include "ir/tflite_enums.h"

namespace etpu::ir {

#define ETPU_NAME_CASE(n, v) \
  case v: return #n;
#define ETPU_VALUE(n, v) E::n,
#define ETPU_ENUM_FUNCTIONS(T, LIST, ALL)                                     \
  const char* EnumName(T value) {                                             \
    switch (static_cast<int64_t>(value)) {                                    \
      LIST(ETPU_NAME_CASE)                                                    \
      default: return "";                                                     \
    }                                                                         \
  }                                                                           \
  std::span<const T> ALL() {                                                  \
    using E = T;                                                              \
    static constexpr E kValues[] = {LIST(ETPU_VALUE)};                        \
    return kValues;                                                           \
  }

ETPU_ENUM_FUNCTIONS(TensorType, ETPU_IR_TENSOR_TYPE, AllTensorTypes)
ETPU_ENUM_FUNCTIONS(BuiltinOperator, ETPU_IR_BUILTIN_OPERATOR, AllBuiltinOperators)
ETPU_ENUM_FUNCTIONS(Padding, ETPU_IR_PADDING, AllPaddings)
ETPU_ENUM_FUNCTIONS(ActivationFunctionType, ETPU_IR_ACTIVATION_FUNCTION_TYPE, AllActivationFunctionTypes)
ETPU_ENUM_FUNCTIONS(FullyConnectedOptionsWeightsFormat, ETPU_IR_FULLY_CONNECTED_OPTIONS_WEIGHTS_FORMAT,
                    AllFullyConnectedOptionsWeightsFormats)
ETPU_ENUM_FUNCTIONS(CustomOptionsFormat, ETPU_IR_CUSTOM_OPTIONS_FORMAT, AllCustomOptionsFormats)

#undef ETPU_ENUM_FUNCTIONS
#undef ETPU_VALUE
#undef ETPU_NAME_CASE

}  // namespace etpu::ir
