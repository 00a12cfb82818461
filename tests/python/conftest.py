"""Shared fixtures of the Python tests: the shared test data, models compiled by etpu's compiler
(once per session, in memory, written to a temporary folder), fresh virtual devices."""
import os
import pathlib

import pytest

import etpu
from etpu import _native

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("ETPU_SHARED_DIR") or REPO.parent / "shared")
MODELS = SHARED / "testdata" / "models"
IMAGES = SHARED / "testdata" / "images"


def shared(relative):
    """Path of a shared file; skips the test when ../shared is absent (fails with ETPU_REQUIRE_SHARED=1)."""
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("ETPU_REQUIRE_SHARED") == "1":
            pytest.fail(f"missing shared file {path} (ETPU_REQUIRE_SHARED=1)")
        pytest.skip(f"shared file {path} not found: ../shared is absent (fresh clone?)")
    return path


def etpu_tool():
    """The etpu command-line tool of this build (ETPU_TOOL, else build/tools/etpu); skips when absent."""
    tool = os.environ.get("ETPU_TOOL") or str(REPO / "build" / "tools" / "etpu")
    if not os.path.exists(tool):
        pytest.skip(f"the etpu tool {tool} is not built")
    return tool


@pytest.fixture(scope="session")
def compiled_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("compiled")


_cache = {}


@pytest.fixture(scope="session")
def compile_models(compiled_dir):
    """compile_models(*stems) -> paths of <stem>_edgetpu.tflite compiled by etpu (co-compiled
    when several stems are given), written to a session folder."""

    def compile_(*stems):
        key = tuple(stems)
        if key not in _cache:
            inputs = [(shared(f"testdata/models/{s}.tflite").read_bytes(), f"{s}.tflite") for s in stems]
            outputs = _native.compile(inputs)
            folder = compiled_dir / ("_".join(stems) if len(stems) > 1 else "single")
            folder.mkdir(exist_ok=True)
            paths = []
            for stem, data in zip(stems, outputs):
                path = folder / f"{stem}_edgetpu.tflite"
                path.write_bytes(data)
                paths.append(path)
            _cache[key] = paths
        return _cache[key]

    return compile_


@pytest.fixture
def devices(monkeypatch):
    """devices('usb3,usb3,pcie'): fresh virtual devices from ETPU_DEVICES (and back afterwards)."""

    def make(spec, runtime_version=None):
        monkeypatch.setenv("ETPU_DEVICES", spec)
        if runtime_version is None:
            monkeypatch.delenv("ETPU_RUNTIME_VERSION", raising=False)
        else:
            monkeypatch.setenv("ETPU_RUNTIME_VERSION", str(runtime_version))
        etpu.reset_devices()
        return etpu.list_devices()

    yield make
    etpu.reset_devices()
