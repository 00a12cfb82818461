"""pycoral.utils.edgetpu: Edge TPU interpreters on etpu's virtual Edge TPUs."""
import platform

import numpy as np

import etpu
from tflite_runtime import interpreter as tflite

EDGETPU_SHARED_LIB = {
    "Linux": "libedgetpu.so.1",
    "Darwin": "libedgetpu.1.dylib",
    "Windows": "edgetpu.dll",
}.get(platform.system(), "libedgetpu.so.1")


def load_edgetpu_delegate(options=None):
    """The Edge TPU delegate; options as libedgetpu's, e.g. {'device': 'usb:0'}."""
    return tflite.load_delegate(EDGETPU_SHARED_LIB, options or {})


def make_interpreter(model_path_or_content, device=None, delegate=None):
    """An Interpreter with the Edge TPU delegate for a model path (str or path-like) or content
    (bytes). `device`: ":N", "usb", "usb:N", "pci", "pci:N"; `delegate` overrides it."""
    if delegate is None:
        delegate = load_edgetpu_delegate({"device": device} if device else None)
    if isinstance(model_path_or_content, (bytes, bytearray, memoryview)):
        return tflite.Interpreter(model_content=bytes(model_path_or_content), experimental_delegates=[delegate])
    return tflite.Interpreter(model_path=model_path_or_content, experimental_delegates=[delegate])


def run_inference(interpreter, input_data):
    """Copies `input_data` (bytes, or a numpy array of the input's size) into input 0 and invokes."""
    details = interpreter.get_input_details()[0]
    target = interpreter.tensor(details["index"])()
    if isinstance(input_data, (bytes, bytearray, memoryview)):
        data = np.frombuffer(input_data, dtype=np.uint8)
        if data.size != target.nbytes:
            raise ValueError(f"input data has {data.size} bytes; input 0 needs {target.nbytes}")
        target.reshape(-1).view(np.uint8)[:] = data
    elif isinstance(input_data, np.ndarray):
        if input_data.size != target.size:
            raise ValueError(f"input data has {input_data.size} elements; input 0 needs {target.size}")
        target.reshape(-1)[:] = input_data.reshape(-1).astype(target.dtype, copy=False)
    else:
        raise TypeError("input data type is not supported.")
    interpreter.invoke()


def list_edge_tpus():
    """The virtual Edge TPUs (ETPU_DEVICES): [{'type': 'usb'|'pci', 'path': ...}, ...]."""
    return [{"type": d.type, "path": d.path} for d in etpu.list_devices()]


def get_runtime_version():
    """libedgetpu's version string; the runtime version is ETPU_RUNTIME_VERSION's (default 14)."""
    return (f"BuildLabel(COMPILER=etpu,DATE=redacted,TIME=redacted,CL_NUMBER=0), "
            f"RuntimeVersion({etpu.runtime_version()})")


def set_verbosity(verbosity):
    """Accepted for compatibility (etpu's runtime does not log); returns True."""
    int(verbosity)
    return True
