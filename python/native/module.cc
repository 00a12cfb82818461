// etpu._native: the thin binding of etpu's public C++ API (include/etpu/) that the Python packages
// (tflite_runtime, pycoral, etpu) are written on. Logic lives in the C++ library or in Python.
#include <pybind11/pybind11.h>

#include "native/status_error.h"

namespace etpu::python {

pybind11::object& ErrorClass() {
  // Created at import and kept for the life of the process (never destroyed after Python ends).
  static auto* cls = new pybind11::object(pybind11::reinterpret_steal<pybind11::object>(
      PyErr_NewException("etpu._native.Error", PyExc_RuntimeError, nullptr)));
  return *cls;
}

}  // namespace etpu::python

PYBIND11_MODULE(_native, m) {
  m.doc() = "etpu's runtime and compiler (virtual Edge TPUs); use tflite_runtime, pycoral or etpu instead";
  m.attr("Error") = etpu::python::ErrorClass();
  etpu::python::BindRuntime(m);
  etpu::python::BindCompiler(m);
}
