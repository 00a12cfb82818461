"""pycoral.adapters.common: input and output tensors of an interpreter."""
import numpy as np


def output_tensor(interpreter, i):
    """Output i as a numpy view (not dequantized)."""
    return interpreter.tensor(interpreter.get_output_details()[i]["index"])()


def input_details(interpreter, key):
    """input 0's details[key]."""
    return interpreter.get_input_details()[0][key]


def input_size(interpreter):
    """(width, height) of input 0 ([1, height, width, channels])."""
    _, height, width, _ = input_details(interpreter, "shape")
    return int(width), int(height)


def input_tensor(interpreter):
    """Input 0 without its batch dimension, as a writable view ([height, width, channels])."""
    return interpreter.tensor(input_details(interpreter, "index"))()[0]


def set_input(interpreter, data):
    """Copies `data` into input 0 (shape [height, width, channels] or the whole tensor)."""
    target = input_tensor(interpreter)
    data = np.asarray(data)
    target[...] = data.reshape(target.shape)


def set_resized_input(interpreter, size, resize):
    """Resizes an image of `size` (width, height) keeping its aspect ratio with `resize`
    (a function (new_width, new_height) -> image), copies it into the top-left corner of input 0
    and zeroes the rest. Returns (what `resize` returned, e.g. the resized PIL image, and
    (scale_x, scale_y)), as pycoral does: its segmentation example reads the image's .size."""
    width, height = input_size(interpreter)
    w, h = size
    scale = min(width / w, height / h)
    w, h = int(w * scale), int(h * scale)
    tensor = input_tensor(interpreter)
    tensor.fill(0)
    _, _, channels = tensor.shape
    result = resize((w, h))
    tensor[:h, :w] = np.reshape(np.asarray(result), (h, w, channels))
    return result, (scale, scale)
