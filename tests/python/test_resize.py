"""resize_tensor_input with TFLite's semantics: the new shape shows in the details at once, invoke
waits for allocate_tensors, the resized model computes what the model computes at its own shape
(batch 2 = the two batch-1 results, byte for byte), strict=True changes only -1 dimensions, the
Edge TPU part refuses a shape change naming its operator, and the signature runner resizes to its
inputs' shapes."""
import numpy as np
import pytest

from conftest import shared
from etpu import _native
from tflite_runtime.interpreter import Interpreter, load_delegate

GABOR = "testdata/small/gabor_64x64_p4.tflite"  # QUANTIZE DEPTHWISE_CONV_2D AVERAGE_POOL_2D QUANTIZE
DENSE = "testdata/small/dense_256.tflite"  # QUANTIZE FULLY_CONNECTED QUANTIZE, shape_signature [-1, 256]


def images(shape, count, seed):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, size=shape, dtype=np.uint8) for _ in range(count)]


def run(interp, value):
    interp.set_tensor(interp.get_input_details()[0]["index"], value)
    interp.invoke()
    return interp.get_tensor(interp.get_output_details()[0]["index"])


def test_batch_of_two_gives_the_two_single_results():
    one = Interpreter(model_path=str(shared(GABOR)))
    one.allocate_tensors()
    a, b = images([1, 64, 64, 1], 2, seed=1)
    want = np.concatenate([run(one, a), run(one, b)])

    interp = Interpreter(model_path=str(shared(GABOR)))
    interp.allocate_tensors()
    index = interp.get_input_details()[0]["index"]
    view = interp.tensor(index)()
    interp.resize_tensor_input(index, [2, 64, 64, 1])
    details = interp.get_input_details()[0]
    assert details["shape"].tolist() == [2, 64, 64, 1]
    assert details["shape_signature"].tolist() == [1, 64, 64, 1]
    with pytest.raises(RuntimeError, match="Invoke called on model that is not ready."):
        interp.invoke()
    with pytest.raises(ValueError, match="call allocate_tensors"):
        interp.get_tensor(index)
    interp.allocate_tensors()
    assert interp.get_output_details()[0]["shape"].tolist() == [2, 16, 16, 8]
    got = run(interp, np.concatenate([a, b]))
    assert got.shape == (2, 16, 16, 8) and got.tobytes() == want.tobytes()
    # A view taken before the resize still reads its (old) buffer.
    assert view.shape == (1, 64, 64, 1) and int(view.sum()) >= 0

    # Back to one image; resizing to the current shape keeps the interpreter ready.
    interp.resize_tensor_input(index, np.array([1, 64, 64, 1]))
    interp.allocate_tensors()
    interp.resize_tensor_input(index, [1, 64, 64, 1])
    assert run(interp, b).tobytes() == want[1:].tobytes()


def test_strict_changes_only_unknown_dimensions():
    interp = Interpreter(model_path=str(shared(DENSE)))
    index = interp.get_input_details()[0]["index"]
    with pytest.raises(RuntimeError, match=r"Attempting to resize dimension 1 of tensor \d+ with value 256 to 128. "
                                           r"ResizeInputTensorStrict only allows mutating unknown dimensions "
                                           r"identified by -1."):
        interp.resize_tensor_input(index, [1, 128], strict=True)
    with pytest.raises(ValueError, match="Shape should be 1D instead of 2."):
        interp.resize_tensor_input(index, [[3, 256]])
    with pytest.raises(ValueError, match="is not an input"):
        interp.resize_tensor_input(interp.get_output_details()[0]["index"], [3, 256])
    interp.resize_tensor_input(index, [3, 256], strict=True)
    interp.allocate_tensors()
    assert interp.get_output_details()[0]["shape"].tolist() == [3, 256]
    rows = images([1, 256], 3, seed=2)
    one = Interpreter(model_path=str(shared(DENSE)))
    one.allocate_tensors()
    want = np.concatenate([run(one, r) for r in rows])
    assert run(interp, np.concatenate(rows)).tobytes() == want.tobytes()


def test_a_resize_the_model_cannot_take_fails_in_allocate_and_keeps_the_model():
    interp = Interpreter(model_path=str(shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")))
    interp.allocate_tensors()
    index = interp.get_input_details()[0]["index"]
    interp.resize_tensor_input(index, [2, 128, 128, 3])
    with pytest.raises(RuntimeError, match=r"RESHAPE \(#\d+\) of .*cannot reshape \[2, 1, 1, 1001\]"):
        interp.allocate_tensors()
    assert interp.get_input_details()[0]["shape"].tolist() == [1, 128, 128, 3]
    with pytest.raises(RuntimeError, match="not ready"):  # As TFLite after a failed allocation.
        interp.invoke()
    interp.allocate_tensors()
    interp.invoke()


def test_the_edgetpu_op_refuses_another_shape(tmp_path):
    (compiled,) = _native.compile([(shared(GABOR).read_bytes(), "gabor_64x64_p4.tflite")])
    path = tmp_path / "gabor_64x64_p4_edgetpu.tflite"
    path.write_bytes(compiled)
    interp = Interpreter(model_path=str(path), experimental_delegates=[load_delegate("libedgetpu.so.1")])
    interp.allocate_tensors()
    index = interp.get_input_details()[0]["index"]
    interp.resize_tensor_input(index, [1, 32, 32, 1])
    with pytest.raises(RuntimeError, match=r"CUSTOM 'edgetpu-custom-op' \(#\d+\) .*runs only the shapes it was "
                                           r"compiled for .*\[1, 32, 32, 1\] instead of \[1, 64, 64, 1\]"):
        interp.allocate_tensors()
    interp.allocate_tensors()  # At the compiled shape again.
    (a,) = images([1, 64, 64, 1], 1, seed=3)
    cpu = Interpreter(model_path=str(shared(GABOR)))
    cpu.allocate_tensors()
    assert run(interp, a).tobytes() == run(cpu, a).tobytes()


def test_signature_runner_resizes_to_its_inputs():
    interp = Interpreter(model_path=str(shared(DENSE)))
    runner = interp.get_signature_runner()
    ((name, _),) = runner.get_input_details().items()
    rows = images([1, 256], 2, seed=4)
    single = [runner(**{name: r})["output_0"] for r in rows]
    both = runner(**{name: np.concatenate(rows)})["output_0"]
    assert both.shape == (2, 256) and both.tobytes() == np.concatenate(single).tobytes()
    assert runner.get_input_details()[name]["shape"].tolist() == [2, 256]
    assert runner(**{name: rows[1]})["output_0"].tobytes() == single[1].tobytes()
