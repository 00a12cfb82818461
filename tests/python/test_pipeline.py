"""PipelinedModelRunner on a model split by etpu's compiler (-n 2, -n 3): the same outputs as the
whole model, in order; its validation errors."""
import numpy as np
import pytest

from conftest import shared
from etpu import _native
from pycoral.pipeline.pipelined_model_runner import PipelinedModelRunner
from pycoral.utils import edgetpu
from tflite_runtime.interpreter import Interpreter

STEM = "mobilenet_v1_0.25_128_quant"


@pytest.fixture(scope="module")
def segments():
    source = shared(f"testdata/models/{STEM}.tflite").read_bytes()
    return {n: _native.compile([(source, f"{STEM}.tflite")], num_segments=n) for n in (2, 3)}


def whole_model_outputs(inputs):
    interp = Interpreter(model_path=str(shared(f"testdata/models/{STEM}.tflite")))
    interp.allocate_tensors()
    d, o = interp.get_input_details()[0], interp.get_output_details()[0]
    outs = []
    for x in inputs:
        interp.set_tensor(d["index"], x)
        interp.invoke()
        outs.append((o["name"], interp.get_tensor(o["index"])))
    return outs


@pytest.mark.parametrize("n", [2, 3])
def test_pipeline_equals_whole_model(n, segments, devices):
    devices(",".join(["usb3"] * n))
    assert len(segments[n]) == n
    interps = [edgetpu.make_interpreter(model, device=f":{k}") for k, model in enumerate(segments[n])]
    runner = PipelinedModelRunner(interps)
    runner.set_input_queue_size(2)
    runner.set_output_queue_size(2)
    name = interps[0].get_input_details()[0]["name"]
    shape = interps[0].get_input_details()[0]["shape"]
    rng = np.random.default_rng(5)
    inputs = [rng.integers(0, 256, size=shape, dtype=np.uint8) for _ in range(4)]
    results = []
    for x in inputs:
        assert runner.push({name: x})
    assert runner.push({})
    while (out := runner.pop()) is not None:
        results.append(out)
    assert runner.pop() is None and runner.push({name: inputs[0]}) is False
    expected = whole_model_outputs(inputs)
    assert len(results) == len(expected)
    for got, (out_name, want) in zip(results, expected):
        assert list(got) == [out_name]
        assert np.array_equal(got[out_name], want)


def test_pipeline_validation(segments, devices):
    devices("usb3,usb3")
    with pytest.raises(ValueError):
        PipelinedModelRunner([])
    with pytest.raises(ValueError):
        PipelinedModelRunner(["not an interpreter"])
    interps = [edgetpu.make_interpreter(model, device=f":{k}") for k, model in enumerate(segments[2])]
    runner = PipelinedModelRunner(interps)
    with pytest.raises(ValueError, match="dict"):
        runner.push("not tensors")
    with pytest.raises(ValueError, match="Expected input of length 1, but got 2"):
        runner.push([1, 2])
    with pytest.raises(ValueError, match="first segment's inputs"):
        runner.push({"no_such_tensor": np.zeros(3, np.uint8)})
    with pytest.raises(RuntimeError, match="before any push"):
        runner.pop()
    name = interps[0].get_input_details()[0]["name"]
    assert runner.push({name: np.zeros([1, 64, 64, 3], np.uint8)})   # wrong shape: the segment fails
    with pytest.raises(RuntimeError, match=r"segment failed: segment 0: tensor '.*' has 12288 elements; expected 49152"):
        runner.pop()
    with pytest.raises(RuntimeError, match="before the first push"):
        runner.set_input_queue_size(4)


def test_pipeline_takes_pycoral_1_lists_and_images_without_batch_dimension(segments, devices):
    """pycoral 1.0's form: push([array]) / push([]), pop() -> [array]; an image [h, w, 3] fills the
    [1, h, w, 3] input, as the real runner copies by element count."""
    devices("usb3,usb3")
    interps = [edgetpu.make_interpreter(model, device=f":{k}") for k, model in enumerate(segments[2])]
    runner = PipelinedModelRunner(interps)
    shape = interps[0].get_input_details()[0]["shape"]
    image = np.random.default_rng(3).integers(0, 256, size=shape[1:], dtype=np.uint8)
    with pytest.raises(ValueError, match="Expected input of length 1, but got 2"):
        runner.push([image, image])
    with pytest.raises(ValueError, match="Input should be a list of numpy array of type uint8"):
        runner.push([image.astype(np.float32)])
    assert runner.push([image]) and runner.push([])
    result = runner.pop()
    assert isinstance(result, list) and len(result) == 1
    (_, want), = whole_model_outputs([image[np.newaxis]])
    assert np.array_equal(result[0], want)
    assert runner.pop() is None


def test_pipeline_rejects_segments_in_the_wrong_order(segments, devices):
    devices("usb3,usb3")
    interps = [edgetpu.make_interpreter(model, device=f":{k}") for k, model in enumerate(segments[2])]
    with pytest.raises(ValueError, match="Interpreter 0 can not get its input tensors|Interpreter 1 can not get"):
        PipelinedModelRunner(interps[::-1])
