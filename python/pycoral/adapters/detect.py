"""pycoral.adapters.detect: objects from an SSD detection model (TFLite_Detection_PostProcess)."""
import collections

import numpy as np

from pycoral.adapters import common

Object = collections.namedtuple("Object", ["id", "score", "bbox"])
Object.__doc__ = "A detected object: class id, score and bounding box (BBox)."


class BBox(collections.namedtuple("BBox", ["xmin", "ymin", "xmax", "ymax"])):
    """A bounding box (corners; may be float or int)."""

    __slots__ = ()

    @property
    def width(self):
        return self.xmax - self.xmin

    @property
    def height(self):
        return self.ymax - self.ymin

    @property
    def area(self):
        return self.width * self.height

    @property
    def valid(self):
        return self.width >= 0 and self.height >= 0

    def scale(self, sx, sy):
        return BBox(self.xmin * sx, self.ymin * sy, self.xmax * sx, self.ymax * sy)

    def translate(self, dx, dy):
        return BBox(self.xmin + dx, self.ymin + dy, self.xmax + dx, self.ymax + dy)

    def map(self, f):
        return BBox(f(self.xmin), f(self.ymin), f(self.xmax), f(self.ymax))

    @staticmethod
    def intersect(a, b):
        return BBox(max(a.xmin, b.xmin), max(a.ymin, b.ymin), min(a.xmax, b.xmax), min(a.ymax, b.ymax))

    @staticmethod
    def union(a, b):
        return BBox(min(a.xmin, b.xmin), min(a.ymin, b.ymin), max(a.xmax, b.xmax), max(a.ymax, b.ymax))

    @staticmethod
    def iou(a, b):
        inter = BBox.intersect(a, b)
        if not inter.valid:
            return 0.0
        area = a.area + b.area - inter.area
        return inter.area / area if area > 0 else 0.0


_SIGNATURE_OUTPUTS = ("output_0", "output_1", "output_2", "output_3")  # count, scores, classes, boxes


def _outputs_in_order(interpreter):
    """(boxes, class_ids, scores, count). A model with one SignatureDef naming its outputs
    output_0..output_3 (TF2 detection models) is read by those names: count, scores, classes,
    boxes. Otherwise by position: TF1 SSD models give boxes, classes, scores, count; TF2 ones
    scores, boxes, count, classes (told apart by whether output 3 is the one-element count)."""
    signatures = getattr(interpreter, "_get_full_signature_list", dict)()
    if len(signatures) > 1:
        raise ValueError("Only support model with one signature.")
    if signatures:
        outputs = next(iter(signatures.values()))["outputs"]
        if all(name in outputs for name in _SIGNATURE_OUTPUTS):
            count, scores, class_ids, boxes = (interpreter.tensor(outputs[name])() for name in _SIGNATURE_OUTPUTS)
            return boxes[0], class_ids[0], scores[0], int(np.asarray(count).reshape(-1)[0])
    if common.output_tensor(interpreter, 3).size == 1:
        boxes, class_ids, scores, count = (common.output_tensor(interpreter, i) for i in range(4))
    else:
        scores, boxes, count, class_ids = (common.output_tensor(interpreter, i) for i in range(4))
    return boxes[0], class_ids[0], scores[0], int(np.asarray(count).reshape(-1)[0])


def get_objects(interpreter, score_threshold=-float("inf"), image_scale=(1.0, 1.0)):
    """The detected objects scoring at least `score_threshold`, boxes in input pixels divided by
    `image_scale` (the scale set_resized_input returned)."""
    boxes, class_ids, scores, count = _outputs_in_order(interpreter)
    width, height = common.input_size(interpreter)
    sx, sy = width / image_scale[0], height / image_scale[1]

    def make(i):
        ymin, xmin, ymax, xmax = boxes[i]
        return Object(id=int(class_ids[i]), score=float(scores[i]),
                      bbox=BBox(xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax).scale(sx, sy).map(int))

    return [make(i) for i in range(min(count, len(scores))) if scores[i] >= score_threshold]
