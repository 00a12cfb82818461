#include "planner/group_cost.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "cache/cache_plan.h"
#include "tflite/model_reader.h"

namespace etpu::planner {
namespace {

// Cached and streamed parameter bytes per region of one compiled model.
Status RegionBytes(const ModelResult& m, std::vector<int64_t>& cached, std::vector<int64_t>& streamed) {
  cached.assign(m.regions.size(), 0);
  streamed.assign(m.regions.size(), 0);
  for (const auto& l : m.layers) {
    if (l.region < 0 || static_cast<size_t>(l.region) >= m.regions.size() || l.bytes < 0) {
      return InternalError(fmt::format("plan: '{}': a layer placement names region {} of {}", m.input_name, l.region,
                                       m.regions.size()));
    }
    (l.cached ? cached : streamed)[static_cast<size_t>(l.region)] += l.bytes;
  }
  return OkStatus();
}

std::string FailureText(const CompileResult& r) {
  if (!r.failure) return "the compilation failed";
  std::string s = r.failure->message;
  if (!r.failure->model_name.empty()) s = fmt::format("{}: {}", r.failure->model_name, s);
  if (!r.failure->details.empty()) s += " (" + r.failure->details + ")";
  return s;
}

// Whether operator `op_index` of a compiled model is a depthwise convolution (the ranking
// policies' first key); error when the model has no verdict for it.
Result<bool> Depthwise(const ModelResult& m, int op_index) {
  // The verdicts are listed by operator index; look there first.
  const auto i = static_cast<size_t>(op_index);
  if (op_index >= 0 && i < m.operators.size() && m.operators[i].op_index == op_index) {
    return m.operators[i].op == "DEPTHWISE_CONV_2D";
  }
  const auto op = std::find_if(m.operators.begin(), m.operators.end(),
                               [&](const OperatorVerdict& v) { return v.op_index == op_index; });
  if (op == m.operators.end()) {
    return InternalError(fmt::format("plan: '{}': a layer placement names operator {} without a verdict",
                                     m.input_name, op_index));
  }
  return op->op == "DEPTHWISE_CONV_2D";
}

// Layers of one compiled model cached, per rank (bytes, depthwise).
Result<std::map<std::pair<int64_t, bool>, int>> CachedLayers(const ModelResult& m) {
  std::map<std::pair<int64_t, bool>, int> out;
  for (const auto& l : m.layers) {
    ETPU_ASSIGN_OR_RETURN(bool dw, Depthwise(m, l.op_index));
    if (l.cached) ++out[{l.bytes, dw}];
  }
  return out;
}

std::vector<ModelInput> Inputs(const Problem& p, const std::vector<int>& order) {
  std::vector<ModelInput> in;
  for (int i : order) in.push_back(ModelInput::FromParsed(p.models[static_cast<size_t>(i)].parsed));
  return in;
}

}  // namespace

Result<std::unique_ptr<GroupCoster>> GroupCoster::Create(const Problem& problem) { return Create(problem, nullptr); }

Result<std::unique_ptr<GroupCoster>> GroupCoster::Create(const Problem& problem, const GroupCoster* donor) {
  std::unique_ptr<GroupCoster> c(new GroupCoster(problem));
  // Host kinds: devices with the same profile name and clock time identically.
  std::vector<std::pair<std::string, device::Clock>> kinds;
  for (size_t d = 0; d < problem.devices.size(); ++d) {
    const std::pair<std::string, device::Clock> key{problem.devices[d].name, problem.ClockOf(static_cast<int>(d))};
    size_t k = 0;
    while (k < kinds.size() && kinds[k] != key) ++k;
    if (k == kinds.size()) {
      kinds.push_back(key);
      c->kind_device_.push_back(static_cast<int>(d));
    }
    c->device_kind_.push_back(static_cast<int>(k));
  }
  CompileOptions built;
  built.emulate = problem.emulate;
  for (size_t i = 0; i < problem.models.size(); ++i) {
    const PlanModel& m = problem.models[i];
    if (donor != nullptr) {
      const auto& given = donor->problem().models;
      const auto same = std::find_if(given.begin(), given.end(), [&](const PlanModel& d) { return d.parsed == m.parsed; });
      if (same != given.end()) {
        c->solo_.push_back(donor->solo_.at(static_cast<size_t>(same - given.begin())));
        continue;
      }
    }
    std::vector<ModelInput> in{ModelInput::FromParsed(m.parsed)};
    ETPU_ASSIGN_OR_RETURN(CompileResult r, Compile(in, built));
    ++c->compilations_;
    if (!r.ok || r.models.size() != 1) {
      return FailedPreconditionError(fmt::format("plan: '{}' does not compile: {}", m.name, FailureText(r)));
    }
    ETPU_ASSIGN_OR_RETURN(ir::Model compiled, tflite::ReadModelFromBuffer(r.models[0].model, m.file));
    Solo s;
    ETPU_ASSIGN_OR_RETURN(s.cost, perf::ComputeModelCost(compiled, problem.chip));
    ETPU_RETURN_IF_ERROR(RegionBytes(r.models[0], s.region_cached, s.region_streamed));
    ETPU_ASSIGN_OR_RETURN(s.cached_layers, CachedLayers(r.models[0]));
    for (const auto& l : r.models[0].layers) {
      if (!l.cached && l.bytes <= r.models[0].onchip_remaining_bytes) s.never_cached.emplace(l.op_index, l.bytes);
    }
    if (s.region_cached.size() != s.cost.edgetpu_ops.size()) {
      return InternalError(fmt::format("plan: '{}': {} regions but {} edgetpu-custom-ops", m.name,
                                       s.region_cached.size(), s.cost.edgetpu_ops.size()));
    }
    c->solo_.push_back(std::move(s));
  }
  return c;
}

Status GroupCoster::Times(MemberCost& m) const {
  for (int k = 0; k < kinds(); ++k) {
    const int d = DeviceOfKind(k);
    auto t = perf::EstimateModelTime(*m.cost, problem_->chip, problem_->devices[static_cast<size_t>(d)],
                                     problem_->ClockOf(d));
    if (!t.ok()) return t.status().WithContext(fmt::format("plan: timing '{}'", problem_->models[m.model].name));
    m.first_ms.push_back(t->first_ms);
    m.later_ms.push_back(t->later_ms);
  }
  return OkStatus();
}

Result<GroupCoster::Items> GroupCoster::ItemsOf(const CompileResult& r) {
  Items out(r.models.size());
  for (size_t pos = 0; pos < r.models.size(); ++pos) {
    const ModelResult& m = r.models[pos];
    for (const auto& l : m.layers) {
      ETPU_ASSIGN_OR_RETURN(bool dw, Depthwise(m, l.op_index));
      out[pos].push_back(Item{l.op_index, l.region, l.bytes, dw, l.always_streamed, l.cached});
    }
  }
  return out;
}

std::vector<TieGroup> GroupCoster::TieGroups(const Items& items, const std::vector<int>& order) const {
  struct Entry {
    int64_t bytes;
    bool depthwise;
    int model;
    bool cached;
  };
  std::vector<Entry> entries;
  for (size_t pos = 0; pos < items.size(); ++pos) {
    const int mi = order[pos];
    const Solo& solo = solo_[static_cast<size_t>(mi)];
    for (const Item& l : items[pos]) {
      if (!solo.never_cached.empty() && solo.never_cached.contains({l.op_index, l.bytes})) continue;
      entries.push_back(Entry{l.bytes, l.depthwise, mi, l.cached});
    }
  }
  // By rank (bytes, depthwise), then model.
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    if (x.bytes != y.bytes) return x.bytes < y.bytes;
    if (x.depthwise != y.depthwise) return x.depthwise < y.depthwise;
    return x.model < y.model;
  });
  std::vector<TieGroup> out;
  for (size_t i = 0; i < entries.size();) {
    size_t end = i;
    bool any_cached = false, any_streamed = false;
    int models = 0;
    while (end < entries.size() && entries[end].bytes == entries[i].bytes &&
           entries[end].depthwise == entries[i].depthwise) {
      if (end == i || entries[end].model != entries[end - 1].model) ++models;
      (entries[end].cached ? any_cached : any_streamed) = true;
      ++end;
    }
    if (any_cached && any_streamed && models >= 2) {
      TieGroup t;
      t.bytes = entries[i].bytes;
      t.depthwise = entries[i].depthwise;
      for (size_t j = i; j < end;) {
        const int mi = entries[j].model;
        int here = 0;
        for (; j < end && entries[j].model == mi; ++j) here += entries[j].cached ? 1 : 0;
        const auto& alone = solo_[static_cast<size_t>(mi)].cached_layers;
        auto a = alone.find({t.bytes, t.depthwise});
        t.cached_layers += here;
        t.models.push_back(mi);
        t.cacheable_at_least.push_back(std::max(here, a == alone.end() ? 0 : a->second));
      }
      out.push_back(std::move(t));
    }
    i = end;
  }
  return out;
}

Result<MemberCost> GroupCoster::Member(int mi, const std::vector<Item>& items, const std::vector<int>& order) {
  const Solo& solo = solo_[static_cast<size_t>(mi)];
  const size_t regions = solo.region_cached.size();
  std::vector<int64_t> key(2 * regions, 0);  // cached per region, then streamed per region
  for (const Item& l : items) {
    if (l.region < 0 || static_cast<size_t>(l.region) >= regions || l.bytes < 0) {
      return InternalError(fmt::format("plan: '{}' in group [{}]: a layer placement names region {} of {}",
                                       problem_->models[mi].name, fmt::join(order, ","), l.region, regions));
    }
    key[(l.cached ? 0 : regions) + static_cast<size_t>(l.region)] += l.bytes;
  }
  auto memo = members_.find({mi, key});
  if (memo != members_.end()) return memo->second;
  MemberCost m;
  m.model = mi;
  auto cost = std::make_shared<perf::ModelCost>(solo.cost);
  for (size_t k = 0; k < regions; ++k) {
    auto& q = cost->edgetpu_ops[k].query;
    q.cached_param_bytes += key[k] - solo.region_cached[k];
    q.streamed_param_bytes += key[regions + k] - solo.region_streamed[k];
    if (q.cached_param_bytes < 0 || q.streamed_param_bytes < 0) {
      return InternalError(fmt::format("plan: '{}' in group [{}]: negative parameter bytes", problem_->models[mi].name,
                                       fmt::join(order, ",")));
    }
    m.onchip_bytes += key[k];
    m.offchip_bytes += key[regions + k];
  }
  m.cost = std::move(cost);
  ETPU_RETURN_IF_ERROR(Times(m));
  members_.emplace(std::make_pair(mi, std::move(key)), m);
  return m;
}

Result<const GroupCost*> GroupCoster::Cost(const std::vector<int>& order) {
  auto it = memo_.find(order);
  if (it != memo_.end()) return it->second.get();
  if (order.empty()) return InvalidArgumentError("plan: an empty group");
  std::set<int> seen;
  for (int i : order) {
    if (i < 0 || static_cast<size_t>(i) >= problem_->models.size() || !seen.insert(i).second) {
      return InvalidArgumentError(fmt::format("plan: group [{}] names a model twice or out of range", fmt::join(order, ",")));
    }
  }
  if (derive_ && order.size() >= 2) {
    std::unique_ptr<GroupCost> d = Derive(order);
    if (!d) {
      ETPU_ASSIGN_OR_RETURN(d, Replay(order));
    }
    if (d) {
      ++derived_;
      const GroupCost* out = d.get();
      memo_.emplace(order, std::move(d));
      return out;
    }
  }
  auto g = std::make_unique<GroupCost>();
  g->order = order;
  CompileOptions plan_only;
  plan_only.build_models = false;
  plan_only.emulate = problem_->emulate;
  const std::vector<ModelInput> in = Inputs(*problem_, order);
  ETPU_ASSIGN_OR_RETURN(CompileResult r, Compile(in, plan_only));
  ++compilations_;
  Items items;
  if (!r.ok || r.models.size() != order.size()) {
    g->error = FailureText(r);
  } else {
    g->ok = true;
    g->cache_policy = r.models.empty() ? std::string() : r.models[0].cache_policy;
    ETPU_ASSIGN_OR_RETURN(items, ItemsOf(r));
    if (g->cache_policy == cache::RankedAcrossModelsPolicy::kName) g->tie_groups = TieGroups(items, order);
    for (size_t pos = 0; pos < order.size(); ++pos) {
      const int mi = order[pos];
      const Solo& solo = solo_[static_cast<size_t>(mi)];
      std::vector<int64_t> cached, streamed;
      ETPU_RETURN_IF_ERROR(RegionBytes(r.models[pos], cached, streamed));
      if (cached.size() != solo.region_cached.size()) {
        return InternalError(fmt::format("plan: '{}' has {} regions in group [{}] but {} alone",
                                         problem_->models[mi].name, cached.size(), fmt::join(order, ","),
                                         solo.region_cached.size()));
      }
      ETPU_ASSIGN_OR_RETURN(MemberCost m, Member(mi, items[pos], order));
      // The compiler's own totals (equal to the sums of its placements).
      m.onchip_bytes = r.models[pos].onchip_bytes;
      m.offchip_bytes = r.models[pos].offchip_bytes;
      g->members.push_back(std::move(m));
    }
  }
  if (g->ok) LearnItems(*g, r, std::move(items));
  if (g->ok) Learn(*g, r);
  const GroupCost* out = g.get();
  memo_.emplace(order, std::move(g));
  return out;
}

// Compiler 15 places the set's models in command-line order, each model's layers ranked among
// themselves and each cached iff it fits what is left (cache::PlaceInRankOrder), so a member's
// placement follows from the capacity left before it. A compiled group is learnt only when its
// bytes add up: the set's capacity minus every member's cached bytes is what the compiler reports
// left (a model without an Edge TPU part reports 0 and caches nothing).
void GroupCoster::Learn(const GroupCost& g, const CompileResult& r) {
  if (g.cache_policy != cache::RankedInModelOrderPolicy::kName || r.models.empty()) return;
  const int64_t capacity = r.models[0].sram.parameter_capacity_bytes;
  int64_t left = capacity;
  for (const ModelResult& m : r.models) {
    if (m.sram.parameter_capacity_bytes != capacity) return;
    left -= m.onchip_bytes;
  }
  for (const ModelResult& m : r.models) {
    if (!m.regions.empty() && m.onchip_remaining_bytes != left) return;
  }
  std::vector<int> set = g.order;
  std::sort(set.begin(), set.end());
  sets_.emplace(std::move(set), SetCapacity{g.cache_policy, capacity});
  left = capacity;
  for (const MemberCost& m : g.members) {
    placements_.emplace(std::make_pair(m.model, left), m);
    left -= m.onchip_bytes;
  }
}

// Compiler 16 ranks the set's items once (depthwise first, then larger first; ties: command-line
// position, then execution order) and caches each item that fits what is left, never an always
// streamed one (cache::RankedAcrossModelsPolicy). Replays that on `items` (per position of the
// order), setting Item::cached; returns the bytes left.
int64_t GroupCoster::PlaceRanked(Items& items, int64_t capacity_bytes) {
  std::vector<Item*> ranked;
  for (auto& model : items) {
    for (Item& l : model) ranked.push_back(&l);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Item* a, const Item* b) {
    if (a->depthwise != b->depthwise) return a->depthwise;
    return a->bytes > b->bytes;
  });
  int64_t left = capacity_bytes;
  for (Item* l : ranked) {
    l->cached = !l->always_streamed && l->bytes <= left;
    if (l->cached) left -= l->bytes;
  }
  return left;
}

void GroupCoster::LearnItems(const GroupCost& g, const CompileResult& r, Items items) {
  if (g.cache_policy != cache::RankedAcrossModelsPolicy::kName || r.models.empty() || !derive_) return;
  const int64_t capacity = r.models[0].sram.parameter_capacity_bytes;
  std::vector<int> set = g.order;
  std::sort(set.begin(), set.end());
  if (set_items_.contains(set)) return;
  for (const ModelResult& m : r.models) {
    if (m.sram.parameter_capacity_bytes != capacity) return;
  }
  // Learnt only when the replay of this very order gives every placement the compiler gave.
  Items replayed = items;
  const int64_t left = PlaceRanked(replayed, capacity);
  for (size_t pos = 0; pos < r.models.size(); ++pos) {
    const ModelResult& m = r.models[pos];
    int64_t on = 0, off = 0;
    for (size_t k = 0; k < replayed[pos].size(); ++k) {
      if (replayed[pos][k].cached != items[pos][k].cached) return;
      (replayed[pos][k].cached ? on : off) += replayed[pos][k].bytes;
    }
    if (on != m.onchip_bytes || off != m.offchip_bytes) return;
    if (!m.regions.empty() && m.onchip_remaining_bytes != left) return;
  }
  SetItems s;
  s.capacity_bytes = capacity;
  for (size_t pos = 0; pos < g.order.size(); ++pos) s.by_model.emplace(g.order[pos], std::move(items[pos]));
  set_items_.emplace(std::move(set), std::move(s));
}

Result<std::unique_ptr<GroupCost>> GroupCoster::Replay(const std::vector<int>& order) {
  std::vector<int> set = order;
  std::sort(set.begin(), set.end());
  const auto s = set_items_.find(set);
  if (s == set_items_.end()) return std::unique_ptr<GroupCost>();
  Items items;
  for (int mi : order) items.push_back(s->second.by_model.at(mi));
  PlaceRanked(items, s->second.capacity_bytes);
  auto g = std::make_unique<GroupCost>();
  g->order = order;
  g->ok = true;
  g->cache_policy = cache::RankedAcrossModelsPolicy::kName;
  g->tie_groups = TieGroups(items, order);
  for (size_t pos = 0; pos < order.size(); ++pos) {
    ETPU_ASSIGN_OR_RETURN(MemberCost m, Member(order[pos], items[pos], order));
    g->members.push_back(std::move(m));
  }
  return g;
}

std::unique_ptr<GroupCost> GroupCoster::Derive(const std::vector<int>& order) const {
  std::vector<int> set = order;
  std::sort(set.begin(), set.end());
  const auto s = sets_.find(set);
  if (s == sets_.end()) return nullptr;
  auto g = std::make_unique<GroupCost>();
  g->order = order;
  g->ok = true;
  g->cache_policy = s->second.policy;
  int64_t left = s->second.capacity_bytes;
  for (int mi : order) {
    const auto p = placements_.find({mi, left});
    if (p == placements_.end()) return nullptr;
    g->members.push_back(p->second);
    left -= p->second.onchip_bytes;
  }
  return g;
}

std::string CompileCommand(const Problem& problem, const std::vector<int>& order) {
  std::string s = "edgetpu_compiler";
  for (int i : order) {
    const std::string& f = problem.models[static_cast<size_t>(i)].file;
    s += ' ';
    s += f.find_first_of(" \t'\"") == std::string::npos ? f : "'" + f + "'";
  }
  return s;
}

}  // namespace etpu::planner
