"""pycoral.adapters.detect.get_objects on both SSD output orders (TF1: boxes, classes, scores,
count; TF2: scores, boxes, count, classes), with an interpreter stand-in holding known outputs, and
on a real SSD graph compiled and run by etpu."""
import subprocess

import numpy as np
import pytest
from PIL import Image

from conftest import etpu_tool, shared
from etpu import _native
from pycoral.adapters import common, detect
from pycoral.utils.edgetpu import make_interpreter

BOXES = np.array([[[0.1, 0.2, 0.5, 0.6], [0.0, 0.0, 1.0, 1.0], [0.3, 0.3, 0.4, 0.4]]], np.float32)
CLASSES = np.array([[3, 7, 1]], np.float32)
SCORES = np.array([[0.9, 0.4, 0.8]], np.float32)
COUNT = np.array([2], np.float32)


class FakeInterpreter:
    """Only what the adapter reads: input 0's shape, the outputs and tensor()."""

    def __init__(self, outputs):
        self._outputs = outputs

    def get_input_details(self):
        return [{"index": 100, "shape": np.array([1, 300, 200, 3], np.int32)}]

    def get_output_details(self):
        return [{"index": i} for i in range(len(self._outputs))]

    def get_signature_list(self):
        return {}

    def tensor(self, index):
        return lambda: self._outputs[index]


class SignatureInterpreter(FakeInterpreter):
    """A TF2 detection model's single SignatureDef: outputs named output_0..output_3 (count,
    scores, classes, boxes), stored here in yet another order so that only the names can find them."""

    def _get_full_signature_list(self):
        return {"serving_default": {"inputs": {"input": 100},
                                    "outputs": {"output_0": 1, "output_1": 3, "output_2": 0, "output_3": 2}}}


def test_signature_names_decide_over_positions():
    interp = SignatureInterpreter([CLASSES, COUNT, BOXES, SCORES])  # Neither positional order.
    objs = detect.get_objects(interp)
    assert [(o.id, o.bbox) for o in objs] == [(o.id, o.bbox) for o in expected(-1)]


def test_two_signatures_are_refused():
    class Two(FakeInterpreter):
        def _get_full_signature_list(self):
            return {"a": {"inputs": {}, "outputs": {}}, "b": {"inputs": {}, "outputs": {}}}

    with pytest.raises(ValueError, match="one signature"):
        detect.get_objects(Two([BOXES, CLASSES, SCORES, COUNT]))


def expected(threshold):
    # Input 200 wide, 300 high; boxes are [ymin, xmin, ymax, xmax] in [0, 1]; count limits to 2.
    objs = [detect.Object(3, 0.9, detect.BBox(40, 30, 120, 150)), detect.Object(7, 0.4, detect.BBox(0, 0, 200, 300))]
    return [o for o in objs if o.score >= threshold]


def test_tf1_order():
    interp = FakeInterpreter([BOXES, CLASSES, SCORES, COUNT])
    objs = detect.get_objects(interp)
    assert [(o.id, o.bbox) for o in objs] == [(o.id, o.bbox) for o in expected(-1)]
    assert [o.id for o in detect.get_objects(interp, score_threshold=0.5)] == [3]


def test_tf2_order_and_image_scale():
    interp = FakeInterpreter([SCORES, BOXES, COUNT, CLASSES])
    objs = detect.get_objects(interp, score_threshold=0.5, image_scale=(0.5, 0.25))
    assert len(objs) == 1 and objs[0].id == 3
    assert objs[0].score == np.float32(0.9)
    assert objs[0].bbox == detect.BBox(80, 120, 240, 600)


def test_detect_image_flow_on_a_real_ssd_graph(tmp_path, devices):
    """detect_image.py's calls on the zoo's SSD MobileNet v2 (a real SSD graph with
    TFLite_Detection_PostProcess; deterministic, untrained weights), compiled by etpu: objects
    within the image, at most the model's detections, scores as the output tensors hold them."""
    devices("usb3")
    subprocess.run([etpu_tool(), "zoo", "ssd_mobilenet_v2_300", "-o", str(tmp_path)], check=True, capture_output=True)
    source = tmp_path / "ssd_mobilenet_v2_300.tflite"
    compiled = _native.compile([(source.read_bytes(), source.name)])[0]
    interp = make_interpreter(compiled)
    interp.allocate_tensors()
    image = Image.open(shared("testdata/images/grace_hopper.bmp"))
    _, scale = common.set_resized_input(interp, image.size, lambda size: image.resize(size, Image.LANCZOS))
    interp.invoke()
    objs = detect.get_objects(interp, -1.0, scale)
    boxes, class_ids, scores, count = detect._outputs_in_order(interp)
    assert len(objs) == min(count, len(scores)) and 0 < len(objs) <= len(scores)
    in_w, in_h = common.input_size(interp)
    for obj, score, box, class_id in zip(objs, scores, boxes, class_ids):
        assert obj.score == float(score) and obj.id == int(class_id)
        # Image pixels: the box's [0, 1] input coordinates times the input size over the scale
        # (untrained weights may put boxes partly outside the image; TFLite does not clip them).
        ymin, xmin, ymax, xmax = box
        assert obj.bbox == detect.BBox(int(xmin * in_w / scale[0]), int(ymin * in_h / scale[1]),
                                       int(xmax * in_w / scale[0]), int(ymax * in_h / scale[1]))
        assert obj.bbox.valid
    assert [o.id for o in detect.get_objects(interp, 2.0, scale)] == []
