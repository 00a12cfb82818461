"""The call sequences of pycoral's published examples (classify_image, semantic_segmentation,
model_pipelining_classify_image, two_models_inference), written here from their documented API
use, so that those scripts run unchanged: the model path with '@device', the quantization
parameters as arrays, set_resized_input returning the resized image, Google-compiled pipeline
segments beside their source, 'pci:N'/'usb:N' device strings, and threads on two devices."""
import shutil
import threading
import time

import numpy as np
import pytest
from PIL import Image

import etpu
from conftest import shared
from pycoral.adapters import classify, common, segment
from pycoral.pipeline import pipelined_model_runner as pipeline
from pycoral.utils.edgetpu import list_edge_tpus, make_interpreter

MOBILENET = "mobilenet_v1_0.25_128_quant"


def test_classify_flow_normalises_through_quantization_arrays(compile_models, devices):
    devices("usb3,usb3")
    model = str(compile_models(MOBILENET)[0])
    interp = make_interpreter(*f"{model}@:1".split("@"))  # classify_image.py's MODEL@DEVICE form
    interp.allocate_tensors()
    assert common.input_details(interp, "dtype") == np.uint8
    size = common.input_size(interp)
    image = Image.open(shared("testdata/images/cat.bmp")).convert("RGB").resize(size, Image.LANCZOS)
    params = common.input_details(interp, "quantization_parameters")
    scale, zero_point = params["scales"], params["zero_points"]
    mean, std = 128.0, 128.0
    # The example compares numpy arrays with scalars; whichever branch it takes must work.
    if abs(scale * std - 1) < 1e-5 and abs(mean - zero_point) < 1e-5:
        common.set_input(interp, image)
    normalized = (np.asarray(image) - mean) / (std * scale) + zero_point
    np.clip(normalized, 0, 255, out=normalized)
    common.set_input(interp, normalized.astype(np.uint8))
    interp.invoke()
    classes = classify.get_classes(interp, top_k=3, score_threshold=0.0)
    assert 1 <= len(classes) <= 3
    assert all(0 <= c.id < classify.num_classes(interp) for c in classes)
    assert classes == sorted(classes, key=lambda c: -c.score)


def test_segmentation_keep_aspect_ratio_reads_the_resized_image(compile_models, devices):
    devices("usb3")
    interp = make_interpreter(str(compile_models("deeplabv3_mnv2_dm05_pascal_quant")[0]), device=":0")
    interp.allocate_tensors()
    width, height = common.input_size(interp)
    img = Image.open(shared("testdata/images/bird.bmp"))
    resized_img, scale = common.set_resized_input(interp, img.size, lambda size: img.resize(size, Image.LANCZOS))
    new_width, new_height = resized_img.size  # semantic_segmentation.py reads the PIL image back
    assert max(new_width / width, new_height / height) == pytest.approx(1.0, abs=1 / min(width, height))
    assert scale[0] == scale[1] == pytest.approx(min(width / img.size[0], height / img.size[1]))
    tensor = common.input_tensor(interp)
    assert np.array_equal(tensor[:new_height, :new_width], np.asarray(resized_img.convert("RGB")))
    assert not tensor[new_height:].any() and not tensor[:, new_width:].any()
    interp.invoke()
    result = segment.get_output(interp)
    if result.ndim == 3:
        result = np.argmax(result, axis=-1)
    assert result[:new_height, :new_width].shape == (new_height, new_width)


def _devices_like_the_pipelining_example(num_devices):
    edge_tpus = list_edge_tpus()
    num_pci = sum(1 for d in edge_tpus if d["type"] == "pci")
    return ([f"pci:{i}" for i in range(min(num_devices, num_pci))] +
            [f"usb:{i}" for i in range(max(0, num_devices - num_pci))])


def test_google_compiled_segments_run_from_their_source(tmp_path, devices, capfd):
    """Coral publishes X_segment_K_of_N_edgetpu.tflite beside X.tflite; each Google-compiled segment
    runs as segment K of etpu's own -n N compilation of X, and the pipeline equals the whole model."""
    devices("pcie,usb3")
    source = tmp_path / f"{MOBILENET}.tflite"
    shutil.copy(shared(f"testdata/models/{MOBILENET}.tflite"), source)
    google = shared(f"testdata/models/{MOBILENET}_edgetpu.tflite")  # any beagle file stands in
    paths = []
    for k in range(2):
        path = tmp_path / f"{MOBILENET}_segment_{k}_of_2_edgetpu.tflite"
        shutil.copy(google, path)
        paths.append(str(path))
    device_strings = _devices_like_the_pipelining_example(2)
    assert device_strings == ["pci:0", "usb:0"]
    interpreters = [make_interpreter(m, d) for m, d in zip(paths, device_strings)]
    err = capfd.readouterr().err
    assert "segment 0 of 2" in err and "segment 1 of 2" in err
    for interp in interpreters:
        interp.allocate_tensors()
    assert interpreters[0].get_output_details()[0]["name"] == interpreters[1].get_input_details()[0]["name"]
    runner = pipeline.PipelinedModelRunner(interpreters)
    size = common.input_size(runner.interpreters()[0])
    name = common.input_details(runner.interpreters()[0], "name")
    image = np.array(Image.open(shared("testdata/images/cat.bmp")).convert("RGB").resize(size, Image.LANCZOS))
    assert runner.push({name: image[np.newaxis]}) and runner.push({})
    (values,) = runner.pop().values()
    assert runner.pop() is None
    whole = make_interpreter(str(source))
    whole.allocate_tensors()
    common.set_input(whole, image)
    whole.invoke()
    assert np.array_equal(values, common.output_tensor(whole, 0))


def test_segment_name_without_its_source_says_what_to_do(tmp_path, devices):
    devices("usb3")
    path = tmp_path / f"{MOBILENET}_segment_0_of_2_edgetpu.tflite"
    shutil.copy(shared(f"testdata/models/{MOBILENET}_edgetpu.tflite"), path)
    with pytest.raises(ValueError, match=rf"source model .*{MOBILENET}\.tflite is not beside it"):
        make_interpreter(str(path))


def test_threads_on_two_devices_are_deterministic_and_run_in_parallel(compile_models, devices):
    """two_models_inference-style: one interpreter per thread, each on its own device. Outputs equal
    the sequential ones, and a Python thread keeps running while another thread is inside invoke()
    (the native call releases the GIL)."""
    devices("usb3,usb3")
    model = str(compile_models("deeplabv3_mnv2_dm05_pascal_quant")[0])
    interps = [make_interpreter(model, device=f":{k}") for k in range(2)]
    rng = np.random.default_rng(11)
    inputs = [rng.integers(0, 256, size=common.input_details(interps[0], "shape"), dtype=np.uint8)
              for _ in range(2)]
    expected = []
    for interp, x in zip(interps, inputs):
        interp.allocate_tensors()
        common.set_input(interp, x)
        interp.invoke()
        expected.append(common.output_tensor(interp, 0).copy())

    got = [None, None]
    invoke_s = [0.0, 0.0]

    def job(k):
        common.set_input(interps[k], inputs[k])
        start = time.perf_counter()
        interps[k].invoke()
        invoke_s[k] = time.perf_counter() - start
        got[k] = common.output_tensor(interps[k], 0).copy()

    threads = [threading.Thread(target=job, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    last = time.perf_counter()
    longest_pause = 0.0
    while any(t.is_alive() for t in threads):
        now = time.perf_counter()
        longest_pause, last = max(longest_pause, now - last), now
    for t in threads:
        t.join()
    for k in range(2):
        assert np.array_equal(got[k], expected[k])
    # With the GIL held during invoke, this loop would stop for a whole invocation.
    assert longest_pause < 0.5 * min(invoke_s), (longest_pause, invoke_s)
    assert etpu.last_invocation(interps[0])["events"] and etpu.last_invocation(interps[1])["events"]
