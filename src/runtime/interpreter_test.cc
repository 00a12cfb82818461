#include "runtime/interpreter.h"

#include <gtest/gtest.h>

#include "testutil/shared.h"
#include "tflite/model_reader.h"

namespace etpu::runtime {
namespace {

TEST(InterpreterTest, LoadsEverySharedCpuModel) {
  ETPU_SHARED_FILE_OR_SKIP(dir, "testdata/models");
  for (const char* name : {"mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant", "mobilenet_v1_0.75_192_quant",
                           "mobilenet_v2_1.0_224_quant", "deeplabv3_mnv2_dm05_pascal_quant", "split_concat",
                           "keras_lstm_mnist_ptq"}) {
    auto model = tflite::ReadModel(dir + "/" + name + ".tflite");
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto interp = Interpreter::Create(std::make_shared<ir::Model>(std::move(model).value()));
    EXPECT_TRUE(interp.ok()) << name << ": " << interp.status().ToString();
    if (!interp.ok()) continue;
    EXPECT_TRUE((*interp)->Invoke().ok());
  }
}

}  // namespace
}  // namespace etpu::runtime
