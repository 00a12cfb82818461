// An etpu library user: builds a zoo model in memory, compiles it with etpu::Compile, runs it on
// a virtual Edge TPU, inspects it and times it, then prints the caching token as hex. Exits 1
// when any step fails or two of them disagree (the token, the parameter bytes).
#include <cstdio>
#include <span>
#include <vector>

#include <etpu/compiler.h>
#include <etpu/inspect.h>
#include <etpu/runtime.h>
#include <etpu/timing.h>
#include <etpu/zoo.h>

namespace {

int Fail(const char* step, const etpu::Status& s) {
  std::fprintf(stderr, "%s: %s\n", step, s.ToString().c_str());
  return 1;
}

}  // namespace

int main() {
  const std::string name = "mobilenet_v1_0.25_128";
  auto source = etpu::GenerateZooModel(name);
  if (!source.ok()) return Fail("zoo", source.status());

  const etpu::ModelInput input = etpu::ModelInput::FromBytes(*source, name + ".tflite");
  auto compiled = etpu::Compile(std::span<const etpu::ModelInput>(&input, 1), etpu::CompileOptions{});
  if (!compiled.ok()) return Fail("compile", compiled.status());
  if (!compiled->ok || compiled->models.size() != 1) {
    std::fprintf(stderr, "compile: %s\n", compiled->failure ? compiled->failure->message.c_str() : "no model");
    return 1;
  }
  const etpu::ModelResult& m = compiled->models.front();

  auto runtime = etpu::Runtime::Create();
  if (!runtime.ok()) return Fail("runtime", runtime.status());
  auto loaded = (*runtime)->LoadModelFromBuffer(m.model, name + "_edgetpu.tflite");
  if (!loaded.ok()) return Fail("load", loaded.status());
  std::vector<uint8_t> zeros(static_cast<size_t>(loaded->input(0).bytes), 0);
  if (auto s = loaded->SetInput(0, zeros); !s.ok()) return Fail("input", s);
  if (auto s = loaded->Invoke(); !s.ok()) return Fail("invoke", s);
  if (loaded->last_events().empty() || loaded->GetOutput(0).empty()) {
    std::fprintf(stderr, "invoke: no Edge TPU event or no output\n");
    return 1;
  }

  auto info = etpu::InspectModel(m.model, name + "_edgetpu.tflite");
  if (!info.ok()) return Fail("inspect", info.status());
  auto timing = etpu::EstimateModelTiming(m.model, name + "_edgetpu.tflite");
  if (!timing.ok()) return Fail("timing", timing.status());

  const uint64_t token = m.caching_token;
  if (info->token != token || loaded->last_events().front().token != token ||
      info->on_chip_bytes != m.onchip_bytes || timing->first_ms <= 0) {
    std::fprintf(stderr, "the compiler, runtime, inspection and timing disagree\n");
    return 1;
  }
  std::printf("%s: token %s, %lld bytes on chip, %zu layers, first %.3f ms, later %.3f ms (%s)\n", name.c_str(),
              etpu::FormatToken(token).c_str(), static_cast<long long>(info->on_chip_bytes),
              info->edgetpu_ops.front().layers.size(), timing->first_ms, timing->later_ms, timing->host.c_str());
  return 0;
}
