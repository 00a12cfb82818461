// etpu::Runtime (one virtual Edge TPU per Python Device) and etpu::LoadedModel for Python: tensor
// descriptions as dicts, tensor bytes as numpy uint8 views (the Python side gives them dtype and
// shape), cache events as dicts. invoke() releases the GIL while the model runs, so that Python
// threads invoke models on different virtual Edge TPUs in parallel. A Runtime (one device, its
// SRAM and token) is not thread-safe: the Python side serialises the calls on one device with the
// device's lock (etpu._devices.Device.lock).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <vector>

#include "etpu/runtime.h"
#include "native/status_error.h"

namespace py = pybind11;

namespace etpu::python {
namespace {

py::dict InfoDict(const TensorInfo& t) {
  py::dict d;
  d["name"] = t.name;
  d["index"] = t.index;
  d["type"] = t.type;
  d["shape"] = t.shape;
  d["shape_signature"] = t.shape_signature;
  d["scales"] = t.scale;
  d["zero_points"] = t.zero_point;
  d["quantized_dimension"] = t.quantized_dimension;
  d["bytes"] = t.bytes;
  d["constant"] = t.constant;
  return d;
}

std::string TokenHex(uint64_t token) { return fmt::format("0x{:016x}", token); }

py::dict EventDict(const CacheEvent& e) {
  py::dict d;
  d["op_index"] = e.op_index;
  d["token"] = TokenHex(e.token);
  d["cleared"] = e.cache_cleared;
  d["loaded"] = e.parameters_loaded;
  d["reused"] = e.parameters_reused;
  d["sram_bytes_written"] = e.sram_bytes_written;
  d["streamed_bytes"] = e.streamed_bytes;
  d["simulated_ms"] = e.simulated_ms;
  return d;
}

LoadedModel& Model(py::object& self) { return self.cast<LoadedModel&>(); }

/// Tensor t's bytes as a uint8 array: a writable view owned by `self` for activations, inputs and
/// outputs; a read-only copy for constants.
py::array TensorBytes(py::object self, int t) {
  LoadedModel& m = Model(self);
  const TensorInfo info = m.tensor(t);
  if (info.index < 0) throw py::value_error(fmt::format("Tensor index {} out of range (the model has {})", t, m.num_tensors()));
  std::span<uint8_t> w = m.mutable_tensor_data(t);
  if (!w.empty()) {
    // The view owns a handle on the storage, so it stays valid after a resize replaces it.
    auto* storage = new std::shared_ptr<const void>(m.tensor_storage());
    py::capsule owner(storage, [](void* p) { delete static_cast<std::shared_ptr<const void>*>(p); });
    return py::array_t<uint8_t>({static_cast<py::ssize_t>(w.size())}, {1}, w.data(), owner);
  }
  std::span<const uint8_t> r = m.tensor_data(t);
  py::array_t<uint8_t> copy(static_cast<py::ssize_t>(r.size()));
  if (!r.empty()) std::copy(r.begin(), r.end(), copy.mutable_data());
  copy.attr("flags").attr("writeable") = false;
  return copy;
}

}  // namespace

void BindRuntime(py::module_& m) {
  m.attr("DEFAULT_RUNTIME_VERSION") = kDefaultRuntimeVersion;
  m.def("is_compiled_for_real_edgetpu",
        [](py::bytes b) {
          std::string_view v = b;
          return IsCompiledForRealEdgeTpu({reinterpret_cast<const uint8_t*>(v.data()), v.size()});
        },
        "True for a model compiled by Google's compiler (chip 'beagle'), which virtual Edge TPUs cannot run");

  py::class_<LoadedModel>(m, "Model")
      .def_property_readonly("num_inputs", &LoadedModel::num_inputs)
      .def_property_readonly("num_outputs", &LoadedModel::num_outputs)
      .def_property_readonly("num_tensors", &LoadedModel::num_tensors)
      .def("input_tensor_index", &LoadedModel::input_tensor_index)
      .def("output_tensor_index", &LoadedModel::output_tensor_index)
      .def("tensor_info", [](const LoadedModel& lm, int t) { return InfoDict(lm.tensor(t)); })
      .def("tensor_bytes", &TensorBytes, "Tensor bytes: a writable uint8 view, or a read-only copy for constants")
      .def("invoke",
           [](LoadedModel& lm) {
             Status status;
             {
               py::gil_scoped_release unlocked;
               status = lm.Invoke();
             }
             ThrowIfError(status);
           },
           "Runs the model once, without the GIL (hold the device's lock)")
      .def("time_invoke",
           [](LoadedModel& lm, int repeats) {
             if (repeats < 1) throw py::value_error("time_invoke: repeats must be at least 1");
             std::vector<double> seconds;
             seconds.reserve(static_cast<size_t>(repeats));
             Status status;
             {
               py::gil_scoped_release unlocked;
               for (int i = 0; i < repeats && status.ok(); ++i) {
                 const auto start = std::chrono::steady_clock::now();
                 status = lm.Invoke();
                 seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
               }
             }
             ThrowIfError(status);
             return seconds;
           },
           py::arg("repeats"),
           "Invokes `repeats` times in C++ (the baseline of bench/python_invoke_overhead.py); the seconds of each")
      .def("signatures",
           [](const LoadedModel& lm) {
             auto entries = [](const std::vector<SignatureTensor>& list) {
               py::list l;
               for (const auto& e : list) l.append(py::make_tuple(e.name, e.tensor_index));
               return l;
             };
             py::list l;
             for (const auto& s : lm.signatures()) {
               py::dict d;
               d["key"] = s.key;
               d["subgraph_index"] = s.subgraph_index;
               d["inputs"] = entries(s.inputs);
               d["outputs"] = entries(s.outputs);
               l.append(d);
             }
             return l;
           },
           "The SignatureDefs in file order: dicts of key, subgraph_index, inputs and outputs ([(name, tensor index)])")
      .def("reset_state", &LoadedModel::ResetState)
      .def("resize_inputs",
           [](LoadedModel& lm, const std::vector<std::vector<int>>& shapes) { ThrowIfError(lm.ResizeInputs(shapes)); },
           py::arg("shapes"),
           "Gives the inputs these shapes (one per input) and prepares the model again (hold the device's lock); "
           "views taken before keep the old buffers")
      .def("last_events",
           [](const LoadedModel& lm) {
             py::list l;
             for (const auto& e : lm.last_events()) l.append(EventDict(e));
             return l;
           })
      .def("edgetpu_ops", [](const LoadedModel& lm) {
        py::list l;
        for (const auto& x : lm.edgetpu_ops()) {
          py::dict d;
          d["op_index"] = x.op_index;
          d["token"] = TokenHex(x.token);
          d["cached_bytes"] = x.cached_bytes;
          d["streamed_bytes"] = x.streamed_bytes;
          l.append(d);
        }
        return l;
      });

  py::class_<Runtime>(m, "Runtime", "One virtual Edge TPU (its SRAM and caching token) and the CPU interpreter")
      .def(py::init([](const std::string& host, int runtime_version, const std::string& clock) {
             RuntimeOptions o;
             o.num_devices = 1;
             o.host = host;
             o.runtime_version = runtime_version;
             o.clock = clock;
             return ValueOrThrow(Runtime::Create(o));
           }),
           py::arg("host") = "usb3", py::arg("runtime_version") = kDefaultRuntimeVersion, py::arg("clock") = "max")
      .def_property_readonly("runtime_version", &Runtime::runtime_version)
      .def("load_model",
           [](Runtime& rt, py::bytes b, const std::string& name, int num_threads, bool preserve_all_tensors) {
             std::string_view v = b;
             return ValueOrThrow(rt.LoadModelFromBuffer({reinterpret_cast<const uint8_t*>(v.data()), v.size()}, name, 0,
                                                        ModelOptions{num_threads, preserve_all_tensors}));
           },
           py::arg("model"), py::arg("name"), py::arg("num_threads") = 0, py::arg("preserve_all_tensors") = false)
      .def("state",
           [](const Runtime& rt) {
             const DeviceState s = rt.device_state(0);
             py::dict d;
             d["token"] = TokenHex(s.current_token);
             d["cached_executables"] = s.cached_executables;
             d["sram_used"] = s.sram_used;
             d["sram_bytes"] = s.sram_bytes;
             return d;
           })
      .def("reset", [](Runtime& rt) { ThrowIfError(rt.ResetDevice(0)); });
}

}  // namespace etpu::python
