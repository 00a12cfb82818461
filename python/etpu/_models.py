"""Reads a model for a virtual Edge TPU.

A model compiled by Google's compiler (chip 'beagle') holds real Edge TPU instructions, which the
virtual Edge TPU cannot run. When its source sits beside it as Coral publishes them (X.tflite next
to X_edgetpu.tflite, or next to the pipeline segments X_segment_K_of_N_edgetpu.tflite), the source
is compiled in memory with etpu's compiler (with N segments for a segment) and that runs instead
(one notice on stderr); otherwise the error says what to do.
"""
import os
import re
import sys

from etpu import _native

_SUFFIX = "_edgetpu.tflite"
_SEGMENT = re.compile(r"^(?P<stem>.+)_segment_(?P<k>\d+)_of_(?P<n>\d+)_edgetpu\.tflite$")
_compiled = {}  # (source path, size, mtime, segments) -> our compiled models' bytes, for this process


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


def _source_of(name):
    """(source path, segment index, number of segments) that Coral publishes beside a compiled
    file: X.tflite for X_edgetpu.tflite (segment 0 of 1) and for X_segment_K_of_N_edgetpu.tflite;
    None when `name` is not named like either."""
    m = _SEGMENT.match(name)
    if m and 0 <= int(m["k"]) < int(m["n"]):
        return m["stem"] + ".tflite", int(m["k"]), int(m["n"])
    if name.endswith(_SUFFIX):
        return name[: -len(_SUFFIX)] + ".tflite", 0, 1
    return None


def _compile_source(name, source, segment, segments):
    stat = os.stat(source)
    key = (os.path.abspath(source), stat.st_size, stat.st_mtime_ns, segments)
    if key not in _compiled:
        with open(source, "rb") as f:
            data = f.read()
        _compiled[key] = _native.compile([(data, source)], segments)
    if len(_compiled[key]) != segments:
        raise ValueError(f"{name}: etpu's compiler made {len(_compiled[key])} segments of {source}, "
                         f"not {segments}: compile it with etpu's edgetpu_compiler --num_segments {segments}")
    what = f"{source} compiled by etpu's compiler" + (
        f" (segment {segment} of {segments})" if segments > 1 else "")
    print(f"etpu: {name} was compiled by Google's compiler for a real Edge TPU; running {what} instead",
          file=sys.stderr)
    return _compiled[key][segment]


def runnable_bytes(data, name):
    """The bytes to run: `data`, or our compilation of its source for a Google-compiled model."""
    if not _native.is_compiled_for_real_edgetpu(data):
        return data
    source = _source_of(name)
    if source is not None and os.path.isfile(source[0]):
        return _compile_source(name, *source)
    where = (f"its source model {source[0]} is not beside it" if source is not None
             else "no source model can be found for it")
    raise ValueError(
        f"{name}: compiled by Google's Edge TPU compiler for a real Edge TPU (chip 'beagle'), whose "
        f"instructions etpu's virtual Edge TPUs cannot run, and {where}. Compile the CPU model with "
        f"etpu's edgetpu_compiler (edgetpu_compiler X.tflite) and load X_edgetpu.tflite, or put X.tflite "
        f"next to X_edgetpu.tflite.")


def load_model(model_path=None, model_content=None, device=None, num_threads=None, preserve_all_tensors=False):
    """A native model bound to `device` (an etpu.Device; the first device when None), its CPU
    operators on `num_threads` threads (None or -1: one; the outputs are the same bytes for any
    count). Intermediate tensors share one arena unless `preserve_all_tensors` (TFLite's
    experimental_preserve_all_tensors) keeps each readable after invoke()."""
    from etpu._devices import list_devices
    data, name = read_model(model_path, model_content)
    data = runnable_bytes(data, name)
    device = device if device is not None else list_devices()[0]
    try:
        with device.lock:
            threads = num_threads if num_threads is not None and num_threads > 0 else 1
            return device.runtime.load_model(data, name, threads, bool(preserve_all_tensors))
    except _native.Error as e:
        raise ValueError(str(e)) from None
