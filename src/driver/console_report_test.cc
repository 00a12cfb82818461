// Goldens written by hand from the real compiler's transcripts (compiler-behaviour.md §3.2, §4).
#include "driver/console_report.h"

#include <gtest/gtest.h>

namespace etpu::driver {
namespace {

TEST(ConsoleReportTest, OpTableColumnsAre31And11Wide) {
  std::string table = RenderOpTable({{"QUANTIZE", 2, "Mapped to Edge TPU"}, {"DEPTHWISE_CONV_2D", 1, "Mapped to Edge TPU"}});
  EXPECT_EQ(table,
            "Operator                       Count      Status\n"
            "\n"
            "QUANTIZE                       2          Mapped to Edge TPU\n"
            "DEPTHWISE_CONV_2D              1          Mapped to Edge TPU\n");
}

TEST(ConsoleReportTest, LogFileLayout) {
  std::string log = RenderLogFile(16, "test/model/dummy.tflite", "test/model/compiled/dummy_edgetpu.tflite",
                                  {{"QUANTIZE", 2, "Mapped to Edge TPU"}});
  EXPECT_EQ(log,
            "Edge TPU Compiler version 16.0.0-etpu.1\n"
            "Input: test/model/dummy.tflite\n"
            "Output: test/model/compiled/dummy_edgetpu.tflite\n"
            "Note: this output runs on etpu's virtual Edge TPU, not on real Coral hardware; for a Coral device, "
            "compile the model with Google's edgetpu_compiler.\n"
            "\n"
            "Operator                       Count      Status\n"
            "\n"
            "QUANTIZE                       2          Mapped to Edge TPU\n");
}

ModelSummary FullyMapped() {
  ModelSummary s;
  s.input_model = "quantized_model.tflite";
  s.output_model = "quantized_model_edgetpu.tflite";
  s.log_path = "quantized_model_edgetpu.log";
  s.input_size = 4236247;       // 4.04MiB
  s.output_size = 4330619;      // 4.13MiB
  s.onchip_used = 619008;       // 604.50KiB
  s.onchip_remaining = 523776;  // 511.50KiB
  s.offchip_used = 3617587;     // 3.45MiB
  s.num_subgraphs = 1;
  s.total_ops = 50;
  s.tpu_ops = 50;
  s.rows = {{"CONV_2D", 50, "Mapped to Edge TPU"}};
  return s;
}

TEST(ConsoleReportTest, FullyMappedSummaryMatchesTheV16Transcript) {
  EXPECT_EQ(RenderSuccess({FullyMapped()}, 542, 180, false),
            "Started a compilation timeout timer of 180 seconds.\n"
            "\n"
            "Model compiled successfully in 542 ms.\n"
            "\n"
            "Input model: quantized_model.tflite\n"
            "Input size: 4.04MiB\n"
            "Output model: quantized_model_edgetpu.tflite\n"
            "Output size: 4.13MiB\n"
            "On-chip memory used for caching model parameters: 604.50KiB\n"
            "On-chip memory remaining for caching model parameters: 511.50KiB\n"
            "Off-chip memory used for streaming uncached model parameters: 3.45MiB\n"
            "Number of Edge TPU subgraphs: 1\n"
            "Total number of operations: 50\n"
            "Operation log: quantized_model_edgetpu.log\n"
            "See the operation log file for individual operation details.\n"
            "Compilation child process completed within timeout period.\n"
            "Compilation succeeded! \n");
}

TEST(ConsoleReportTest, PartialMappingWithShowOperations) {
  ModelSummary s = FullyMapped();
  s.total_ops = 191;
  s.tpu_ops = 1;
  s.rows = {{"CONV_2D", 1, "Mapped to Edge TPU"}, {"LEAKY_RELU", 190, "Operation not supported"}};
  std::string block = RenderModelBlock(s, true);
  EXPECT_NE(block.find("Operation log: quantized_model_edgetpu.log\n"
                       "\n"
                       "Model successfully compiled but not all operations are supported by the Edge TPU. A percentage of "
                       "the model will instead run on the CPU, which is slower. If possible, consider updating your model to "
                       "use only operations supported by the Edge TPU. For details, visit g.co/coral/model-reqs.\n"
                       "Number of operations that will run on Edge TPU: 1\n"
                       "Number of operations that will run on CPU: 190\n"
                       "\n"
                       "Operator                       Count      Status\n"
                       "\n"
                       "CONV_2D                        1          Mapped to Edge TPU\n"
                       "LEAKY_RELU                     190        Operation not supported\n"),
            std::string::npos)
      << block;
  EXPECT_EQ(block.find("See the operation log file"), std::string::npos);
}

TEST(ConsoleReportTest, CoCompilationUsesPluralHeaderAndBlankLineBetweenBlocks) {
  std::string out = RenderSuccess({FullyMapped(), FullyMapped()}, 10, 180, false);
  EXPECT_NE(out.find("\nModels compiled successfully in 10 ms.\n\nInput model:"), std::string::npos);
  EXPECT_NE(out.find("individual operation details.\n\nInput model:"), std::string::npos);
  EXPECT_NE(out.find("individual operation details.\nCompilation child process completed within timeout period.\n"),
            std::string::npos);
}

TEST(ConsoleReportTest, VersionLineEndsWithAVersionWord) {
  std::string line = VersionLine();
  EXPECT_EQ(line.rfind("Edge TPU Compiler version ", 0), 0u);
  EXPECT_EQ(line.substr(line.rfind(' ') + 1), kCompilerVersion);
}

}  // namespace
}  // namespace etpu::driver
