// A corpus of malformed models, made from well-formed ones (issue 18, "hostile input"): each case
// is the bytes of one .tflite that a tool must refuse with a clear error, or, for blind byte
// mutations that may happen to leave a valid file, read without crashing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace etpu::testing {

/// What a case breaks, and so which tools must refuse it.
enum class Breaks {
  kUnknown,               ///< A blind byte mutation: the file may still be valid; only survived.
  kStructure,             ///< Sizes, indices, the graph: every tool that reads the model refuses it.
  kOperator,              ///< What an operator needs of its tensors: the tools that compile or run it.
  kEdgeTpuCustomOptions,  ///< The Edge TPU package: the tools that read packages or run them.
  kCpuCustomOptions,      ///< A CPU custom operator's options: the runtime.
};

struct MalformedCase {
  std::string name;   ///< Unique, usable as a file name stem.
  std::string kind;   ///< truncation, offset, dimensions, type, cycle, dangling, custom_options, package.
  Breaks breaks = Breaks::kUnknown;
  std::vector<uint8_t> bytes;
};

/// A small well-formed uint8 model: input -> CONV_2D 3x3 -> RELU -> output (source, not compiled).
std::vector<uint8_t> SeedModel();

/// Cases built to be invalid (breaks != kUnknown): tensors of absurd or negative size, wrong tensor types,
/// an operator reading its own output and two reading each other's, indices past the end (tensor,
/// buffer, operator code, subgraph input/output), hostile custom options (garbage, truncated,
/// huge declared sizes).
std::vector<MalformedCase> SemanticCases();

/// Blind byte mutations of the flatbuffer at bytes [begin, end) of `file` (the whole file, or the
/// DWN1 package inside a compiled model's custom options): the places its 32-bit offsets point to
/// (the starts of tables, vectors and strings; at most `limit`, spread evenly) become cut points,
/// where the file is truncated (whole file) or the rest of the flatbuffer zeroed (a package inside
/// a file), and such offsets are pointed past the flatbuffer's end. Cases are named
/// `prefix`_<kind>_<offset>.
std::vector<MalformedCase> ByteCases(const std::vector<uint8_t>& file, size_t begin, size_t end,
                                     const std::string& prefix, size_t limit);

/// Where the DWN1 package of a compiled model lies in the file: [begin, end), or {0, 0}.
std::pair<size_t, size_t> FindPackage(const std::vector<uint8_t>& compiled);

}  // namespace etpu::testing
