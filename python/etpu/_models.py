"""Reads a model for a virtual Edge TPU.

A model compiled by Google's compiler (chip 'beagle') holds real Edge TPU instructions, which the
virtual Edge TPU cannot run. When its source sits beside it as Coral publishes them (X.tflite next
to X_edgetpu.tflite), the source is compiled in memory with etpu's compiler and that runs instead
(one notice on stderr); otherwise the error says what to do.
"""
import os
import sys

from etpu import _native

_SUFFIX = "_edgetpu.tflite"
_compiled = {}  # (source path, size, mtime) -> our compiled bytes, for this process


def read_model(model_path=None, model_content=None):
    """(bytes, name) of the model given as a path or as bytes (TFLite's errors)."""
    if model_path is not None and model_content is not None:
        raise ValueError("`model_path` and `model_content` are mutually exclusive: give one")
    if model_path is not None:
        path = os.fspath(model_path)
        try:
            with open(path, "rb") as f:
                return f.read(), path
        except OSError:
            raise ValueError(f"Could not open '{path}'.") from None
    if model_content is not None:
        return bytes(model_content), "<model_content>"
    raise ValueError("Can't both be none: give `model_path` or `model_content`")


def _compile_source(name):
    source = name[: -len(_SUFFIX)] + ".tflite"
    stat = os.stat(source)
    key = (os.path.abspath(source), stat.st_size, stat.st_mtime_ns)
    if key not in _compiled:
        with open(source, "rb") as f:
            data = f.read()
        _compiled[key] = _native.compile([(data, source)])[0]
    print(f"etpu: {name} was compiled by Google's compiler for a real Edge TPU; running {source} "
          f"compiled by etpu's compiler instead", file=sys.stderr)
    return _compiled[key]


def runnable_bytes(data, name):
    """The bytes to run: `data`, or our compilation of its source for a Google-compiled model."""
    if not _native.is_compiled_for_real_edgetpu(data):
        return data
    if name.endswith(_SUFFIX) and os.path.isfile(name[: -len(_SUFFIX)] + ".tflite"):
        return _compile_source(name)
    where = (f"its source model {name[: -len(_SUFFIX)]}.tflite is not beside it"
             if name.endswith(_SUFFIX) else "no source model can be found for it")
    raise ValueError(
        f"{name}: compiled by Google's Edge TPU compiler for a real Edge TPU (chip 'beagle'), whose "
        f"instructions etpu's virtual Edge TPUs cannot run, and {where}. Compile the CPU model with "
        f"etpu's edgetpu_compiler (edgetpu_compiler X.tflite) and load X_edgetpu.tflite, or put X.tflite "
        f"next to X_edgetpu.tflite.")


def load_model(model_path=None, model_content=None, device=None):
    """A native model bound to `device` (an etpu.Device; the first device when None)."""
    from etpu._devices import list_devices
    data, name = read_model(model_path, model_content)
    data = runnable_bytes(data, name)
    device = device if device is not None else list_devices()[0]
    try:
        return device.runtime.load_model(data, name)
    except _native.Error as e:
        raise ValueError(str(e)) from None
