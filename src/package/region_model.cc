#include "package/region_model.h"

#include <string>

#include "tflite/region_reader.h"

namespace etpu::package {

Result<RegionModel> UnpackRegionModel(const Program& program, std::string_view what) {
  ETPU_ASSIGN_OR_RETURN(tflite::ZeroFilledModel region, tflite::ReadRegionModel(program.region_model, std::string(what)));
  RegionModel out;
  out.model = std::make_shared<const ir::Model>(std::move(region.model));
  for (const tflite::ZeroFilledInput& f : region.filled) out.emptied.push_back({f.tensor, f.op_index, f.slot});
  return out;
}

}  // namespace etpu::package
