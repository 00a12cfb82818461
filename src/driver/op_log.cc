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

std::vector<OpLogRow> BuildOpLogRows(const std::vector<OperatorVerdict>& verdicts) {
  std::vector<OpLogRow> rows;
  for (const OperatorVerdict& v : verdicts) {
    bool found = false;
    for (auto& r : rows) {
      if (r.op == v.op && r.status == v.status) {
        ++r.count;
        found = true;
        break;
      }
    }
    if (!found) rows.push_back({v.op, 1, v.status});
  }
  return rows;
}

}  // namespace etpu::driver
