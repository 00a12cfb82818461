"""pycoral.adapters.segment: output of a semantic segmentation model."""
from pycoral.adapters import common


def get_output(interpreter):
    """Output 0 without its batch dimension: [height, width] class ids, or
    [height, width, classes] scores when the model does not take the argmax itself."""
    output = common.output_tensor(interpreter, 0)
    return output[0] if output.ndim in (3, 4) and output.shape[0] == 1 else output
