// Internal: the pieces every TF-slim Inception builder (v1-v4) repeats: a chain of ReLU
// convolutions inside one branch scope, the grid-reduction module and the slim classifier head.
#pragma once

#include <string>
#include <vector>

#include "zoo/net_builder.h"

namespace etpu::zoo {

/// One ReLU convolution of a branch: `name` is its slim scope inside the branch
/// (e.g. "Conv2d_0b_1x7").
struct BranchConv {
  const char* name;
  int cout;
  int kh;
  int kw;
  int stride = 1;
  ir::Padding padding = ir::Padding::SAME;
};

/// Applies `convs` in order to `x`, each named `scope + "/" + conv.name`; returns the last output.
int ConvChain(NetBuilder& b, int x, const std::string& scope, const std::vector<BranchConv>& convs);

/// The pool branch of an Inception module: a 3x3 stride-1 SAME pool (`branch/AvgPool_0a_3x3`, or
/// `branch/MaxPool_0a_3x3` with `max_pool`) and a 1x1 ReLU projection to `cout` (`branch/Conv2d_0b_1x1`).
int PoolProjection(NetBuilder& b, int x, const std::string& branch, int cout, bool max_pool = false);

/// A grid-reduction module: one conv chain per entry of `branches` (scopes `scope/Branch_<i>`),
/// then a 3x3 stride-2 max pool with `pool_padding` as the last branch, concatenated on channels.
int ReductionModule(NetBuilder& b, int x, const std::string& scope, const std::vector<std::vector<BranchConv>>& branches,
                    ir::Padding pool_padding);

/// Slim's head with 1x1-conv logits: average pool over the whole map (VALID), 1x1 convolution to
/// `classes` (no activation), RESHAPE to [1, classes] and SOFTMAX. Returns the softmax output.
int ConvLogitsHead(NetBuilder& b, int x, int classes, const std::string& pool_name, const std::string& logits_name,
                   const std::string& squeeze_name, const std::string& softmax_name);

}  // namespace etpu::zoo
