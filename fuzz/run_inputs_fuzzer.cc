// libFuzzer target: the files `etpu run` reads besides the model: --image (BMP, PNG, JPEG by their
// signature; then the channel conversion and the resize to a model's input, as `etpu run` does)
// and --labels (Coral's label-file forms). Every failure must be a Status, never a crash or a
// pixel-count bomb (kMaxImagePixels).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "runtime/image_io.h"
#include "runtime/image_prep.h"
#include "runtime/labels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  (void)etpu::runtime::ParseLabels(std::string_view(reinterpret_cast<const char*>(data), size));
  auto decoded = etpu::runtime::DecodeImage(bytes, "fuzz.img");
  if (!decoded.ok()) return 0;
  for (int channels : {1, 3}) {
    auto converted = etpu::runtime::ConvertChannels(decoded->image, channels);
    if (converted.ok()) (void)etpu::runtime::PrepareImage(converted->image, 24, 32, channels);
  }
  return 0;
}
