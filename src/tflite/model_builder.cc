#include "tflite/model_builder.h"

#include "tflite/flat_model.h"
#include "tflite/ir_options.h"
#include "tflite/model_reader.h"
#include "tflite/model_writer.h"

namespace etpu::tflite {

ir::Quantization Quant(float scale, int64_t zero_point) {
  ir::Quantization q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

ir::Quantization QuantPerChannel(std::vector<float> scales, int32_t dimension) {
  ir::Quantization q;
  q.zero_point.assign(scales.size(), 0);
  q.scale = std::move(scales);
  q.quantized_dimension = dimension;
  return q;
}

ModelBuilder::ModelBuilder() : model_(AdoptFlatModel(std::make_unique<tflite_fb::ModelT>())) {
  model_->version = 3;
  model_->description = "etpu ModelBuilder";
  model_->buffers.push_back(std::make_unique<tflite_fb::BufferT>());  // the empty sentinel
  model_->subgraphs.push_back(std::make_unique<tflite_fb::SubGraphT>());
  model_->subgraphs[0]->name = "main";
}

int ModelBuilder::AddTensor(const std::string& name, ir::TensorType type, std::vector<int32_t> shape,
                            const ir::Quantization& quant, std::vector<uint8_t> data, bool is_variable) {
  auto t = std::make_unique<tflite_fb::TensorT>();
  t->name = name;
  t->type = static_cast<tflite_fb::TensorType>(type);
  t->shape = std::move(shape);
  t->is_variable = is_variable;
  if (!quant.empty()) {
    t->quantization = std::make_unique<tflite_fb::QuantizationParametersT>();
    t->quantization->scale = quant.scale;
    t->quantization->zero_point = quant.zero_point;
    t->quantization->quantized_dimension = quant.quantized_dimension;
  }
  if (!data.empty()) {
    auto buf = std::make_unique<tflite_fb::BufferT>();
    buf->data = std::move(data);
    t->buffer = static_cast<uint32_t>(model_->buffers.size());
    model_->buffers.push_back(std::move(buf));
  }
  subgraph().tensors.push_back(std::move(t));
  return static_cast<int>(subgraph().tensors.size() - 1);
}

namespace {
uint32_t FindOrAddCode(tflite_fb::ModelT& m, ir::BuiltinOperator code, const std::string& custom, int version) {
  for (size_t i = 0; i < m.operator_codes.size(); ++i) {
    const auto& c = *m.operator_codes[i];
    if (EffectiveBuiltinCode(c) == static_cast<int32_t>(code) && c.custom_code == custom && c.version == version) {
      return static_cast<uint32_t>(i);
    }
  }
  auto c = std::make_unique<tflite_fb::OperatorCodeT>();
  c->builtin_code = static_cast<tflite_fb::BuiltinOperator>(code);
  c->deprecated_builtin_code = static_cast<int8_t>(std::min<int32_t>(static_cast<int32_t>(code), 127));
  c->custom_code = custom;
  c->version = version;
  m.operator_codes.push_back(std::move(c));
  return static_cast<uint32_t>(m.operator_codes.size() - 1);
}
}  // namespace

int ModelBuilder::AddOperator(ir::BuiltinOperator code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                              ir::BuiltinOptions options, int version) {
  auto op = std::make_unique<tflite_fb::OperatorT>();
  op->opcode_index = FindOrAddCode(*model_, code, "", version);
  op->inputs = std::move(inputs);
  op->outputs = std::move(outputs);
  op->builtin_options = ToSchemaOptions(options);
  subgraph().operators.push_back(std::move(op));
  return static_cast<int>(subgraph().operators.size() - 1);
}

int ModelBuilder::AddCustomOperator(const std::string& custom_code, std::vector<int32_t> inputs,
                                    std::vector<int32_t> outputs, std::vector<uint8_t> custom_options) {
  auto op = std::make_unique<tflite_fb::OperatorT>();
  op->opcode_index = FindOrAddCode(*model_, ir::BuiltinOperator::CUSTOM, custom_code, 1);
  op->inputs = std::move(inputs);
  op->outputs = std::move(outputs);
  op->custom_options = std::move(custom_options);
  subgraph().operators.push_back(std::move(op));
  return static_cast<int>(subgraph().operators.size() - 1);
}

void ModelBuilder::SetInputs(std::vector<int32_t> inputs) { subgraph().inputs = std::move(inputs); }
void ModelBuilder::SetOutputs(std::vector<int32_t> outputs) { subgraph().outputs = std::move(outputs); }
void ModelBuilder::SetDescription(const std::string& description) { model_->description = description; }

void ModelBuilder::AddMetadata(const std::string& name, std::vector<uint8_t> bytes) {
  auto buf = std::make_unique<tflite_fb::BufferT>();
  buf->data = std::move(bytes);
  auto md = std::make_unique<tflite_fb::MetadataT>();
  md->name = name;
  md->buffer = static_cast<uint32_t>(model_->buffers.size());
  model_->buffers.push_back(std::move(buf));
  model_->metadata.push_back(std::move(md));
}

void ModelBuilder::AddSignature(const std::string& key, const std::vector<std::string>& input_names,
                                const std::vector<std::string>& output_names) {
  auto sig = std::make_unique<tflite_fb::SignatureDefT>();
  sig->signature_key = key;
  const auto& sg = *model_->subgraphs[0];
  for (size_t i = 0; i < sg.inputs.size() && i < input_names.size(); ++i) {
    auto m = std::make_unique<tflite_fb::TensorMapT>();
    m->name = input_names[i];
    m->tensor_index = static_cast<uint32_t>(sg.inputs[i]);
    sig->inputs.push_back(std::move(m));
  }
  for (size_t i = 0; i < sg.outputs.size() && i < output_names.size(); ++i) {
    auto m = std::make_unique<tflite_fb::TensorMapT>();
    m->name = output_names[i];
    m->tensor_index = static_cast<uint32_t>(sg.outputs[i]);
    sig->outputs.push_back(std::move(m));
  }
  model_->signature_defs.push_back(std::move(sig));
}

tflite_fb::SubGraphT& ModelBuilder::subgraph() { return *model_->subgraphs[0]; }

void ModelBuilder::SetTensorShape(int tensor, std::vector<int32_t> shape) {
  subgraph().tensors.at(static_cast<size_t>(tensor))->shape = std::move(shape);
}
void ModelBuilder::SetShapeSignature(int tensor, std::vector<int32_t> shape_signature) {
  subgraph().tensors.at(static_cast<size_t>(tensor))->shape_signature = std::move(shape_signature);
}
void ModelBuilder::SetOperatorInputs(int op, std::vector<int32_t> inputs) {
  subgraph().operators.at(static_cast<size_t>(op))->inputs = std::move(inputs);
}
void ModelBuilder::SetIntermediates(int op, std::vector<int32_t> intermediates) {
  subgraph().operators.at(static_cast<size_t>(op))->intermediates = std::move(intermediates);
}
void ModelBuilder::SetRawBuiltinCode(int op, int32_t code) {
  const uint32_t index = subgraph().operators.at(static_cast<size_t>(op))->opcode_index;
  model_->operator_codes.at(index)->builtin_code = static_cast<tflite_fb::BuiltinOperator>(code);
}

ir::FlatModel ModelBuilder::Build() const { return CloneModel(*model_); }
std::vector<uint8_t> ModelBuilder::Serialize() const { return SerializeModel(*model_); }

ir::BuiltinOptions ConvOptions(int stride_h, int stride_w, ir::Padding padding, ir::ActivationFunctionType act,
                               int dilation_h, int dilation_w) {
  ir::Conv2DOptions o;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.padding = padding;
  o.fused_activation_function = act;
  o.dilation_h_factor = dilation_h;
  o.dilation_w_factor = dilation_w;
  return o;
}

ir::BuiltinOptions DepthwiseOptions(int stride_h, int stride_w, ir::Padding padding, int depth_multiplier,
                                    ir::ActivationFunctionType act, int dilation_h, int dilation_w) {
  ir::DepthwiseConv2DOptions o;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.padding = padding;
  o.depth_multiplier = depth_multiplier;
  o.fused_activation_function = act;
  o.dilation_h_factor = dilation_h;
  o.dilation_w_factor = dilation_w;
  return o;
}

ir::BuiltinOptions PoolOptions(int filter_h, int filter_w, int stride_h, int stride_w, ir::Padding padding,
                               ir::ActivationFunctionType act) {
  ir::Pool2DOptions o;
  o.filter_height = filter_h;
  o.filter_width = filter_w;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.padding = padding;
  o.fused_activation_function = act;
  return o;
}

ir::BuiltinOptions FullyConnectedOpts(ir::ActivationFunctionType act) {
  ir::FullyConnectedOptions o;
  o.fused_activation_function = act;
  return o;
}

ir::BuiltinOptions AddOpts(ir::ActivationFunctionType act) {
  ir::AddOptions o;
  o.fused_activation_function = act;
  return o;
}

ir::BuiltinOptions SoftmaxOpts(float beta) {
  ir::SoftmaxOptions o;
  o.beta = beta;
  return o;
}

ir::BuiltinOptions ReshapeOpts(std::vector<int32_t> new_shape) {
  ir::ReshapeOptions o;
  o.new_shape = std::move(new_shape);
  return o;
}

ir::BuiltinOptions ConcatOpts(int axis) {
  ir::ConcatenationOptions o;
  o.axis = axis;
  return o;
}

}  // namespace etpu::tflite
