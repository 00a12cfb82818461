// Output file names as the real compiler makes them (compiler-behaviour.md §3.1):
//   <out_dir>/<stem>_edgetpu.tflite and .log; segments <stem>_segment_<i>_of_<N>_edgetpu.tflite.
// Printed paths: with the default out_dir only the bare name; otherwise out_dir (trailing
// slashes normalised) + "/" + name.
#pragma once

#include <string>

namespace etpu::driver {

/// "path/to/foo.tflite" -> "foo"; a name without ".tflite" keeps its whole base name.
std::string ModelStem(const std::string& input_path);
/// Joins the out_dir and a file name as the compiler prints it.
std::string OutputPath(const std::string& out_dir, const std::string& file_name);
/// "<stem>_segment_<i>_of_<n>"
std::string SegmentStem(const std::string& stem, int index, int count);

}  // namespace etpu::driver
