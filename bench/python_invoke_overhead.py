#!/usr/bin/env python3
"""Python invoke() overhead against the C++ runtime, in the same run (issue 16's target: under 3%).

For each model, compiled in memory by etpu's compiler: the median time of
tflite_runtime.interpreter.Interpreter.invoke() (the Python API a Coral app calls), against the
median time of the same model's C++ LoadedModel::Invoke timed in C++ (etpu._native time_invoke),
interleaved in rounds so that both see the same machine load. Prints one line per model and, with
--json, a JSON document.

    PYTHONPATH=build/python python3 bench/python_invoke_overhead.py [--repeats 200] [--json]
"""
import argparse
import json
import os
import pathlib
import statistics
import sys
import time

from etpu import _native
from tflite_runtime.interpreter import Interpreter, load_delegate

MODELS = ("mobilenet_v1_0.25_128_quant", "mobilenet_v2_1.0_224_quant")


def models_dir():
    shared = os.environ.get("ETPU_SHARED_DIR") or pathlib.Path(__file__).resolve().parents[2] / "shared"
    return pathlib.Path(shared) / "testdata" / "models"


def measure(stem, repeats, rounds):
    source = models_dir() / f"{stem}.tflite"
    compiled = _native.compile([(source.read_bytes(), source.name)])[0]
    interp = Interpreter(model_content=compiled, experimental_delegates=[load_delegate("libedgetpu.so.1")])
    interp.allocate_tensors()
    native = interp._etpu_model
    python_s, cpp_s = [], []
    interp.invoke()  # warm-up
    for _ in range(rounds):
        for _ in range(repeats // rounds):
            start = time.perf_counter()
            interp.invoke()
            python_s.append(time.perf_counter() - start)
        cpp_s.extend(native.time_invoke(repeats // rounds))
    py_ms, cpp_ms = statistics.median(python_s) * 1e3, statistics.median(cpp_s) * 1e3
    return {"model": stem, "repeats": len(python_s), "python_ms": py_ms, "cpp_ms": cpp_ms,
            "overhead_ratio": py_ms / cpp_ms - 1}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="invocations per model and side (default 200)")
    parser.add_argument("--json", action="store_true", help="print a JSON document")
    args = parser.parse_args()
    if args.repeats < 10:
        parser.error("--repeats must be at least 10")
    missing = [m for m in MODELS if not (models_dir() / f"{m}.tflite").is_file()]
    if missing:
        sys.exit(f"python_invoke_overhead: {models_dir()} lacks {', '.join(missing)}.tflite (set ETPU_SHARED_DIR)")
    results = [measure(m, args.repeats, rounds=10) for m in MODELS]
    if args.json:
        print(json.dumps({"benchmark": "python_invoke_overhead", "results": results}, indent=2))
        return
    for r in results:
        print(f"{r['model']:32s} python {r['python_ms']:8.3f} ms  C++ {r['cpp_ms']:8.3f} ms  "
              f"overhead {100 * r['overhead_ratio']:+.2f}%  ({r['repeats']} invokes each)")


if __name__ == "__main__":
    main()
