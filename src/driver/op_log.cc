#include "driver/op_log.h"

namespace etpu::driver {

std::vector<support::OpStatus> OperatorStatuses(const std::vector<support::SupportDecision>& decisions,
                                                const partition::Partition& partition) {
  std::vector<support::OpStatus> out(decisions.size());
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (partition.region_of[i] >= 0) {
      out[i] = support::OpStatus::kMapped;
    } else if (decisions[i].supported) {
      out[i] = support::OpStatus::kMoreThanOneSubgraph;
    } else {
      out[i] = decisions[i].status;
    }
  }
  return out;
}

std::vector<OpLogRow> BuildOpLogRows(const ir::Model& model, const std::vector<support::OpStatus>& statuses) {
  std::vector<OpLogRow> rows;
  for (size_t i = 0; i < model.ops.size() && i < statuses.size(); ++i) {
    std::string name = model.ops[i].name();
    std::string status = support::StatusText(statuses[i]);
    bool found = false;
    for (auto& r : rows) {
      if (r.op == name && r.status == status) {
        ++r.count;
        found = true;
        break;
      }
    }
    if (!found) rows.push_back({name, 1, status});
  }
  return rows;
}

}  // namespace etpu::driver
