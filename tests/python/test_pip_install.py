"""The pip route of docs/PYTHON.md: `pip install --no-build-isolation --no-index build/python`
installs etpu (with its built module), tflite_runtime and pycoral without downloads; an app run
from the installed copy alone gives the same outputs as the build folder."""
import os
import pathlib
import subprocess
import sys

import numpy as np

import etpu
from conftest import shared
from tflite_runtime.interpreter import Interpreter

APP = """
import sys
import numpy as np
import etpu
from pycoral.utils.edgetpu import list_edge_tpus
from tflite_runtime.interpreter import Interpreter
assert etpu.__file__.startswith(sys.argv[1]), etpu.__file__
assert list_edge_tpus()
interp = Interpreter(model_path=sys.argv[2])
interp.allocate_tensors()
x = np.arange(256, dtype=np.uint8).reshape(1, 256)
interp.set_tensor(interp.get_input_details()[0]["index"], x)
interp.invoke()
sys.stdout.write(interp.get_tensor(interp.get_output_details()[0]["index"]).tobytes().hex())
"""


def test_pip_installs_the_build_folder_without_downloads(tmp_path):
    model = shared("testdata/small/dense_256.tflite")
    build_python = pathlib.Path(etpu.__file__).resolve().parents[1]
    assert (build_python / "setup.py").exists(), f"{build_python} has no setup.py (python/CMakeLists.txt writes it)"
    target = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-index",
                    "--no-deps", "--no-cache-dir", "--disable-pip-version-check", "--target", str(target),
                    str(build_python)], check=True, env=env, cwd=tmp_path, capture_output=True)
    assert (target / "etpu" / pathlib.Path(etpu._native.__file__).name).exists()
    run = subprocess.run([sys.executable, "-c", APP, str(target), str(model)], env=dict(env, PYTHONPATH=str(target)),
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr

    interp = Interpreter(model_path=str(model))
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], np.arange(256, dtype=np.uint8).reshape(1, 256))
    interp.invoke()
    assert run.stdout == interp.get_tensor(interp.get_output_details()[0]["index"]).tobytes().hex()
