"""bench/python_invoke_overhead.py stays runnable: one short measurement gives both sides' times
(the ratio itself is the benchmark's to report, not a test's)."""
import importlib.util
import math

from conftest import REPO, shared


def test_overhead_benchmark_measures_both_sides(devices):
    devices("usb3")
    shared("testdata/models/mobilenet_v1_0.25_128_quant.tflite")
    spec = importlib.util.spec_from_file_location("python_invoke_overhead", REPO / "bench" / "python_invoke_overhead.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.measure("mobilenet_v1_0.25_128_quant", repeats=10, rounds=2)
    assert result["repeats"] == 10
    assert result["python_ms"] > 0 and result["cpp_ms"] > 0
    assert math.isfinite(result["overhead_ratio"])
