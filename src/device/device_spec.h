// Device descriptions: the Edge TPU chip and the host / link profiles it is attached through.
//
// These are plain data. The values come from devices/devices.json (or the copy of it compiled
// into the library, see device_catalog.h); every number carries its provenance there, which is
// kept here in `sources` so that tools can print where a figure comes from.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "etpu/status.h"

namespace etpu::device {

/// How a number in the data file was obtained.
enum class Basis {
  kPublished,  ///< A documented figure (datasheet, libedgetpu source, coral.ai).
  kDerived,    ///< Computed from published figures.
  kFitted,     ///< Fitted to published latencies (docs/TIMING_MODEL.md says to which).
  kAssumed,    ///< No public anchor: a placeholder to re-measure.
};

/// "published", "derived", "fitted", "assumed".
const char* BasisName(Basis basis);

/// Where one constant comes from.
struct ConstantSource {
  Basis basis = Basis::kAssumed;
  std::string source;  ///< Free text: document, repository path, issue, fit.
};

/// The clock the runtime programs. libedgetpu1-max uses kMax; libedgetpu1-std uses kStd, which
/// throttles USB devices only (PCIe devices always run at the maximum clock).
enum class Clock { kMax, kStd };

/// "max" or "std".
const char* ClockName(Clock clock);

/// Parses "max" or "std" (as on a command line); InvalidArgument otherwise.
Result<Clock> ParseClock(std::string_view text);

/// The physical link between host and Edge TPU.
enum class LinkKind { kUsb3, kUsb2, kPcie };

/// "usb3", "usb2", "pcie".
const char* LinkKindName(LinkKind kind);

/// True for links that pass through a USB controller (and can therefore share a hub).
inline bool IsUsb(LinkKind kind) { return kind == LinkKind::kUsb3 || kind == LinkKind::kUsb2; }

/// One Edge TPU chip: memories, compute array, clocks, and the constants of the structural
/// cycle model and of the size estimates (see docs/TIMING_MODEL.md).
struct DeviceSpec {
  std::string name;
  std::string description;

  int64_t sram_bytes = 0;                    ///< On-chip (wide) SRAM, 8 MiB.
  int64_t tiles = 0;                         ///< Compute tiles (4 x 4).
  int64_t narrow_memory_bytes_per_tile = 0;  ///< Activation memory per tile, 192 KiB.
  // How the compiler divides the SRAM (the capacity model, cache/capacity_model.h).
  int64_t executable_reserve_bytes = 0;      ///< The executable's working set in the SRAM.
  int64_t activation_staging_bytes = 0;      ///< Most overflow of banded layers staged in the SRAM.
  int64_t tile_alignment_bytes = 0;          ///< A tensor's per-tile share rounds up to this.
  int64_t macs_per_cycle = 0;                ///< Peak MAC/cycle of the whole array.
  double max_clock_hz = 0;                   ///< libedgetpu1-max clock, 500 MHz.
  double std_clock_hz = 0;                   ///< libedgetpu1-std clock on USB, 250 MHz.

  // Structural cycle model (timing_model.h).
  int64_t conv_input_channels_per_cycle = 0;   ///< 4 per tile.
  int64_t conv_output_channels_per_cycle = 0;  ///< 64 per tile.
  int64_t depthwise_channels_per_cycle = 0;    ///< 64 per tile.
  int64_t depthwise_passes = 0;                ///< 4 cycles per 64 channels per tap.
  double eta = 0;                              ///< Fitted utilisation (0 < eta <= 1).

  // Size estimates used when no compiled executable is at hand (estimates.h).
  double instruction_base_bytes = 0;
  double instruction_bytes_per_gmac = 0;

  /// Provenance of every constant above, keyed by its data-file name ("eta", "tiles", ...).
  std::map<std::string, ConstantSource> sources;
};

/// A host + link combination: effective bandwidths, per-invocation fixed cost.
struct HostProfile {
  std::string name;         ///< "usb3", "pcie", "rpi4-usb3", ...
  std::string description;
  LinkKind link = LinkKind::kUsb3;
  Clock default_clock = Clock::kMax;  ///< The runtime build usually used on this host.

  double h2d_bytes_per_s = 0;  ///< Effective host -> device bandwidth.
  double d2h_bytes_per_s = 0;  ///< Effective device -> host bandwidth.
  double fixed_ms = 0;         ///< Fixed cost of one invoke (driver, USB round trips).
  double pipeline_hop_ms = 0;  ///< Host hand-off between two pipeline segments.
  /// How many times longer this host's CPU takes for the operators left on the CPU than the
  /// machine etpu runs on (which is taken to be as fast as Coral's benchmark desktop): a CPU
  /// time measured here times this factor is the host's (HostCpuMs in timing_model.h).
  double cpu_time_factor = 1;
  int devices_sharing_link = 1;  ///< > 1 after ShareLink: the bandwidths are per device.

  /// Provenance of every constant, keyed by its data-file name.
  std::map<std::string, ConstantSource> sources;
};

/// The clock frequency actually used: PCIe devices ignore kStd (never throttled).
double EffectiveClockHz(const DeviceSpec& spec, const HostProfile& host, Clock clock);

/// The per-device profile of `devices` Edge TPUs behind one USB hub (or one USB controller):
/// they share its bandwidth, so each gets 1/devices of it when all transfer at once. PCIe
/// devices have a link each and are returned unchanged (except the count). devices >= 1.
Result<HostProfile> ShareLink(const HostProfile& host, int devices);

/// The chips and host profiles of one data file.
struct DeviceCatalog {
  std::vector<DeviceSpec> chips;
  std::vector<HostProfile> hosts;

  /// nullptr when absent.
  const DeviceSpec* FindChip(const std::string& name) const;
  const HostProfile* FindHost(const std::string& name) const;
  /// Like FindChip/FindHost but a NotFound Status listing the known names.
  Result<DeviceSpec> Chip(const std::string& name) const;
  Result<HostProfile> Host(const std::string& name) const;
  /// The default chip: the first one in the file.
  const DeviceSpec& DefaultChip() const { return chips.front(); }
};

}  // namespace etpu::device
