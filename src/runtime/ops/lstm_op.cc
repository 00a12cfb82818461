// UNIDIRECTIONAL_SEQUENCE_LSTM (not yet implemented).
#include "runtime/ops/op_util.h"

namespace etpu::runtime::ops {

void RegisterLstmOps(std::vector<Registration>& r) { (void)r; }

}  // namespace etpu::runtime::ops
