// The operator table: one row per builtin operator etpu knows something about, and the one place
// that knowledge lives. Each module reads the columns it owns the meaning of:
//   - support:  `tflite_version` (the embedded TFLite's registry) and `edgetpu` (whether, from
//               which runtime and with which constant inputs the Edge TPU maps it); the operator's
//               own limits are check functions in src/support/rules_*.cc, keyed by the same code;
//   - params:   `record` (what the compiler writes into the parameter blobs);
//   - cache:    `row_local` (whether its output can be produced in bands of rows);
//   - perf:     `cost` (how the timing model counts its work);
//   - runtime:  `cpu_kernel` (the runtime registers a kernel for it; a test holds the two equal).
// Every operator that can map at some --min_runtime_version must have a CPU kernel (tested), so a
// compiled model never fails to load. docs/SUPPORTED_OPS.md lists the mappable rows (tested).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "ir/tflite_enums.h"

namespace etpu::ir {

/// How sure a fact is (compiler-behaviour.md header): [C] confirmed by an official source or a real
/// transcript/file, [S] supported by secondary sources or several transcripts, [U] our best
/// reconstruction.
enum class Certainty { kConfirmed, kSupported, kUnconfirmed };

/// What the compiler writes into the parameter blobs for an operator (src/params).
enum class ParamRecord {
  kNone,                 ///< nothing
  kWeights,              ///< weights, bias and per-channel headers (conv, depthwise, FC, transpose conv)
  kElementwiseConstant,  ///< a record for a constant operand, when the operator has one
  kSoftmaxTable,         ///< the lookup table of the quantized softmax
  kLstm,                 ///< the gate weights and biases of an LSTM
  kChannelBookkeeping,   ///< the channel bookkeeping record of CONCATENATION / SPLIT
};

/// How the timing model counts an operator's work (src/perf).
enum class CostShape {
  kElementwise,     ///< one step per output element
  kConv,            ///< kh·kw·in_c MACs per output element (CONV_2D, TRANSPOSE_CONV)
  kDepthwise,       ///< kh·kw MACs per output element
  kFullyConnected,  ///< in_c MACs per output element
  kPool,            ///< a window per output element
  kReduce,          ///< a window as large as the input map
  kShapeOnly,       ///< moves no data on the Edge TPU (a view of its input)
};

/// How the Edge TPU maps an operator (compiler-behaviour.md §5.3).
struct EdgeTpuMapping {
  int min_runtime = 10;                       ///< smallest --min_runtime_version it maps under
  Certainty runtime_certainty = Certainty::kSupported;
  std::vector<int> param_slots;               ///< inputs that must be compile-time constants
  std::vector<int> state_slots;               ///< variable inputs (state), outside the generic checks
};

struct OpInfo {
  BuiltinOperator code = BuiltinOperator::ADD;
  int tflite_version = 1;                     ///< newest version the embedded TFLite (TF 2.5) registers
  std::optional<EdgeTpuMapping> edgetpu;      ///< empty: never maps
  ParamRecord record = ParamRecord::kNone;
  CostShape cost = CostShape::kElementwise;
  bool row_local = false;                     ///< one output row needs a bounded band of input rows
  bool cpu_kernel = false;                    ///< the runtime has a kernel for it
};

/// Every row, in the order the table lists them (by operator family).
std::span<const OpInfo> OpTable();
/// The row of `code`; codes without a row get a default row (version 1, never maps, no record,
/// element-wise cost, no kernel) with their code.
const OpInfo& OpInfoOf(BuiltinOperator code);
/// The rows that map to the Edge TPU at some --min_runtime_version, in table order.
std::vector<const OpInfo*> MappableOps();

}  // namespace etpu::ir
