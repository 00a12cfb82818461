"""etpu for Python: virtual Edge TPUs behind tflite_runtime and pycoral, and what they simulate.

    import etpu
    etpu.list_devices()             # the virtual Edge TPUs of ETPU_DEVICES (default: one usb3)
    etpu.last_invocation(interp)    # the last invoke(): cache events and simulated time
    etpu.device_state(interp)       # the device's caching token, SRAM use

The compatible APIs are tflite_runtime.interpreter and pycoral (docs/PYTHON.md).
"""
from etpu._devices import Device, find_device, list_devices, reset_devices, runtime_version
from etpu._models import load_model
from etpu._timing import device_state, last_invocation

__all__ = ["Device", "find_device", "list_devices", "reset_devices", "runtime_version", "load_model",
           "device_state", "last_invocation"]
