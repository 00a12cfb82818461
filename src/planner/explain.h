// `etpu plan --explain`: why the plan is what it is, in words, each reason a comparison with an
// alternative plan that the same cost (EvaluatePlan) prices:
//   - a co-compiled group: the same models compiled apart on the same TPU (every switch between
//     them then reloads parameters);
//   - a group alone among others on its TPU: the same model co-compiled into each other group there;
//   - every model: the best of moving it to each other TPU, alone there or into each group there
//     (never onto a TPU that runs another part of it: two stages or replicas of one model never
//     share a TPU);
//   - a split model (pipelined or replicated, planner/pipeline.h): the best plan with every model
//     whole (ExplainSplits).
// An alternative the compiler refuses is said so. For the exact optimum no alternative is better
// (explain_test checks it); for the local search one may be, and the text then says so.
#pragma once

#include <string>
#include <vector>

#include "etpu/status.h"
#include "planner/evaluate.h"
#include "planner/pipeline.h"

namespace etpu::planner {

struct Explanation {
  std::string kind;              ///< "co_compiled", "kept_apart", "placement", "split".
  int device = -1;               ///< The TPU the decision is about.
  std::vector<int> models;       ///< The models it is about (indices into Problem::models).
  std::string text;              ///< One sentence or two, with the numbers.
  Plan alternative;              ///< The plan compared with.
  bool alternative_ok = false;   ///< The alternative compiles (else `alternative_error`).
  std::string alternative_error;
  Objective alternative_objective;
};

/// The explanations of `best` (a plan of `coster`'s problem), in device order.
Result<std::vector<Explanation>> ExplainPlan(GroupCoster& coster, const PlanEval& best);

/// Why models are split: the plan `chosen` (with `splits` applied to `base`) against `whole`, the
/// best plan with every model whole. `models` holds indices into `base`; no `alternative` plan
/// (it belongs to the whole problem).
Explanation ExplainSplits(const Problem& base, const Splits& splits, const Objective& whole, const Objective& chosen);

}  // namespace etpu::planner
