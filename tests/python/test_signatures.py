"""SignatureDefs through tflite_runtime's Interpreter: get_signature_list, _get_full_signature_list
and get_signature_runner with TFLite's semantics and words, on the shared models converted from
Keras (a serving_default signature), their Google-compiled files (run from the source beside
them) and a model without signatures."""
import numpy as np
import pytest

from conftest import shared
from tflite_runtime.interpreter import Interpreter, load_delegate

MODELS = ["testdata/small/dense_256", "testdata/models/keras_lstm_mnist_ptq"]


def interpreter(stem, compiled):
    path = shared(f"{stem}_edgetpu.tflite" if compiled else f"{stem}.tflite")
    delegates = [load_delegate("libedgetpu.so.1")] if compiled else None
    return Interpreter(model_path=str(path), experimental_delegates=delegates)


def random_inputs(details, seed):
    rng = np.random.default_rng(seed)
    return {name: rng.integers(0, 256, size=d["shape"], dtype=np.uint8).astype(d["dtype"])
            for name, d in details.items()}


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("stem", MODELS)
def test_signature_lists_name_the_models_inputs_and_outputs(stem, compiled):
    interp = interpreter(stem, compiled)
    full = interp._get_full_signature_list()
    assert list(full) == ["serving_default"]
    sig = full["serving_default"]
    assert sorted(sig["inputs"].values()) == sorted(d["index"] for d in interp.get_input_details())
    assert sorted(sig["outputs"].values()) == sorted(d["index"] for d in interp.get_output_details())
    assert interp.get_signature_list() == {
        "serving_default": {"inputs": list(sig["inputs"]), "outputs": list(sig["outputs"])}}


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("stem", MODELS)
def test_runner_outputs_equal_invoke(stem, compiled):
    interp = interpreter(stem, compiled)
    runner = interp.get_signature_runner()  # The only signature.
    sig = interp._get_full_signature_list()["serving_default"]
    in_details, out_details = runner.get_input_details(), runner.get_output_details()
    assert {n: d["index"] for n, d in in_details.items()} == sig["inputs"]
    assert {n: d["index"] for n, d in out_details.items()} == sig["outputs"]
    inputs = random_inputs(in_details, seed=3)

    interp.allocate_tensors()
    interp.reset_all_variables()
    for name, value in inputs.items():
        interp.set_tensor(sig["inputs"][name], value)
    interp.invoke()
    expected = {name: interp.get_tensor(index) for name, index in sig["outputs"].items()}

    interp.reset_all_variables()
    got = interp.get_signature_runner("serving_default")(**inputs)
    assert set(got) == set(expected)
    for name in expected:
        assert got[name].dtype == out_details[name]["dtype"]
        assert got[name].shape == tuple(out_details[name]["shape"])
        assert np.array_equal(got[name], expected[name]), name
        # A copy: writing it does not change the interpreter's tensor.
        got[name][...] = 0
        assert np.array_equal(interp.get_tensor(sig["outputs"][name]), expected[name])


def test_runner_refuses_unknown_keys_and_bad_inputs():
    interp = interpreter(MODELS[0], compiled=False)
    with pytest.raises(ValueError, match="Invalid signature_key provided."):
        interp.get_signature_runner("no_such_signature")
    runner = interp.get_signature_runner("serving_default")
    inputs = random_inputs(runner.get_input_details(), seed=1)
    ((name, value),) = inputs.items()
    with pytest.raises(ValueError, match="Invalid number of inputs provided for running a SignatureDef, "
                                         "expected 1 vs provided 0"):
        runner()
    with pytest.raises(ValueError, match=r"Invalid Input name \(not_an_input\) for SignatureDef"):
        runner(not_an_input=value)
    with pytest.raises(ValueError, match="Cannot set tensor: Got value of type FLOAT32"):
        runner(**{name: value.astype(np.float32)})
    # As TFLite's runner, the input takes the value's shape: allocating fails where the model cannot.
    with pytest.raises(RuntimeError, match=r"FULLY_CONNECTED \(#\d+\) of .*not a multiple"):
        runner(**{name: value[..., :1]})


def test_model_without_signatures():
    interp = Interpreter(model_path=str(shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")))
    assert interp.get_signature_list() == {}
    assert interp._get_full_signature_list() == {}
    with pytest.raises(ValueError, match="SignatureDef signature_key is None and model has 0 Signatures. "
                                         "None is only allowed when the model has 1 SignatureDef"):
        interp.get_signature_runner()
    with pytest.raises(ValueError, match="Invalid signature_key provided."):
        interp.get_signature_runner("serving_default")
