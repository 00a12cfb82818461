"""tflite_runtime.interpreter on etpu: the Interpreter and load_delegate of TFLite's Python API.

Models run on etpu's C++ runtime (TFLite reference kernels, bit-exact); edgetpu-custom-ops run on
the virtual Edge TPU the Edge TPU delegate names (etpu._devices). Tensors are numpy views of the
runtime's buffers where TFLite gives views (tensor()).
"""
import os

import numpy as np

import etpu
from etpu import _native
from tflite_runtime import _types

# The Edge TPU runtime's library names on Linux, macOS and Windows.
EDGETPU_LIBRARIES = ("libedgetpu.so.1", "libedgetpu.so.1.0", "libedgetpu.1.dylib", "edgetpu.dll")


class Delegate:
    """An Edge TPU delegate bound to one virtual Edge TPU (load_delegate makes them)."""

    def __init__(self, library, options, device):
        self._library = library
        self._options = dict(options)
        self._device = device

    def _get_native_delegate_pointer(self):
        return id(self)

    def __repr__(self):
        return f"Delegate({self._library!r}, {self._device!r})"


def load_delegate(library, options=None):
    """The Edge TPU delegate on the virtual Edge TPU that options['device'] names
    ("", ":N", "usb", "usb:N", "pci", "pci:N" or a device path)."""
    options = dict(options or {})
    name = os.path.basename(os.fspath(library))
    if name not in EDGETPU_LIBRARIES:
        raise ValueError(f"Failed to load delegate from {library}\n"
                         f"etpu provides only the Edge TPU delegate ({', '.join(EDGETPU_LIBRARIES)})")
    spec = str(options.get("device", ""))
    device = etpu.find_device(spec)
    if device is None:
        have = ", ".join(f"{d.type}:{d.kind_index}" for d in etpu.list_devices())
        raise ValueError(f"Failed to load delegate from {library}\n"
                         f"no virtual Edge TPU matches device '{spec}' (have: {have}; set ETPU_DEVICES)")
    return Delegate(library, options, device)


def _details(info):
    scales = np.array(info["scales"], dtype=np.float32)
    zero_points = np.array(info["zero_points"], dtype=np.int32)
    quantization = (float(scales[0]), int(zero_points[0])) if len(scales) else (0.0, 0)
    return {
        "name": info["name"],
        "index": info["index"],
        "shape": np.array(info["shape"], dtype=np.int32),
        "shape_signature": np.array(info["shape_signature"], dtype=np.int32),
        "dtype": _types.DTYPES.get(info["type"], np.uint8),
        "quantization": quantization,
        "quantization_parameters": {
            "scales": scales,
            "zero_points": zero_points,
            "quantized_dimension": info["quantized_dimension"],
        },
        "sparsity_parameters": {},
    }


class Interpreter:
    """TFLite's Python interpreter on etpu's runtime."""

    def __init__(self, model_path=None, model_content=None, experimental_delegates=None, num_threads=None,
                 experimental_op_resolver_type=None, experimental_preserve_all_tensors=False):
        if num_threads is not None:
            if not isinstance(num_threads, int):
                raise ValueError("type of num_threads should be int")
            if num_threads < 1 and num_threads != -1:
                raise ValueError("num_threads should >= 1 or just -1 to let TFLite runtime set the value.")
        self._num_threads = num_threads  # the CPU kernels' threads (None or -1: one)
        self._delegates = list(experimental_delegates or [])
        device = next((d._device for d in self._delegates if isinstance(d, Delegate)), None)
        self._etpu_device = device if device is not None else etpu.list_devices()[0]
        self._etpu_model = etpu.load_model(model_path, model_content, self._etpu_device, num_threads,
                                           experimental_preserve_all_tensors)
        self._allocated = False
        self._pending = {}  # Input position -> shape given to resize_tensor_input, until allocate_tensors.

    # -- Life cycle ------------------------------------------------------------------------------

    def allocate_tensors(self):
        """Applies pending resizes (shapes propagate through the CPU operators; every tensor gets
        fresh storage). On failure the resizes are dropped and, as in TFLite, invoke() waits for
        another allocate_tensors() (which runs the model at its previous shapes)."""
        if self._pending:
            m = self._etpu_model
            shapes = [self._pending.get(i, m.tensor_info(m.input_tensor_index(i))["shape"]) for i in range(m.num_inputs)]
            self._pending = {}
            try:
                with self._etpu_device.lock:
                    m.resize_inputs(shapes)
            except _native.Error as e:
                raise RuntimeError(str(e)) from None
        self._allocated = True

    def invoke(self):
        if not self._allocated:
            raise RuntimeError("Invoke called on model that is not ready.")
        try:
            with self._etpu_device.lock:
                self._etpu_model.invoke()
        except _native.Error as e:
            raise RuntimeError(str(e)) from None

    def reset_all_variables(self):
        self._etpu_model.reset_state()

    def _native_handle(self):
        return id(self._etpu_model)

    # -- Tensor descriptions ---------------------------------------------------------------------

    def _info(self, tensor_index):
        m = self._etpu_model
        if not isinstance(tensor_index, (int, np.integer)) or not 0 <= tensor_index < m.num_tensors:
            raise ValueError(f"Invalid tensor index {tensor_index} exceeds max tensor index {m.num_tensors - 1}")
        info = m.tensor_info(int(tensor_index))
        position = self._input_position(tensor_index)
        if position in self._pending:  # TFLite reports a resized input's shape before allocate_tensors.
            info = dict(info, shape=self._pending[position])
        return info

    def _input_position(self, tensor_index):
        m = self._etpu_model
        return next((i for i in range(m.num_inputs) if m.input_tensor_index(i) == tensor_index), None)

    def _get_tensor_details(self, tensor_index, subgraph_index=0):
        if subgraph_index != 0:
            raise ValueError(f"Invalid subgraph index {subgraph_index}: etpu runs the main subgraph only")
        return _details(self._info(tensor_index))

    def get_tensor_details(self):
        return [_details(self._info(t)) for t in range(self._etpu_model.num_tensors)]

    def get_input_details(self):
        m = self._etpu_model
        return [_details(self._info(m.input_tensor_index(i))) for i in range(m.num_inputs)]

    def get_output_details(self):
        m = self._etpu_model
        return [_details(self._info(m.output_tensor_index(i))) for i in range(m.num_outputs)]

    # -- Tensor data -----------------------------------------------------------------------------

    def _array(self, tensor_index):
        info = self._info(tensor_index)
        if self._input_position(tensor_index) in self._pending:
            raise ValueError(f"Tensor {tensor_index} ({info['name']}) was resized: call allocate_tensors() first")
        raw = self._etpu_model.tensor_bytes(int(tensor_index))
        return raw.view(_types.dtype_of(info["type"])).reshape(info["shape"]), info

    def tensor(self, tensor_index):
        """A function returning a numpy view of the tensor's current buffer (writable for
        inputs, outputs and activations)."""
        self._info(tensor_index)
        return lambda: self._array(tensor_index)[0]

    def get_tensor(self, tensor_index, subgraph_index=0):
        if subgraph_index != 0:
            raise ValueError(f"Invalid subgraph index {subgraph_index}: etpu runs the main subgraph only")
        return np.array(self._array(tensor_index)[0], copy=True)

    def set_tensor(self, tensor_index, value):
        target, info = self._array(tensor_index)
        value = np.asarray(value)
        got = _types.name_of(value.dtype)
        if got != info["type"]:
            raise ValueError(f"Cannot set tensor: Got value of type {got} but expected type {info['type']} "
                             f"for input {tensor_index}, name: {info['name']} ")
        if value.ndim != target.ndim:
            raise ValueError(f"Cannot set tensor: Dimension mismatch. Got {value.ndim} but expected "
                             f"{target.ndim} for input {tensor_index}.")
        for d, (g, e) in enumerate(zip(value.shape, target.shape)):
            if g != e:
                raise ValueError(f"Cannot set tensor: Dimension mismatch. Got {g} but expected {e} "
                                 f"for dimension {d} of input {tensor_index}.")
        if not target.flags.writeable:
            raise ValueError(f"Cannot set tensor: tensor {tensor_index} ({info['name']}) is a constant of the model")
        target[...] = value

    def resize_tensor_input(self, input_index, tensor_size, strict=False):
        """Gives input tensor `input_index` the shape `tensor_size` at the next allocate_tensors()
        (invoke() refuses to run until then). strict=True changes only dimensions whose
        shape_signature is -1. The Edge TPU part of a model runs only its compiled shapes: a resize
        that reaches it fails in allocate_tensors(), naming the operator."""
        info = self._info(input_index)
        size = np.array(tensor_size, dtype=np.int32)
        if size.ndim != 1:
            raise ValueError(f"Shape should be 1D instead of {size.ndim}.")
        position = self._input_position(input_index)
        if position is None:
            raise ValueError(f"Tensor {input_index} ({info['name']}) is not an input: etpu resizes only inputs")
        want = [int(d) for d in size]
        if strict:
            signature = list(info["shape_signature"])
            if len(signature) != len(want):
                raise RuntimeError(f"tensor->dims->size != dims.size() ({len(signature)} != {len(want)})")
            for k, (s, d) in enumerate(zip(signature, want)):
                if s != -1 and s != d:
                    raise RuntimeError(f"Attempting to resize dimension {k} of tensor {input_index} with value {s} "
                                       f"to {d}. ResizeInputTensorStrict only allows mutating unknown dimensions "
                                       f"identified by -1.")
        if any(d < 0 for d in want):
            raise ValueError(f"Cannot resize tensor {input_index} ({info['name']}) to {want}: negative dimension")
        if want == list(info["shape"]):
            return  # TFLite keeps the interpreter ready when the shape does not change.
        self._pending[position] = want
        self._allocated = False

    # -- Signatures ------------------------------------------------------------------------------

    def _get_full_signature_list(self):
        """{key: {'inputs': {name: tensor index}, 'outputs': {...}}}; names in TFLite's order (sorted)."""
        full = {}
        for sig in self._etpu_model.signatures():
            full[sig["key"]] = {"inputs": dict(sorted(sig["inputs"])), "outputs": dict(sorted(sig["outputs"]))}
        return full

    def get_signature_list(self):
        """{key: {'inputs': [names], 'outputs': [names]}} of the model's SignatureDefs ({} when none)."""
        return {key: {"inputs": list(sig["inputs"]), "outputs": list(sig["outputs"])}
                for key, sig in self._get_full_signature_list().items()}

    def get_signature_runner(self, signature_key=None):
        """A SignatureRunner for `signature_key` (None: the model's only signature)."""
        if signature_key is None:
            keys = list(self._get_full_signature_list())
            if len(keys) != 1:
                raise ValueError(f"SignatureDef signature_key is None and model has {len(keys)} Signatures. "
                                 f"None is only allowed when the model has 1 SignatureDef")
            signature_key = keys[0]
        return SignatureRunner(self, signature_key)


class SignatureRunner:
    """Runs an Interpreter through one SignatureDef: runner(**inputs) -> {output name: array}."""

    def __init__(self, interpreter=None, signature_key=None):
        if signature_key is None:
            raise ValueError("None signature_key provided.")
        signatures = interpreter._get_full_signature_list()
        if signature_key not in signatures:
            raise ValueError("Invalid signature_key provided.")
        self._interpreter = interpreter
        self._signature_key = signature_key
        self._inputs = signatures[signature_key]["inputs"]
        self._outputs = signatures[signature_key]["outputs"]

    def __call__(self, **kwargs):
        if len(kwargs) != len(self._inputs):
            raise ValueError(f"Invalid number of inputs provided for running a SignatureDef, "
                             f"expected {len(self._inputs)} vs provided {len(kwargs)}")
        for name in kwargs:
            if name not in self._inputs:
                raise ValueError(f"Invalid Input name ({name}) for SignatureDef")
        interp = self._interpreter
        # As TFLite's runner: each input takes its value's shape, then the tensors are allocated;
        # set_tensor checks the types.
        for name, value in kwargs.items():
            interp.resize_tensor_input(self._inputs[name], np.shape(value))
        interp.allocate_tensors()
        for name, value in kwargs.items():
            interp.set_tensor(self._inputs[name], value)
        interp.invoke()
        return {name: interp.get_tensor(index) for name, index in self._outputs.items()}

    def get_input_details(self):
        return {name: self._interpreter._get_tensor_details(index) for name, index in self._inputs.items()}

    def get_output_details(self):
        return {name: self._interpreter._get_tensor_details(index) for name, index in self._outputs.items()}
