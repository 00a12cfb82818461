// etpu::Compile for Python: model bytes in, compiled model bytes out (nothing written), so that a
// Google-compiled file can be replaced by our compilation of its source in memory.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "etpu/compiler.h"
#include "native/status_error.h"

namespace py = pybind11;

namespace etpu::python {

void BindCompiler(py::module_& m) {
  m.def(
      "compile",
      [](const std::vector<std::pair<py::bytes, std::string>>& models, int num_segments) {
        std::vector<std::string> storage;
        storage.reserve(models.size());
        std::vector<ModelInput> inputs;
        for (const auto& [b, name] : models) {
          storage.emplace_back(std::string_view(b));
          const std::string& s = storage.back();
          inputs.push_back(ModelInput::FromBytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}, name));
        }
        CompileOptions o;
        o.num_segments = num_segments;
        std::optional<Result<CompileResult>> compiled;
        {
          py::gil_scoped_release unlocked;  // The inputs are copies: other Python threads may run.
          compiled.emplace(Compile(inputs, o));
        }
        CompileResult r = ValueOrThrow(std::move(*compiled));
        if (!r.ok) {
          std::string msg = r.failure ? r.failure->message : "compilation failed";
          if (r.failure && !r.failure->details.empty()) msg += ": " + r.failure->details;
          ThrowIfError(InvalidArgumentError(msg));
        }
        py::list out;
        for (const auto& mr : r.models) out.append(py::bytes(reinterpret_cast<const char*>(mr.model.data()), mr.model.size()));
        return out;
      },
      py::arg("models"), py::arg("num_segments") = 1,
      "Compiles [(bytes, name), ...] (two or more: co-compiled) with etpu's compiler; returns the output models' bytes");
}

}  // namespace etpu::python
