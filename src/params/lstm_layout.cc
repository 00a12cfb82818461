#include "params/lstm_layout.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "params/conv_layout.h"

namespace etpu::params {
namespace {

constexpr int kValuesPerSpreadGroup = 16;  // 64 lanes, one value per 4 lanes
constexpr int kSpreadLanes = 4 * kValuesPerSpreadGroup;
constexpr int64_t kUnitWordRowBytes = 64;
// Largest input / cell size laid out this way: regroup(I) grows as 16·I² bytes (67 MB at 2 048,
// far beyond the 8 MiB of SRAM), so a small hostile model cannot ask for gigabytes. Larger LSTMs
// keep our constant records (param_layout.cc).
constexpr int kMaxLstmSize = 2048;
// The streamed part: one stored int8 zero per sequence value, then zero bytes up to this multiple.
constexpr uint8_t kStoredInt8Zero = 0x80;
constexpr int64_t kStreamedPartAlignment = 64;

int64_t Ceil4(int64_t v) { return (v + 3) / 4 * 4; }

// One piece of the record: an FC record in the conv layout, either a 0/1 matrix (`ones`) or the
// weights of gate `gate`; or the 64-byte unit word row.
struct Piece {
  ConvGeometry fc;
  std::vector<std::pair<int, int>> ones;  // (output lane, reduction index) holding 1
  int gate = -1;
  bool unit_word_row = false;
};

ConvGeometry Fc(int out, int in, bool bias, bool int8) {
  ConvGeometry g;
  g.out_channels = out;
  g.in_channels = in;
  g.has_bias = bias;
  g.int8 = int8;
  return g;
}

// spread(n): value 16g+j of an n-vector to lane 4j of group g's 64 lanes (a zero bias each).
void AddSpread(int n, std::vector<Piece>& out) {
  for (int base = 0; base < n; base += kValuesPerSpreadGroup) {
    Piece p{Fc(kSpreadLanes, n, true, false), {}, -1, false};
    for (int j = 0; j < kValuesPerSpreadGroup && base + j < n; ++j) p.ones.emplace_back(4 * j, base + j);
    out.push_back(std::move(p));
  }
}

// regroup(n): group g's 16 values of a spread n-vector (4n wide) to lanes 4j, no bias.
void AddRegroup(int n, std::vector<Piece>& out) {
  for (int base = 0; base < n; base += kValuesPerSpreadGroup) {
    Piece p{Fc(kSpreadLanes, 4 * n, false, false), {}, -1, false};
    for (int j = 0; j < kValuesPerSpreadGroup && base + j < n; ++j) p.ones.emplace_back(4 * j, 4 * (base + j));
    out.push_back(std::move(p));
  }
}

// compact(n): a spread n-vector (4n wide) back to n lanes, no bias.
void AddCompact(int n, std::vector<Piece>& out) {
  Piece p{Fc(n, 4 * n, false, false), {}, -1, false};
  for (int m = 0; m < n; ++m) p.ones.emplace_back(m, 4 * m);
  out.push_back(std::move(p));
}

int GateReduction(const LstmGeometry& g) { return static_cast<int>(Ceil4(g.n_input)) + g.n_cell; }

std::vector<Piece> Pieces(const LstmGeometry& g) {
  std::vector<Piece> out;
  AddSpread(g.n_input, out);
  out.push_back(Piece{{}, {}, -1, true});
  AddCompact(g.n_input, out);
  for (int gate = 0; gate < kLstmGates; ++gate) out.push_back(Piece{Fc(g.n_cell, GateReduction(g), true, true), {}, gate, false});
  AddSpread(g.n_cell, out);
  AddRegroup(g.n_input, out);
  AddCompact(g.n_cell, out);
  return out;
}

int64_t PieceBytes(const Piece& p) { return p.unit_word_row ? kUnitWordRowBytes : ConvParamBytes(p.fc); }

std::vector<uint8_t> UnitWordRow() {
  std::vector<uint8_t> row(static_cast<size_t>(kUnitWordRowBytes), 0);
  row[0] = 1;  // int32 1, little-endian
  return row;
}

// The 0/1 matrix [O, K] of a piece in TFLite's OHWI bytes (uint8, zero point 0).
std::vector<uint8_t> OnesMatrix(const Piece& p) {
  std::vector<uint8_t> w(static_cast<size_t>(p.fc.out_channels) * static_cast<size_t>(p.fc.in_channels), 0);
  for (const auto& [o, k] : p.ones) w[static_cast<size_t>(o) * static_cast<size_t>(p.fc.in_channels) + static_cast<size_t>(k)] = 1;
  return w;
}

}  // namespace

Status ValidateLstmGeometry(const LstmGeometry& g, const std::string& what) {
  if (g.n_input < 1 || g.n_cell < 1 || g.n_input > kMaxLstmSize || g.n_cell > kMaxLstmSize) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: input size {} and cell size {} must "
                                            "be in 1..{}", what, g.n_input, g.n_cell, kMaxLstmSize));
  }
  if (g.sequence_values < g.n_cell || g.sequence_values % g.n_cell != 0 || g.sequence_values > kMaxLstmSequenceValues) {
    return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: its output sequence of {} values must "
                                            "be a whole number of {}-value steps, at most {} values", what,
                                            g.sequence_values, g.n_cell, kMaxLstmSequenceValues));
  }
  return OkStatus();
}

int64_t LstmCachedPartBytes(const LstmGeometry& g) {
  if (!ValidateLstmGeometry(g, "").ok()) return 0;
  int64_t n = 0;
  for (const Piece& p : Pieces(g)) n += PieceBytes(p);
  return n;
}

int64_t LstmStreamedPartBytes(const LstmGeometry& g) {
  if (!ValidateLstmGeometry(g, "").ok()) return 0;
  return (g.sequence_values + kStreamedPartAlignment - 1) / kStreamedPartAlignment * kStreamedPartAlignment;
}

int64_t LstmParamBytes(const LstmGeometry& g) { return LstmCachedPartBytes(g) + LstmStreamedPartBytes(g); }

LstmPiece LstmGatePiece(const LstmGeometry& g, int gate) {
  if (!ValidateLstmGeometry(g, "").ok()) return {};
  int64_t at = 0;
  for (const Piece& p : Pieces(g)) {
    if (p.gate == gate) return {at, PieceBytes(p)};
    at += PieceBytes(p);
  }
  return {};
}

Result<std::vector<uint8_t>> EncodeLstm(const LstmGeometry& g, const LstmWeights& w, const std::string& what) {
  ETPU_RETURN_IF_ERROR(ValidateLstmGeometry(g, what));
  const size_t h = static_cast<size_t>(g.n_cell), in = static_cast<size_t>(g.n_input);
  const size_t k = static_cast<size_t>(GateReduction(g)), rec_at = static_cast<size_t>(Ceil4(g.n_input));
  for (int gate = 0; gate < kLstmGates; ++gate) {
    if (w.input[gate].size() != h * in || w.recurrent[gate].size() != h * h || w.bias[gate].size() != h) {
      return InvalidArgumentError(fmt::format("failed to lay out parameters of {}: gate {} needs {} input weights, {} "
                                              "recurrent weights and {} biases (got {}, {}, {})", what, gate, h * in,
                                              h * h, h, w.input[gate].size(), w.recurrent[gate].size(),
                                              w.bias[gate].size()));
    }
  }
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(LstmParamBytes(g)));
  for (const Piece& p : Pieces(g)) {
    std::vector<uint8_t> bytes;
    if (p.unit_word_row) {
      bytes = UnitWordRow();
    } else if (p.gate >= 0) {
      // [input weights | 0 up to ceil4(I) | recurrent weights], raw int8 (0 is stored as 0x80).
      std::vector<uint8_t> m(h * k, 0);
      for (size_t o = 0; o < h; ++o) {
        std::memcpy(&m[o * k], &w.input[p.gate][o * in], in);
        std::memcpy(&m[o * k + rec_at], &w.recurrent[p.gate][o * h], h);
      }
      ETPU_ASSIGN_OR_RETURN(bytes, EncodeConv(p.fc, m, w.bias[p.gate], {}, fmt::format("{} gate {}", what, p.gate)));
    } else {
      ETPU_ASSIGN_OR_RETURN(bytes, EncodeConv(p.fc, OnesMatrix(p), {}, {}, what));
    }
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  out.insert(out.end(), static_cast<size_t>(g.sequence_values), kStoredInt8Zero);
  out.resize(static_cast<size_t>(LstmParamBytes(g)), 0);
  return out;
}

Result<LstmWeights> DecodeLstm(std::span<const uint8_t> bytes, const LstmGeometry& g, const std::string& what) {
  ETPU_RETURN_IF_ERROR(ValidateLstmGeometry(g, what));
  const int64_t total = LstmParamBytes(g);
  if (static_cast<int64_t>(bytes.size()) != total) {
    return DataLossError(fmt::format("failed to decode parameters of {}: the LSTM record holds {} bytes (expected {} "
                                     "for input size {}, {} cells and an output sequence of {} values)", what,
                                     bytes.size(), total, g.n_input, g.n_cell, g.sequence_values));
  }
  const size_t h = static_cast<size_t>(g.n_cell), in = static_cast<size_t>(g.n_input);
  const size_t k = static_cast<size_t>(GateReduction(g)), rec_at = static_cast<size_t>(Ceil4(g.n_input));
  LstmWeights w;
  size_t at = 0;
  for (const Piece& p : Pieces(g)) {
    const size_t n = static_cast<size_t>(PieceBytes(p));
    const std::span<const uint8_t> piece = bytes.subspan(at, n);
    if (p.gate >= 0) {
      ETPU_ASSIGN_OR_RETURN(DecodedConv d, DecodeConv(piece, p.fc, fmt::format("{} gate {}", what, p.gate)));
      for (size_t o = 0; o < h; ++o) {
        for (size_t c = in; c < rec_at; ++c) {
          if (d.weights[o * k + c] != 0) {
            return DataLossError(fmt::format("failed to decode parameters of {}: gate {} holds a weight in the gap "
                                             "between input and recurrent weights (lane {}, index {})", what, p.gate,
                                             o, c));
          }
        }
        w.input[p.gate].insert(w.input[p.gate].end(), &d.weights[o * k], &d.weights[o * k] + in);
        w.recurrent[p.gate].insert(w.recurrent[p.gate].end(), &d.weights[o * k + rec_at],
                                   &d.weights[o * k + rec_at] + h);
      }
      w.bias[p.gate] = std::move(d.bias);
    } else {
      std::vector<uint8_t> expected;
      if (p.unit_word_row) {
        expected = UnitWordRow();
      } else {
        ETPU_ASSIGN_OR_RETURN(expected, EncodeConv(p.fc, OnesMatrix(p), {}, {}, what));
      }
      const auto diff = std::mismatch(piece.begin(), piece.end(), expected.begin());
      if (diff.first != piece.end()) {
        const size_t pos = at + static_cast<size_t>(diff.first - piece.begin());
        return DataLossError(fmt::format("failed to decode parameters of {}: byte {} of the LSTM record is 0x{:02x} "
                                         "(the layout has 0x{:02x} there)", what, pos, *diff.first, *diff.second));
      }
    }
    at += n;
  }
  // The streamed part: the sequence's stored int8 zeros, then zero padding.
  for (size_t k = at; k < bytes.size(); ++k) {
    const uint8_t expected = k - at < static_cast<size_t>(g.sequence_values) ? kStoredInt8Zero : 0;
    if (bytes[k] != expected) {
      return DataLossError(fmt::format("failed to decode parameters of {}: byte {} of the LSTM record (byte {} of its "
                                       "streamed part) is 0x{:02x} (the layout has 0x{:02x} there)", what, k, k - at,
                                       bytes[k], expected));
    }
  }
  return w;
}

}  // namespace etpu::params
