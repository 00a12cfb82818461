"""pycoral.adapters.detect.get_objects on both SSD output orders (TF1: boxes, classes, scores,
count; TF2: scores, boxes, count, classes), with an interpreter stand-in holding known outputs."""
import numpy as np

from pycoral.adapters import detect

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
