// include/etpu/zoo.h: the public zoo facade.
#include "etpu/zoo.h"

#include "zoo/zoo.h"

namespace etpu {

std::vector<std::string> ZooModelNames() { return zoo::ZooNames(); }

Result<std::vector<uint8_t>> GenerateZooModel(const std::string& name) { return zoo::GenerateZooModel(name); }

}  // namespace etpu
