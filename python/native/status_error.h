// Turns an etpu::Status into a Python exception: etpu._native.Error (a RuntimeError) whose text
// is the Status's ("Invalid argument: ..."); the Python packages map it to TFLite's exceptions.
#pragma once

#include <pybind11/pybind11.h>

#include "etpu/status.h"

namespace etpu::python {

/// The exception class, registered by the module (module.cc).
pybind11::object& ErrorClass();

/// Throws the Status as etpu._native.Error when it is not OK.
inline void ThrowIfError(const Status& s) {
  if (s.ok()) return;
  PyErr_SetString(ErrorClass().ptr(), s.ToString().c_str());
  throw pybind11::error_already_set();
}

template <typename T>
T ValueOrThrow(Result<T> r) {
  ThrowIfError(r.status());
  return std::move(r).value();
}

void BindRuntime(pybind11::module_& m);
void BindCompiler(pybind11::module_& m);

}  // namespace etpu::python
