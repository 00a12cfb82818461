#include "package/region_model.h"

#include <string>

#include "tflite/region_reader.h"

namespace etpu::package {

Result<RegionModel> UnpackRegionModel(const Program& program, std::string_view what) {
  ETPU_ASSIGN_OR_RETURN(tflite::ZeroFilledModel region, tflite::ReadRegionModel(program.region_model, std::string(what)));
  RegionModel out;
  // The model views the reader's zeros: they live as long as it does.
  out.model = std::shared_ptr<const ir::Model>(new ir::Model(std::move(region.model)),
                                               [zeros = std::move(region.zeros)](const ir::Model* m) { delete m; });
  for (const tflite::ZeroFilledInput& f : region.filled) out.emptied.push_back({f.tensor, f.op_index, f.slot});
  return out;
}

}  // namespace etpu::package
