"""TFLite tensor type names and their numpy dtypes."""
import numpy as np

DTYPES = {
    "FLOAT32": np.float32, "FLOAT16": np.float16, "FLOAT64": np.float64,
    "INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16, "UINT16": np.uint16,
    "INT32": np.int32, "UINT32": np.uint32, "INT64": np.int64, "UINT64": np.uint64,
    "BOOL": np.bool_, "COMPLEX64": np.complex64, "COMPLEX128": np.complex128,
}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}


def dtype_of(type_name):
    """numpy dtype of a TFLite type name; raises ValueError for types numpy cannot hold here."""
    if type_name not in DTYPES:
        raise ValueError(f"Tensor type {type_name} is not supported by etpu's Python interpreter")
    return np.dtype(DTYPES[type_name])


def name_of(dtype):
    """TFLite's name of a numpy dtype ('NOTYPE' when TFLite has none)."""
    return NAMES.get(np.dtype(dtype), "NOTYPE")
