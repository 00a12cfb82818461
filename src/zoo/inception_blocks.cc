#include "zoo/inception_blocks.h"

#include <string>
#include <vector>

namespace etpu::zoo {

int ConvChain(NetBuilder& b, int x, const std::string& scope, const std::vector<BranchConv>& convs) {
  for (const BranchConv& c : convs) {
    x = b.Conv(x, c.cout, c.kh, c.kw, c.stride, Act::kRelu, scope + "/" + c.name, c.padding);
  }
  return x;
}

int PoolProjection(NetBuilder& b, int x, const std::string& branch, int cout, bool max_pool) {
  const int p = max_pool ? b.MaxPool(x, 3, 3, 1, ir::Padding::SAME, branch + "/MaxPool_0a_3x3")
                         : b.AvgPool(x, 3, 3, 1, ir::Padding::SAME, branch + "/AvgPool_0a_3x3");
  return ConvChain(b, p, branch, {{"Conv2d_0b_1x1", cout, 1, 1}});
}

int ReductionModule(NetBuilder& b, int x, const std::string& scope, const std::vector<std::vector<BranchConv>>& branches,
                    ir::Padding pool_padding) {
  std::vector<int> outs;
  for (size_t i = 0; i < branches.size(); ++i) {
    outs.push_back(ConvChain(b, x, scope + "/Branch_" + std::to_string(i), branches[i]));
  }
  const std::string pool_scope = scope + "/Branch_" + std::to_string(branches.size());
  outs.push_back(b.MaxPool(x, 3, 3, 2, pool_padding, pool_scope + "/MaxPool_1a_3x3"));
  return b.Concat(outs, 3, scope + "/concat");
}

int ConvLogitsHead(NetBuilder& b, int x, int classes, const std::string& pool_name, const std::string& logits_name,
                   const std::string& squeeze_name, const std::string& softmax_name) {
  const std::vector<int32_t> shape = b.Shape(x);  // a copy: the builder grows its tensor table
  x = b.AvgPool(x, shape[1], shape[2], 1, ir::Padding::VALID, pool_name);
  x = b.Conv(x, classes, 1, 1, Act::kNone, logits_name);
  x = b.Reshape(x, {1, classes}, squeeze_name);
  return b.Softmax(x, softmax_name);
}

}  // namespace etpu::zoo
