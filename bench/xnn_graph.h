// A native baseline for the CPU benchmark: one uint8 TFLite model (read with etpu's own reader)
// translated operator by operator into XNNPACK's quantized (qu8/u8) operators of the Debian
// library (libxnnpack-dev 0.0~git20220216), created and set up once, run single-threaded.
//
// Translated: CONV_2D, DEPTHWISE_CONV_2D (groups), FULLY_CONNECTED, ADD, SUB, MUL,
// AVERAGE_POOL_2D (global when the window covers the input, no padding otherwise),
// MAX_POOL_2D, SOFTMAX, LOGISTIC, and RESHAPE / SQUEEZE (no kernel: the output aliases the input).
// Everything else, and every option or tensor type the translation does not cover (per-channel
// weights, int8, float, shuffled FC weights, ...), is refused with a clear Status: the bench
// never times a partial graph. XNNPACK requantises in float, so results differ from TFLite's
// integer kernels by a few quantisation steps; they are not meant to be bit-exact.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "etpu/status.h"
#include "ir/graph.h"

namespace etpu::bench {

class XnnGraph {
 public:
  /// Translates `model` (creating and setting up every XNNPACK operator), or says which operator
  /// or option it cannot translate. The model need not outlive the graph (XNNPACK packs weights).
  static Result<std::unique_ptr<XnnGraph>> Build(const ir::Model& model);
  ~XnnGraph();
  XnnGraph(const XnnGraph&) = delete;
  XnnGraph& operator=(const XnnGraph&) = delete;

  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  /// Copies the exact bytes of input i (the size must match).
  Status SetInput(int i, std::span<const uint8_t> bytes);
  /// Runs every operator once, in the model's order, on the calling thread.
  Status Run();
  /// Bytes of output i after Run (empty when i is out of range).
  std::span<const uint8_t> Output(int i) const;

 private:
  struct Slot {
    std::vector<uint8_t> bytes;  ///< Tensor bytes + XNN_EXTRA_BYTES (XNNPACK may read past the end).
    size_t size = 0;             ///< The tensor's own byte count.
  };
  struct OperatorDeleter {
    void operator()(void* op) const;
  };
  XnnGraph() = default;
  friend class XnnBuilder;

  std::vector<Slot> slots_;
  std::vector<int> inputs_;   ///< Slot of each graph input.
  std::vector<int> outputs_;  ///< Slot of each graph output.
  std::vector<std::unique_ptr<void, OperatorDeleter>> ops_;  ///< xnn_operator_t, in run order.
};

}  // namespace etpu::bench
