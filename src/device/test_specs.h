// Hand-made chip and host descriptions with round numbers, for hand-computed expected values.
#pragma once

#include "device/device_spec.h"

namespace etpu::device::testing {

/// 16 tiles, 4 x 64 conv channels, 64 x 4 depthwise, 4096 MAC/cycle, eta 0.5, 500 / 250 MHz.
inline DeviceSpec RoundSpec() {
  DeviceSpec s;
  s.name = "round";
  s.sram_bytes = 8 << 20;
  s.tiles = 16;
  s.narrow_memory_bytes_per_tile = 196608;
  s.macs_per_cycle = 4096;
  s.max_clock_hz = 500e6;
  s.std_clock_hz = 250e6;
  s.conv_input_channels_per_cycle = 4;
  s.conv_output_channels_per_cycle = 64;
  s.depthwise_channels_per_cycle = 64;
  s.depthwise_passes = 4;
  s.eta = 0.5;
  s.instruction_base_bytes = 60000;
  s.instruction_bytes_per_gmac = 110000;
  return s;
}

/// h2d 100 MB/s (0.01 ms per kB), d2h 50 MB/s (0.02 ms per kB), fixed 0.5 ms, hop 0.25 ms, CPU x2.
inline HostProfile RoundHost(LinkKind link = LinkKind::kUsb3) {
  HostProfile h;
  h.name = "round";
  h.link = link;
  h.h2d_bytes_per_s = 100e6;
  h.d2h_bytes_per_s = 50e6;
  h.fixed_ms = 0.5;
  h.pipeline_hop_ms = 0.25;
  h.cpu_time_factor = 2;
  return h;
}

}  // namespace etpu::device::testing
