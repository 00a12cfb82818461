"""The public Coral tests' image preparation (oracle README: RGB, TFLite's bilinear resize with
half-pixel centers in float32, truncated to uint8), for the classification tests. Checked against
`etpu run --image` (the C++ preparation) by test_pycoral.py."""
import numpy as np
from PIL import Image


def _axis(n_out, n_in):
    scale = np.float32(n_in) / np.float32(n_out)
    x = (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    lo = np.maximum(np.floor(x), 0).astype(np.int64)
    hi = np.minimum(np.ceil(x), n_in - 1).astype(np.int64)
    return x - lo.astype(np.float32), lo, hi


def prepare(path, height, width):
    """[height, width, 3] uint8 from an image file."""
    src = np.asarray(Image.open(path).convert("RGB")).astype(np.float32)
    if src.shape[:2] == (height, width):
        return src.astype(np.uint8)
    dy, y0, y1 = _axis(height, src.shape[0])
    dx, x0, x1 = _axis(width, src.shape[1])
    dy, dx = dy[:, None, None], dx[None, :, None]
    one = np.float32(1)
    ody, odx = one - dy, one - dx
    p = lambda ys, xs: src[ys][:, xs]  # noqa: E731
    v = (p(y0, x0) * ody) * odx + (p(y1, x0) * dy) * odx
    v = v + (p(y0, x1) * ody) * dx
    v = v + (p(y1, x1) * dy) * dx
    return np.trunc(v).astype(np.uint8)
