"""pycoral.adapters.classify: top classes of a classification model."""
import collections
import operator

import numpy as np

from pycoral.adapters import common

Class = collections.namedtuple("Class", ["id", "score"])
Class.__doc__ = "A classification result: class id and score."


def num_classes(interpreter):
    """Number of classes (size of output 0)."""
    return int(np.prod(interpreter.get_output_details()[0]["shape"]))


def get_scores(interpreter):
    """Output 0 as float scores, dequantized when it is quantized."""
    details = interpreter.get_output_details()[0]
    scores = common.output_tensor(interpreter, 0).reshape(-1)
    if np.issubdtype(details["dtype"], np.integer):
        scale, zero_point = details["quantization"]
        return scale * (scores.astype(np.int64) - zero_point)
    return scores.astype(np.float64, copy=True)


def get_classes_from_scores(scores, top_k=float("inf"), score_threshold=-float("inf")):
    """The classes scoring at least `score_threshold`, highest first, at most `top_k`."""
    scores = np.asarray(scores).reshape(-1)
    top_k = min(top_k, len(scores))
    classes = [Class(int(i), float(scores[i])) for i in np.argsort(-scores, kind="stable")
               if scores[i] >= score_threshold]
    return sorted(classes, key=operator.itemgetter(1), reverse=True)[: int(top_k)]


def get_classes(interpreter, top_k=1, score_threshold=0.0):
    """The top classes of the last invocation."""
    return get_classes_from_scores(get_scores(interpreter), top_k, score_threshold)
