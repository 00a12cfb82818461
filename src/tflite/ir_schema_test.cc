// The IR's own enums and option structs against the generated schema: every value and name the
// schema lists is the IR's, and the IR lists no other (so a mismatch cannot pass silently);
// every options kind survives schema -> IR -> schema unchanged.
#include <gtest/gtest.h>

#include <string>

#include "tflite/ir_options.h"
#include "tflite/model_builder.h"
#include "tflite/model_reader.h"

namespace etpu::tflite {
namespace {

template <typename IrEnum, typename SchemaEnum, size_t N>
void ExpectSameEnum(const SchemaEnum (&schema_values)[N], const char* (*schema_name)(SchemaEnum),
                    std::span<const IrEnum> ir_values) {
  ASSERT_EQ(ir_values.size(), N);
  for (size_t i = 0; i < N; ++i) {
    const auto v = static_cast<int64_t>(schema_values[i]);
    SCOPED_TRACE(std::string(schema_name(schema_values[i])) + " = " + std::to_string(v));
    EXPECT_EQ(static_cast<int64_t>(ir_values[i]), v);
    EXPECT_STREQ(ir::EnumName(static_cast<IrEnum>(v)), schema_name(schema_values[i]));
  }
}

TEST(IrSchema, EnumsEqualTheSchemas) {
  ExpectSameEnum(tflite_fb::EnumValuesTensorType(), tflite_fb::EnumNameTensorType, ir::AllTensorTypes());
  ExpectSameEnum(tflite_fb::EnumValuesBuiltinOperator(), tflite_fb::EnumNameBuiltinOperator, ir::AllBuiltinOperators());
  ExpectSameEnum(tflite_fb::EnumValuesPadding(), tflite_fb::EnumNamePadding, ir::AllPaddings());
  ExpectSameEnum(tflite_fb::EnumValuesActivationFunctionType(), tflite_fb::EnumNameActivationFunctionType,
                 ir::AllActivationFunctionTypes());
  ExpectSameEnum(tflite_fb::EnumValuesFullyConnectedOptionsWeightsFormat(),
                 tflite_fb::EnumNameFullyConnectedOptionsWeightsFormat, ir::AllFullyConnectedOptionsWeightsFormats());
  ExpectSameEnum(tflite_fb::EnumValuesCustomOptionsFormat(), tflite_fb::EnumNameCustomOptionsFormat,
                 ir::AllCustomOptionsFormats());
  EXPECT_STREQ(ir::EnumName(static_cast<ir::BuiltinOperator>(kNewestKnownBuiltin + 1)), "");
  EXPECT_EQ(static_cast<int>(ir::AllBuiltinOperators().back()), kNewestKnownBuiltin);
}

// The bytes a schema options union packs to (what a file would hold).
std::vector<uint8_t> PackOptions(const tflite_fb::BuiltinOptionsUnion& u) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(u.Pack(fbb));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

TEST(IrSchema, EveryOptionsKindRoundTrips) {
  // Non-default values in every field, so a field the conversion forgets shows up.
  ir::Conv2DOptions conv;
  conv.padding = ir::Padding::VALID;
  conv.stride_w = 2;
  conv.stride_h = 3;
  conv.fused_activation_function = ir::ActivationFunctionType::RELU6;
  conv.dilation_w_factor = 4;
  conv.dilation_h_factor = 5;
  conv.quantized_bias_type = ir::TensorType::INT32;
  ir::FullyConnectedOptions fc;
  fc.fused_activation_function = ir::ActivationFunctionType::RELU;
  fc.weights_format = ir::FullyConnectedOptionsWeightsFormat::SHUFFLED4x16INT8;
  fc.keep_num_dims = true;
  fc.asymmetric_quantize_inputs = true;
  fc.quantized_bias_type = ir::TensorType::INT64;
  ir::StridedSliceOptions ss{1, 2, 3, 4, 5, true};
  ir::UnidirectionalSequenceLSTMOptions lstm{ir::ActivationFunctionType::TANH, 0.5f, 0.25f, true, true, true};
  ir::ReshapeOptions reshape{{1, -1, 4}};
  const std::vector<ir::BuiltinOptions> cases = {conv, fc, ss, lstm, reshape, ir::ArgMaxOptions{ir::TensorType::INT64},
                                                 ir::AddOptions{ir::ActivationFunctionType::RELU_N1_TO_1, false},
                                                 ir::LeakyReluOptions{0.2f}, ir::SqueezeOptions{{1, 2}}};
  for (const ir::BuiltinOptions& o : cases) {
    SCOPED_TRACE(o.index());
    const tflite_fb::BuiltinOptionsUnion u = ToSchemaOptions(o);
    ASSERT_NE(u.type, tflite_fb::BuiltinOptions::NONE);
    const ir::BuiltinOptions back = ToIrOptions(u);
    EXPECT_EQ(back.index(), o.index());
    EXPECT_EQ(PackOptions(ToSchemaOptions(back)), PackOptions(u));
  }
  // The schema's defaults are the IR's.
  tflite_fb::BuiltinOptionsUnion schema_default;
  schema_default.Set(tflite_fb::Conv2DOptionsT{});
  EXPECT_EQ(PackOptions(ToSchemaOptions(ir::Conv2DOptions{})), PackOptions(schema_default));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(ToIrOptions(tflite_fb::BuiltinOptionsUnion{})));
}

TEST(IrSchema, ReaderFillsTheIrOptions) {
  ModelBuilder b;
  int in = b.AddTensor("in", ir::TensorType::UINT8, {1, 8, 8, 4}, Quant(0.5f, 128));
  int w = b.AddTensor("w", ir::TensorType::UINT8, {4, 3, 3, 4}, Quant(0.5f, 128), std::vector<uint8_t>(144, 1));
  int out = b.AddTensor("out", ir::TensorType::UINT8, {1, 4, 4, 4}, Quant(0.5f, 128));
  int pooled = b.AddTensor("pooled", ir::TensorType::UINT8, {1, 4, 4, 4}, Quant(0.5f, 128));
  b.AddOperator(ir::BuiltinOperator::CONV_2D, {in, w, -1}, {out},
                ConvOptions(2, 2, ir::Padding::SAME, ir::ActivationFunctionType::RELU, 1, 1));
  b.AddOperator(ir::BuiltinOperator::MAX_POOL_2D, {out}, {pooled}, PoolOptions(1, 1, 1, 1, ir::Padding::VALID));
  b.SetInputs({in});
  b.SetOutputs({pooled});
  auto m = ReadModelFromBuffer(b.Serialize(), "options.tflite");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const auto* conv = m->ops[0].options<ir::Conv2DOptions>();
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->stride_h, 2);
  EXPECT_EQ(conv->fused_activation_function, ir::ActivationFunctionType::RELU);
  EXPECT_EQ(m->ops[0].options<ir::Pool2DOptions>(), nullptr);
  const auto* pool = m->ops[1].options<ir::Pool2DOptions>();
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->padding, ir::Padding::VALID);
  EXPECT_EQ(m->description, "etpu ModelBuilder");
  ASSERT_EQ(m->operator_codes.size(), 2u);
  EXPECT_EQ(m->operator_codes[1].builtin_code, static_cast<int32_t>(ir::BuiltinOperator::MAX_POOL_2D));
}

}  // namespace
}  // namespace etpu::tflite
