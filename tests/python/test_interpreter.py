"""tflite_runtime.interpreter against etpu's C++ runtime (the `etpu run` tool), byte for byte,
and TFLite's API shapes: details keys, views, set_tensor checks."""
import os
import subprocess

import numpy as np
import pytest

from conftest import etpu_tool, shared
from tflite_runtime.interpreter import Interpreter, load_delegate

DETAIL_KEYS = {"name", "index", "shape", "shape_signature", "dtype", "quantization",
               "quantization_parameters", "sparsity_parameters"}



def run_tool(model, raw, tmp_path, image=None):
    """Output 0 of `etpu run MODEL --input RAW` (or --image IMAGE): the C++ runtime."""
    given = ["--image", str(image)] if image is not None else ["--input", str(raw)]
    subprocess.run([etpu_tool(), "run", str(model), *given, "--dump", str(tmp_path / "dump")],
                   check=True, capture_output=True)
    return (tmp_path / "dump" / "out0.bin").read_bytes()


def random_input(interp, seed):
    d = interp.get_input_details()[0]
    return np.random.default_rng(seed).integers(0, 256, size=d["shape"], dtype=np.uint8).astype(d["dtype"])


@pytest.mark.parametrize("compiled", [False, True])
def test_outputs_equal_the_cpp_runtime_byte_for_byte(compiled, compile_models, tmp_path):
    stem = "mobilenet_v1_0.25_128_quant"
    model = compile_models(stem)[0] if compiled else shared(f"testdata/models/{stem}.tflite")
    interp = Interpreter(model_path=str(model),
                         experimental_delegates=[load_delegate("libedgetpu.so.1")] if compiled else None)
    interp.allocate_tensors()
    data = random_input(interp, seed=7)
    raw = tmp_path / "in.bin"
    raw.write_bytes(data.tobytes())
    interp.set_tensor(interp.get_input_details()[0]["index"], data)
    interp.invoke()
    ours = interp.get_tensor(interp.get_output_details()[0]["index"])
    assert ours.tobytes() == run_tool(model, raw, tmp_path)


def test_details_have_tflites_keys_and_types():
    interp = Interpreter(model_path=str(shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")))
    interp.allocate_tensors()
    (inp,), (out,) = interp.get_input_details(), interp.get_output_details()
    all_details = interp.get_tensor_details()
    for d in [inp, out] + all_details:
        assert set(d) == DETAIL_KEYS
    assert inp["shape"].tolist() == [1, 128, 128, 3] and inp["shape"].dtype == np.int32
    assert inp["dtype"] is np.uint8
    scale, zero_point = inp["quantization"]
    assert scale > 0 and isinstance(zero_point, int)
    q = inp["quantization_parameters"]
    assert q["scales"].dtype == np.float32 and q["zero_points"].dtype == np.int32
    assert q["scales"][0] == np.float32(scale) and q["zero_points"][0] == zero_point
    assert [d["index"] for d in all_details] == list(range(len(all_details)))
    assert all_details[inp["index"]]["name"] == inp["name"]
    # Per-channel weights keep every scale and their axis.
    per_channel = [d for d in all_details if len(d["quantization_parameters"]["scales"]) > 1]
    for d in per_channel:
        axis = d["quantization_parameters"]["quantized_dimension"]
        assert len(d["quantization_parameters"]["scales"]) == d["shape"][axis]
    assert interp.get_signature_list() == {}


def test_tensor_is_a_writable_view_and_get_tensor_a_copy():
    interp = Interpreter(model_path=str(shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")))
    interp.allocate_tensors()
    in_index = interp.get_input_details()[0]["index"]
    out_index = interp.get_output_details()[0]["index"]
    data = random_input(interp, seed=3)
    interp.tensor(in_index)()[...] = data          # through the view
    interp.invoke()
    via_view = interp.get_tensor(out_index)
    out_view = interp.tensor(out_index)()
    assert np.array_equal(out_view, via_view)
    interp.set_tensor(in_index, np.zeros_like(data))
    interp.invoke()
    assert not np.array_equal(interp.get_tensor(out_index), via_view)  # get_tensor copied
    assert np.array_equal(out_view, interp.get_tensor(out_index))     # the view follows
    interp.set_tensor(in_index, data)
    interp.invoke()
    assert np.array_equal(interp.get_tensor(out_index), via_view)     # deterministic


def test_set_tensor_checks_dtype_and_shape_with_tflites_words():
    interp = Interpreter(model_path=str(shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")))
    interp.allocate_tensors()
    d = interp.get_input_details()[0]
    with pytest.raises(ValueError, match=r"^Cannot set tensor: Got value of type FLOAT32 but expected type UINT8 "
                                         r"for input \d+, name: "):
        interp.set_tensor(d["index"], np.zeros(d["shape"], np.float32))
    with pytest.raises(ValueError, match=r"^Cannot set tensor: Dimension mismatch. Got 3 but expected 4 for input"):
        interp.set_tensor(d["index"], np.zeros([128, 128, 3], np.uint8))
    with pytest.raises(ValueError, match=r"^Cannot set tensor: Dimension mismatch. Got 64 but expected 128 "
                                         r"for dimension 1 of input"):
        interp.set_tensor(d["index"], np.zeros([1, 64, 128, 3], np.uint8))
    with pytest.raises(ValueError, match="Invalid tensor index"):
        interp.get_tensor(10_000)


def test_invoke_needs_allocate():
    interp = Interpreter(model_path=str(shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")))
    with pytest.raises(RuntimeError, match="not ready"):
        interp.invoke()


def test_model_content_and_bad_files(tmp_path):
    path = shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")
    a = Interpreter(model_content=path.read_bytes())
    assert a.get_input_details()[0]["shape"].tolist() == [1, 128, 128, 3]
    with pytest.raises(ValueError, match="Could not open"):
        Interpreter(model_path=str(tmp_path / "missing.tflite"))
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(b"this is not a flatbuffer model at all" * 4)
    with pytest.raises(ValueError, match="junk.tflite"):
        Interpreter(model_path=str(junk))
    with pytest.raises(ValueError):
        Interpreter()
    with pytest.raises(ValueError, match="num_threads"):
        Interpreter(model_path=str(path), num_threads="2")


def test_num_threads_reach_the_kernels_with_the_same_bytes():
    path = shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")
    image = np.random.default_rng(3).integers(0, 256, size=(1, 128, 128, 3), dtype=np.uint8)
    outputs = []
    for threads in (None, 1, 3, -1):
        it = Interpreter(model_path=str(path), num_threads=threads)
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], image)
        it.invoke()
        outputs.append(it.get_tensor(it.get_output_details()[0]["index"]))
    for o in outputs[1:]:
        assert np.array_equal(o, outputs[0])
    # The count reaches the runtime, which takes 1-256 (TFLite takes any count).
    with pytest.raises(ValueError, match="num_threads"):
        Interpreter(model_path=str(path), num_threads=300)
