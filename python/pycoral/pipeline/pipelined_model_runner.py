"""pycoral.pipeline.pipelined_model_runner: a model split in segments (edgetpu_compiler -n N),
one interpreter per segment, each on its own thread, joined by bounded queues.

    runner = PipelinedModelRunner([interp0, interp1])
    runner.push({'input_name': array}) ... runner.push({})   # {} ends the stream
    outputs = runner.pop()                                    # {'output_name': array}, None at the end

pycoral 1.0's form, lists in the first segment's input order, works too: push([array]) ... push([]),
and pop() then returns a list in the last segment's output order. As in pycoral, an input array is
taken by its element count and type (an image without the batch dimension is fine).
"""
import queue
import threading

import numpy as np

_END = object()


class _Failure:
    """A segment's exception, passed down the pipeline in place of its tensors."""

    def __init__(self, error):
        self.error = error


class PipelinedModelRunner:
    """Runs segment interpreters as a pipeline; tensors travel by name from one segment to the next."""

    def __init__(self, interpreters):
        if not isinstance(interpreters, (list, tuple)) or not interpreters:
            raise ValueError("interpreters must be a non-empty list of Interpreter, one per segment")
        for interp in interpreters:
            for attr in ("get_input_details", "invoke", "tensor"):
                if not hasattr(interp, attr):
                    raise ValueError(f"interpreters must be Interpreter objects; got {type(interp).__name__}")
            interp.allocate_tensors()
        # Each segment's inputs must come from the first segment's inputs or earlier outputs.
        available = {d["name"] for d in interpreters[0].get_input_details()}
        for k, interp in enumerate(interpreters):
            missing = sorted({d["name"] for d in interp.get_input_details()} - available)
            if missing:
                raise ValueError(f"Interpreter {k} can not get its input tensors: {missing} are neither inputs "
                                 f"of the first segment nor outputs of an earlier one")
            available |= {d["name"] for d in interp.get_output_details()}
        self._interpreters = list(interpreters)
        self._as_list = False
        self._input_queue_size = 0
        self._output_queue_size = 0
        self._queues = None
        self._threads = []
        self._error = None
        self._pushed_end = False
        self._popped_end = False

    def interpreters(self):
        return list(self._interpreters)

    def set_input_queue_size(self, size):
        """Bounds the queue before the first segment (0: unbounded); before the first push."""
        self._check_not_started("set_input_queue_size")
        self._input_queue_size = max(0, int(size))

    def set_output_queue_size(self, size):
        """Bounds the queue after the last segment (0: unbounded); before the first push."""
        self._check_not_started("set_output_queue_size")
        self._output_queue_size = max(0, int(size))

    def _check_not_started(self, what):
        if self._queues is not None:
            raise RuntimeError(f"{what} must be called before the first push()")

    def _start(self):
        n = len(self._interpreters)
        sizes = [self._input_queue_size] + [0] * (n - 1) + [self._output_queue_size]
        self._queues = [queue.Queue(maxsize=s) for s in sizes]
        for k, interp in enumerate(self._interpreters):
            t = threading.Thread(target=self._segment, args=(k, interp), daemon=True,
                                 name=f"PipelinedModelRunner segment {k}")
            t.start()
            self._threads.append(t)

    def _segment(self, k, interp):
        source, sink = self._queues[k], self._queues[k + 1]
        inputs, outputs = interp.get_input_details(), interp.get_output_details()
        last = k + 1 == len(self._interpreters)
        while True:
            item = source.get()
            if item is _END:
                sink.put(_END)
                return
            if not isinstance(item, _Failure):
                try:
                    for d in inputs:
                        if d["name"] not in item:
                            raise ValueError(f"segment {k}: no tensor named '{d['name']}' among {sorted(item)}")
                        _copy_into(interp, d, np.asarray(item[d["name"]]), k)
                    interp.invoke()
                    produced = {d["name"]: interp.get_tensor(d["index"]) for d in outputs}
                    item = produced if last else {**item, **produced}
                except Exception as e:  # noqa: BLE001 - travels to pop(), which raises it
                    self._error = e
                    item = _Failure(e)
            sink.put(item)

    def push(self, input_tensors):
        """Queues one set of input tensors ({name: array}, or a list in input order); {}, [] or
        None ends the stream. Returns True when queued, False after the stream ended or a segment
        failed."""
        if isinstance(input_tensors, (list, tuple)):
            input_tensors = self._named(input_tensors)
        if input_tensors is not None and not isinstance(input_tensors, dict):
            raise ValueError("input_tensors must be a dict {input tensor name: numpy array} or a list of "
                             "numpy arrays in input order")
        if self._pushed_end or self._error is not None:
            return False
        names = {d["name"] for d in self._interpreters[0].get_input_details()}
        if input_tensors and set(input_tensors) != names:
            raise ValueError(f"input_tensors must name exactly the first segment's inputs {sorted(names)}; "
                             f"got {sorted(input_tensors)}")
        if self._queues is None:
            self._start()
        if not input_tensors:
            self._pushed_end = True
            self._queues[0].put(_END)
            return True
        self._queues[0].put(dict(input_tensors))
        return True

    def pop(self):
        """The output tensors of the oldest pushed inputs ({name: array}); None once the stream
        has ended (after push({})). Raises the error of a failed segment."""
        if self._popped_end:
            return None
        if self._queues is None:
            raise RuntimeError("pop() before any push()")
        item = self._queues[-1].get()
        if isinstance(item, _Failure):
            raise RuntimeError(f"a pipeline segment failed: {item.error}") from item.error
        if item is _END:
            self._popped_end = True
            for t in self._threads:
                t.join()
            return None
        if self._as_list:
            return [item[d["name"]] for d in self._interpreters[-1].get_output_details()]
        return item

    def _named(self, tensors):
        """pycoral 1.0's list form as {name: array}; its checks and error words."""
        details = self._interpreters[0].get_input_details()
        if tensors and len(tensors) != len(details):
            raise ValueError(f"Expected input of length {len(details)}, but got {len(tensors)}")
        for tensor, d in zip(tensors, details):
            if not isinstance(tensor, np.ndarray) or tensor.dtype != d["dtype"]:
                raise ValueError(f"Input should be a list of numpy array of type {np.dtype(d['dtype']).name}")
        self._as_list = True
        return {d["name"]: tensor for tensor, d in zip(tensors, details)}


def _copy_into(interp, details, array, k):
    """Copies `array` into the input tensor `details` of segment k by element count and type, as
    pycoral's runner does (the shape may differ, e.g. no batch dimension)."""
    target = interp.tensor(details["index"])()
    if array.dtype != target.dtype:
        raise ValueError(f"segment {k}: tensor '{details['name']}' is {array.dtype.name}; expected {target.dtype.name}")
    if array.size != target.size:
        raise ValueError(f"segment {k}: tensor '{details['name']}' has {array.size} elements; expected "
                         f"{target.size} (shape {list(target.shape)})")
    target.reshape(-1)[:] = array.reshape(-1)
