"""The virtual Edge TPUs of this process, chosen by the environment.

ETPU_DEVICES: comma-separated host profiles of the device catalog (usb3, usb2, pcie, rpi4-usb3,
...), one virtual Edge TPU each; default "usb3". A profile whose name holds "pcie" is a PCIe
device, any other a USB one. ETPU_RUNTIME_VERSION: the runtime version they report (default 14).
Each device keeps its SRAM and caching token for the life of the process, across interpreters.
"""
import os
import re
import threading

from etpu import _native

_devices = None


class Device:
    """One virtual Edge TPU: its type ('usb' or 'pci'), a path, and its native runtime."""

    def __init__(self, index, kind_index, host, version):
        self.index = index
        self.host = host
        self.type = "pci" if "pcie" in host else "usb"
        self.kind_index = kind_index
        self.path = (f"/dev/apex_{kind_index}" if self.type == "pci"
                     else f"/sys/bus/usb/devices/etpu-{kind_index}")
        self.runtime = _native.Runtime(host=host, runtime_version=version)
        # One device runs one invocation at a time (its SRAM and token are shared state); the
        # native invoke releases the GIL, so invocations on different devices run in parallel.
        self.lock = threading.Lock()

    def __repr__(self):
        return f"Device({self.type}:{self.kind_index}, host={self.host!r}, path={self.path!r})"


def runtime_version():
    """ETPU_RUNTIME_VERSION, or the runtime's default."""
    text = os.environ.get("ETPU_RUNTIME_VERSION", "").strip()
    if not text:
        return _native.DEFAULT_RUNTIME_VERSION
    if not text.isdigit():
        raise ValueError(f"ETPU_RUNTIME_VERSION={text!r}: expected a whole number such as 14")
    return int(text)


def _create():
    hosts = [h.strip() for h in os.environ.get("ETPU_DEVICES", "usb3").split(",") if h.strip()]
    if not hosts:
        raise ValueError("ETPU_DEVICES names no device: give host profiles such as usb3,usb3,pcie")
    version = runtime_version()
    devices, counts = [], {}
    for i, host in enumerate(hosts):
        kind = "pci" if "pcie" in host else "usb"
        try:
            devices.append(Device(i, counts.get(kind, 0), host, version))
        except _native.Error as e:
            raise ValueError(f"ETPU_DEVICES entry {host!r}: {e}") from None
        counts[kind] = counts.get(kind, 0) + 1
    return devices


def list_devices():
    """Every virtual Edge TPU, created on first use from the environment."""
    global _devices
    if _devices is None:
        _devices = _create()
    return list(_devices)


def reset_devices():
    """Forgets the devices (their SRAM and tokens); the next use reads the environment again."""
    global _devices
    _devices = None


_SPEC = re.compile(r"^(usb|pci)?(?::(\d+))?$")


def find_device(spec=""):
    """The device libedgetpu's 'device' option names: "" (the first), ":N" (the Nth of any
    type), "usb", "usb:N", "pci", "pci:N", or a device path; None when none matches."""
    devices = list_devices()
    spec = "" if spec is None else str(spec)
    for d in devices:
        if spec == d.path:
            return d
    m = _SPEC.match(spec)
    if m is None or (spec.startswith(":") and m.group(2) is None):
        return None
    kind, n = m.group(1), int(m.group(2) or 0)
    matching = [d for d in devices if kind is None or d.type == kind]
    return matching[n] if n < len(matching) else None
