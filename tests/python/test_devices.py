"""Virtual Edge TPUs from ETPU_DEVICES: device strings, per-device SRAM and caching token across
interpreters (reload cost of separately compiled models, none for co-compiled ones), runtime version."""
import re

import numpy as np
import pytest

import etpu
from pycoral.utils import edgetpu
from tflite_runtime.interpreter import load_delegate

A, B = "mobilenet_v1_0.25_128_quant", "mobilenet_v1_0.5_160_quant"


def run(interp):
    interp.allocate_tensors()
    d = interp.get_input_details()[0]
    interp.set_tensor(d["index"], np.full(d["shape"], 100, d["dtype"]))
    interp.invoke()
    return etpu.last_invocation(interp)


def test_list_edge_tpus_and_device_strings(devices):
    devices("usb3,usb3,pcie")
    assert edgetpu.list_edge_tpus() == [
        {"type": "usb", "path": "/sys/bus/usb/devices/etpu-0"},
        {"type": "usb", "path": "/sys/bus/usb/devices/etpu-1"},
        {"type": "pci", "path": "/dev/apex_0"}]
    picks = {spec: load_delegate("libedgetpu.so.1", {"device": spec})._device.index
             for spec in ["", ":0", ":1", ":2", "usb", "usb:0", "usb:1", "pci", "pci:0", "/dev/apex_0"]}
    assert picks == {"": 0, ":0": 0, ":1": 1, ":2": 2, "usb": 0, "usb:0": 0, "usb:1": 1, "pci": 2, "pci:0": 2,
                     "/dev/apex_0": 2}
    for name in ["libedgetpu.so.1.0", "libedgetpu.1.dylib", "edgetpu.dll"]:
        assert load_delegate(name)._device.index == 0
    for spec in ["usb:2", "pci:1", ":3", "tpu", "usb:x", ":"]:
        with pytest.raises(ValueError, match=r"^Failed to load delegate from libedgetpu.so.1"):
            load_delegate("libedgetpu.so.1", {"device": spec})
    with pytest.raises(ValueError, match=r"^Failed to load delegate from libfoo.so"):
        load_delegate("libfoo.so")


def test_default_is_one_usb_device(devices, monkeypatch):
    monkeypatch.delenv("ETPU_DEVICES", raising=False)
    etpu.reset_devices()
    assert edgetpu.list_edge_tpus() == [{"type": "usb", "path": "/sys/bus/usb/devices/etpu-0"}]
    with pytest.raises(ValueError, match="Failed to load delegate"):
        edgetpu.make_interpreter("unused.tflite", device="usb:1")


def test_unknown_host_profile_is_a_clear_error(devices):
    with pytest.raises(ValueError, match="ETPU_DEVICES entry 'usb9'"):
        devices("usb3,usb9")


def test_separately_compiled_models_reload_per_device(devices, compile_models):
    devices("usb3,usb3")
    (a,), (b,) = compile_models(A), compile_models(B)
    a0, b0 = edgetpu.make_interpreter(str(a), device="usb:0"), edgetpu.make_interpreter(str(b), device="usb:0")
    first = run(a0)
    assert first["loaded"] and not first["reused"] and first["sram_bytes_written"] > 0
    assert first["device"] == "usb:0"
    assert run(a0)["reused"]
    switched = run(b0)
    assert switched["cleared"] and switched["loaded"]
    assert run(a0)["cleared"]                                  # back to A: reloaded
    # The other device kept nothing of this: its first run loads, then reuses.
    a1 = edgetpu.make_interpreter(str(a), device="usb:1")
    assert run(a1)["loaded"] and not run(a1)["loaded"]
    # A second interpreter of A on usb:1 loads its own copy (parameters belong to an executable,
    # as in the C++ runtime) without clearing the first one's (same token); both then reuse.
    again = run(edgetpu.make_interpreter(str(a), device="usb:1"))
    assert again["loaded"] and not again["cleared"]
    assert run(a1)["reused"]
    assert etpu.device_state(a1)["token"] == run(a1)["events"][0]["token"]


def test_cocompiled_models_share_the_sram(devices, compile_models):
    devices("usb3")
    a, b = compile_models(A, B)
    ia, ib = edgetpu.make_interpreter(str(a)), edgetpu.make_interpreter(str(b))
    assert run(ia)["loaded"] and run(ib)["loaded"]
    for _ in range(2):
        assert run(ia)["reused"] and run(ib)["reused"]
    assert not any(run(i)["cleared"] for i in (ia, ib))


def test_hosts_change_the_simulated_time_not_the_outputs(devices, compile_models):
    devices("usb3,pcie")
    (a,) = compile_models(A)
    usb, pci = edgetpu.make_interpreter(str(a), device="usb"), edgetpu.make_interpreter(str(a), device="pci")
    t_usb, t_pci = run(usb), run(pci)
    assert t_usb["simulated_ms"] > 0 and t_pci["simulated_ms"] > 0
    assert t_usb["simulated_ms"] != t_pci["simulated_ms"]
    out = usb.get_output_details()[0]["index"]
    assert np.array_equal(usb.get_tensor(out), pci.get_tensor(out))


def test_runtime_version(devices, compile_models):
    devices("usb3", runtime_version=13)
    assert re.fullmatch(r"BuildLabel\(.*\), RuntimeVersion\(13\)", edgetpu.get_runtime_version())
    (a,) = compile_models(A)
    with pytest.raises(ValueError, match=r"Package requires runtime version \(14\), which is newer than this "
                                         r"runtime version \(13\)"):
        edgetpu.make_interpreter(str(a))
    assert edgetpu.set_verbosity(10) is True
