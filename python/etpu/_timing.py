"""What the virtual Edge TPUs simulate: the last invocation's cache events and time."""


def _model_of(interpreter):
    model = getattr(interpreter, "_etpu_model", None)
    if model is None:
        raise ValueError("not an etpu interpreter, or allocate_tensors() was not called")
    return model


def last_invocation(interpreter):
    """The last invoke() of `interpreter`: one event per Edge TPU executable it ran (dicts with
    op_index, token, cleared, loaded, reused, sram_bytes_written, streamed_bytes, simulated_ms),
    their totals, and the device. A CPU-only model has no events and 0 ms."""
    events = _model_of(interpreter).last_events()
    device = getattr(interpreter, "_etpu_device", None)
    return {
        "device": None if device is None else f"{device.type}:{device.kind_index}",
        "events": events,
        "cleared": any(e["cleared"] for e in events),
        "loaded": any(e["loaded"] for e in events),
        "reused": bool(events) and all(e["reused"] for e in events),
        "sram_bytes_written": sum(e["sram_bytes_written"] for e in events),
        "streamed_bytes": sum(e["streamed_bytes"] for e in events),
        "simulated_ms": sum(e["simulated_ms"] for e in events),
    }


def device_state(interpreter):
    """The state of the device `interpreter` runs on: caching token, cached executables, SRAM."""
    _model_of(interpreter)
    device = interpreter._etpu_device
    with device.lock:
        return device.runtime.state()
