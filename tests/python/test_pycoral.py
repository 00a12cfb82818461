"""pycoral's API on etpu: classification of the public cat image (oracle README expectations),
adapters, label files, Google-compiled models (run from their source, or a clear error)."""
import shutil

import numpy as np
import pytest
from PIL import Image

import etpu
import coral_image
from conftest import shared
from test_interpreter import run_tool
from pycoral.adapters import classify, common, detect, segment
from pycoral.utils import dataset, edgetpu


def classify_image(interp, image_path):
    interp.allocate_tensors()
    width, height = common.input_size(interp)
    common.set_input(interp, coral_image.prepare(image_path, height, width))
    interp.invoke()
    return classify.get_classes(interp, top_k=3, score_threshold=0.0)


# The public expectations of the oracle README (libcoral's classification cases): class in the top 3
# with a score above the threshold.
@pytest.mark.parametrize("stem,expected,threshold", [("mobilenet_v1_0.25_128_quant", 283, 0.25),
                                                      ("mobilenet_v1_0.5_160_quant", 286, 0.51)])
def test_cat_is_classified_as_published(stem, expected, threshold, compile_models, devices, tmp_path):
    devices("usb3")
    cat = shared("testdata/images/cat.bmp")
    (compiled,) = compile_models(stem)
    interp = edgetpu.make_interpreter(str(compiled))
    on_tpu = classify_image(interp, cat)
    assert any(c.id == expected and c.score > threshold for c in on_tpu), on_tpu
    # The same bytes as the C++ runtime with its own image preparation.
    assert common.output_tensor(interp, 0).tobytes() == run_tool(compiled, None, tmp_path, image=cat)
    from tflite_runtime.interpreter import Interpreter
    on_cpu = classify_image(Interpreter(model_path=str(shared(f"testdata/models/{stem}.tflite"))), cat)
    assert on_cpu == on_tpu                                     # the Edge TPU is bit-exact
    labels = dataset.read_label_file(shared("testdata/images/imagenet_labels.txt"))
    assert labels[expected] in ("tiger cat", "Egyptian cat") or "cat" in labels[expected]


def test_run_inference_takes_bytes_and_arrays(compile_models, devices):
    devices("usb3")
    (compiled,) = compile_models("mobilenet_v1_0.25_128_quant")
    interp = edgetpu.make_interpreter(compiled.read_bytes())
    interp.allocate_tensors()
    size = int(np.prod(interp.get_input_details()[0]["shape"]))
    data = np.arange(size, dtype=np.uint32).astype(np.uint8)
    edgetpu.run_inference(interp, data.tobytes())
    first = classify.get_scores(interp).copy()
    edgetpu.run_inference(interp, data)
    assert np.array_equal(first, classify.get_scores(interp))
    with pytest.raises(ValueError):
        edgetpu.run_inference(interp, b"\0" * 10)
    with pytest.raises(TypeError):
        edgetpu.run_inference(interp, "text")


def test_classes_from_scores():
    scores = np.array([0.1, 0.7, 0.2, 0.7])
    assert classify.get_classes_from_scores(scores, top_k=2) == [classify.Class(1, 0.7), classify.Class(3, 0.7)]
    assert classify.get_classes_from_scores(scores, score_threshold=0.15) == [
        classify.Class(1, 0.7), classify.Class(3, 0.7), classify.Class(2, 0.2)]


def test_read_label_file_both_formats(tmp_path):
    numbered = tmp_path / "numbered.txt"
    numbered.write_text("0  background\n5: person\n7 tiger cat\n", encoding="utf-8")
    assert dataset.read_label_file(numbered) == {0: "background", 5: "person", 7: "tiger cat"}
    plain = tmp_path / "plain.txt"
    plain.write_text("background\ntench, Tinca tinca\n", encoding="utf-8")
    assert dataset.read_label_file(plain) == {0: "background", 1: "tench, Tinca tinca"}


def test_bbox_methods():
    a, b = detect.BBox(0, 0, 10, 10), detect.BBox(5, 5, 15, 20)
    assert (a.width, a.height, a.area, a.valid) == (10, 10, 100, True)
    assert detect.BBox.intersect(a, b) == detect.BBox(5, 5, 10, 10)
    assert detect.BBox.union(a, b) == detect.BBox(0, 0, 15, 20)
    assert detect.BBox.iou(a, b) == pytest.approx(25 / (100 + 150 - 25))
    assert detect.BBox.iou(a, detect.BBox(20, 20, 30, 30)) == 0.0
    assert a.scale(2, 3) == detect.BBox(0, 0, 20, 30) and a.translate(1, 2) == detect.BBox(1, 2, 11, 12)
    assert detect.BBox(0.4, 1.6, 2.5, 3.9).map(int) == detect.BBox(0, 1, 2, 3)
    assert not detect.BBox(5, 0, 1, 1).valid


def test_google_compiled_model_runs_from_its_source(capsys, compile_models, devices):
    devices("usb3")
    google = shared("testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite")
    interp = edgetpu.make_interpreter(str(google))
    notice = capsys.readouterr().err
    assert notice.count("\n") == 1 and "Google's compiler" in notice and "mobilenet_v1_0.25_128_quant.tflite" in notice
    ours = edgetpu.make_interpreter(str(compile_models("mobilenet_v1_0.25_128_quant")[0]))
    for i in (interp, ours):
        i.allocate_tensors()
        common.set_input(i, np.full(common.input_details(i, "shape")[1:], 42, np.uint8))
        i.invoke()
    assert np.array_equal(classify.get_scores(interp), classify.get_scores(ours))
    assert etpu.last_invocation(interp)["events"]


def test_google_compiled_model_without_source_says_what_to_do(tmp_path, devices):
    devices("usb3")
    alone = tmp_path / "mobilenet_v1_0.25_128_quant_edgetpu.tflite"
    shutil.copy(shared("testdata/models/mobilenet_v1_0.25_128_quant_edgetpu.tflite"), alone)
    with pytest.raises(ValueError, match=r"chip 'beagle'.*source model .*mobilenet_v1_0.25_128_quant.tflite "
                                         r"is not beside it.*edgetpu_compiler"):
        edgetpu.make_interpreter(str(alone))
    with pytest.raises(ValueError, match="no source model"):
        edgetpu.make_interpreter(alone.read_bytes())


def test_segmentation_output_shape(compile_models, devices):
    devices("usb3")
    interp = edgetpu.make_interpreter(str(compile_models("deeplabv3_mnv2_dm05_pascal_quant")[0]))
    interp.allocate_tensors()
    width, height = common.input_size(interp)
    image = Image.open(shared("testdata/images/bird_segmentation.bmp")).convert("RGB").resize((width, height))
    common.set_input(interp, image)
    interp.invoke()
    mask = segment.get_output(interp)
    assert mask.shape[:2] == (height, width)
    classes = mask if mask.ndim == 2 else np.argmax(mask, axis=-1)
    truth = np.asarray(Image.open(shared("testdata/images/bird_segmentation_mask.bmp")).convert("L")
                       .resize((width, height), Image.NEAREST)).astype(np.int64)
    truth[truth == 255] = 0
    common_pixels = int(np.sum(classes == truth))
    assert common_pixels / (2 * classes.size - common_pixels) > 0.8
