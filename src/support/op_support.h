// Edge TPU operator support: which operators of a model the real compiler (v16) would map.
//
// The rules follow compiler-behaviour.md §5 (requirements, supported operators and limits), §6 (the
// exact Status strings of the compiler's log) and §7.1 (whole-model errors). Every rule has a stable
// dotted id ("conv2d.dilation_xy"), the status it produces, a certainty mark ([C] confirmed by an
// official source or a real transcript/file, [S] supported by secondary sources or several
// transcripts, [U] our best reconstruction) and a reason that names the operator, the tensor, the
// limit and the value. docs/SUPPORTED_OPS.md lists every rule with its evidence.
//
// Per-operator decisions are independent of each other: partitioning (which supported operators
// after the first unsupported one still run on the CPU, "More than one subgraph is not supported")
// is done by src/partition from these decisions.
//
// Order of the checks for one operator (the first one that fires decides):
//   1. custom operators                      -> "Operation is working on an unsupported data type"
//   2. data type of activations (uint8/int8)  -> "Operation is working on an unsupported data type"
//   3. operator not in the supported set      -> "Operation not supported"
//   4. operator newer than --min_runtime_version -> "Operation not supported"
//   5. op version above the mapper's newest    -> "Operation version not supported"
//   6. rank (> 3 dimensions larger than 1)     -> "Tensor has unsupported rank (...)"
//   7. weights/bias/shape params not constant  -> "Filter, bias, or other param is not constant ..."
//   8. the operator's own limits (rules_*.cc)
#pragma once

#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"
#include "ir/op_table.h"

namespace etpu::support {

/// How sure a rule is (compiler-behaviour.md header): [C], [S], [U]; the operator table's scale.
using Certainty = ir::Certainty;

/// The per-operator outcome; each value has one exact log string (StatusText).
enum class OpStatus {
  kMapped,
  kMoreThanOneSubgraph,     ///< Used by the partitioner, never by DecideOp.
  kUnspecifiedLimitation,
  kUnsupportedDataType,
  kNotSupported,
  kVersionNotSupported,
  kUnsupportedRank,
  kStridedSliceStrides,
  kParamNotConstant,
};

/// The exact `Status` column text of the real compiler's log (compiler-behaviour.md §6).
const char* StatusText(OpStatus status);
/// "[C]", "[S]" or "[U]".
const char* CertaintyMark(Certainty certainty);

/// The verdict on one operator.
struct SupportDecision {
  bool supported = false;
  OpStatus status = OpStatus::kNotSupported;
  std::string rule_id;     ///< The rule that stopped the operator; empty when supported.
  std::string reason;      ///< Which operator/tensor, which limit, which value; empty when supported.
  Certainty certainty = Certainty::kConfirmed;
};

struct SupportOptions {
  int min_runtime_version = 14;  ///< -m; operators needing a newer runtime are not mapped.
};

/// One registered rule (for documentation, tests and reports).
struct RuleInfo {
  std::string id;
  OpStatus status;
  Certainty certainty;
  std::string summary;  ///< One line: the limit, with its constant.
};

/// Every rule, generic ones first, in check order.
const std::vector<RuleInfo>& AllRules();

/// The verdict on operator `op_index` of `model`. An index out of range gives an unsupported
/// decision with rule "generic.bad_index".
SupportDecision DecideOp(const ir::Model& model, int op_index, const SupportOptions& options);
/// DecideOp for every operator, in execution order.
std::vector<SupportDecision> DecideAll(const ir::Model& model, const SupportOptions& options);

/// Whole-model check of compiler-behaviour.md §5.2/§7.1: a model with float (or other non-integer)
/// compute and no quantized operator (other than QUANTIZE/DEQUANTIZE boundaries and custom ops)
/// gives InvalidArgument with the exact message "Model not quantized". Float operators in a model
/// with a quantized body (float I/O, a float op between DEQUANTIZE and QUANTIZE, a float tail) are
/// not a reason: they stay on the CPU. A dynamic batch dimension is not a reason either: Google's
/// compiler 16 compiles such models (dense_256, dense_1024) as batch 1.
Status CheckModelQuantized(const ir::Model& model);
/// Why CheckModelQuantized fails, one line per finding (operator, tensor, type); empty when it passes.
std::vector<std::string> ExplainNotQuantized(const ir::Model& model);
/// Tensors with a dynamic size (shape_signature -1) in a dimension other than the batch
/// (dimension 0), one line each; the compiler refuses these (compiler-behaviour.md §7.1,
/// "static-sized tensors"). Empty when every size is static or only the batch is dynamic.
std::vector<std::string> ExplainDynamicShapes(const ir::Model& model);

/// Whole-model check of the embedded TFLite's op registry (≈ TF 2.5, [S]): the first operator code
/// whose builtin is unknown or whose version is newer gives InvalidArgument whose message is the
/// exact ERROR lines the real compiler prints, e.g.
///   "ERROR: Didn't find op for builtin opcode 'CONV_2D' version '6'. An older version of this builtin
///    might be supported. Are you using an old TFLite binary with a newer model?\n\nERROR: Registration failed."
/// (The caller then prints "Invalid model: <path>" and "Model could not be parsed".)
Status CheckOpVersions(const ir::Model& model);
/// Newest version of `builtin` the embedded TFLite (TF 2.5) registers (the operator table's
/// `tflite_version`); 0 when the builtin is unknown or not a registered builtin (CUSTOM).
int MaxTfl25Version(int builtin);
/// Largest builtin code the embedded TFLite knows (larger codes: "Op builtin_code out of range").
inline constexpr int kMaxTfl25Builtin = 139;

/// Smallest --min_runtime_version under which all `mapped_ops` still map: the largest of the
/// operators' minimum runtimes, 13 for dilated depthwise convolutions, 12 when an INT8 tensor
/// crosses the boundary of the mapped set, and at least 10. Indices out of range are ignored.
int MinRuntimeVersionFor(const ir::Model& model, const std::vector<int>& mapped_ops);

/// An operator of a mapped set that needs a newer runtime than options.min_runtime_version only
/// because of the set it is in (INT8 data crossing the set's boundary), with the decision that
/// keeps it on the CPU. The compiler removes these from the set until none is left, so that no
/// package needs a runtime above -m.
struct RuntimeGated {
  int op_index = 0;
  SupportDecision decision;
};
std::vector<RuntimeGated> RuntimeGatedOps(const ir::Model& model, const std::vector<int>& mapped_ops,
                                          const SupportOptions& options);

}  // namespace etpu::support
