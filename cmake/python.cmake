# Finds Debian's Python 3 (with numpy) and pybind11 before the option is declared, so that
# ETPU_BUILD_PYTHON defaults to ON exactly when both are there (and the build is not sanitized).
# The native module links the one combined static library (etpu_lib), so every object is built
# position-independent when it is on.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python used for the etpu Python packages and their tests")
endif()
find_package(Python3 COMPONENTS Interpreter Development.Module QUIET)
set(etpu_python_found OFF)
if(Python3_FOUND)
  find_package(pybind11 CONFIG QUIET)
  if(pybind11_FOUND)
    set(etpu_python_found ON)
  endif()
endif()
# Off by default in sanitizer and fuzzing builds: a sanitized module cannot be loaded by a plain
# Python (scripts/test.sh turns it on in the TSan tree and preloads the TSan runtime).
set(etpu_python_default ${etpu_python_found})
if(ETPU_SANITIZE OR ETPU_TSAN OR ETPU_FUZZ)
  set(etpu_python_default OFF)
endif()
option(ETPU_BUILD_PYTHON "Build the Python packages (tflite_runtime, pycoral, etpu) into build/python" ${etpu_python_default})
if(ETPU_BUILD_PYTHON)
  if(NOT etpu_python_found)
    message(FATAL_ERROR "ETPU_BUILD_PYTHON needs pybind11 (pybind11-dev) and Python 3 headers (python3-dev)")
  endif()
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
endif()
