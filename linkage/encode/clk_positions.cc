#include "linkage/encode/clk_positions.h"

#include <bit>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::encode {
namespace {

constexpr uint8_t kChainedFirstBlockFlag = 0x10;
constexpr uint8_t kChainedCounterTag = 0x20;
constexpr uint32_t kEmptySlot = 0xFFFFFF;
constexpr uint32_t kMaxCounter = 0xFFFF;

// Writes up to four code points (3 bytes each, big-endian) into block[4..15],
// filling unused slots with FF FF FF.
void PutCodePoints(absl::Span<const uint32_t> cps, uint8_t* dst) {
  for (size_t s = 0; s < 4; ++s) {
    const uint32_t v = s < cps.size() ? cps[s] : kEmptySlot;
    dst[3 * s] = static_cast<uint8_t>(v >> 16);
    dst[3 * s + 1] = static_cast<uint8_t>(v >> 8);
    dst[3 * s + 2] = static_cast<uint8_t>(v);
  }
}

uint64_t LoadLittleEndian64(const uint8_t* in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | in[i];
  return v;
}

}  // namespace

absl::StatusOr<ClkPositionDeriver> ClkPositionDeriver::Create(
    const crypto::SecretBytes& key, ClkLevel level, uint32_t bits) {
  if (bits < kMinClkBits || bits > kMaxClkBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("Bloom filter length ", bits, " is outside [",
                     kMinClkBits, ", ", kMaxClkBits, "]"));
  }
  FEDLINK_ASSIGN_OR_RETURN(crypto::AesPrf prf, crypto::AesPrf::Create(key));
  return ClkPositionDeriver(std::move(prf), level, bits);
}

ClkPositionDeriver::ClkPositionDeriver(crypto::AesPrf prf, ClkLevel level,
                                       uint32_t bits)
    : prf_(std::move(prf)),
      level_(level),
      bits_(bits),
      chunk_bits_(static_cast<uint32_t>(std::bit_width(bits - 1))),
      chunk_mask_((uint64_t{1} << chunk_bits_) - 1),
      chunks_per_word_(64 / chunk_bits_),
      seen_((bits + 63) / 64, 0) {
  // Draws needed for k distinct accepted positions: a sum of geometric
  // variables with success probability p_i = (L - i) / 2^b. Evaluate the
  // mean plus two standard deviations plus one up front.
  const double range = std::ldexp(1.0, static_cast<int>(chunk_bits_));
  const double per_block = 2.0 * chunks_per_word_;
  double mean = 0;
  double variance = 0;
  initial_blocks_[0] = 0;
  for (uint32_t k = 1; k <= kMaxBitsPerQgram; ++k) {
    const double p = (static_cast<double>(bits) - (k - 1)) / range;
    mean += 1 / p;
    variance += (1 - p) / (p * p);
    const double draws = mean + 2 * std::sqrt(variance) + 1;
    initial_blocks_[k] = static_cast<uint16_t>(std::ceil(draws / per_block));
  }
}

absl::StatusOr<ClkPositionDeriver> ClkPositionDeriver::Clone() const {
  FEDLINK_ASSIGN_OR_RETURN(crypto::AesPrf prf, prf_.Clone());
  return ClkPositionDeriver(std::move(prf), level_, bits_);
}

absl::Status ClkPositionDeriver::CheckSlots(size_t code_points,
                                            absl::Span<const QgramSlot> slots,
                                            size_t targets) const {
  for (size_t i = 0; i < slots.size(); ++i) {
    const QgramSlot& s = slots[i];
    if (s.length == 0 || s.offset > code_points ||
        s.length > code_points - s.offset) {
      return absl::InvalidArgumentError(
          absl::StrCat("q-gram slot ", i, ": code points [", s.offset, ", +",
                       s.length, ") outside a sequence of ", code_points));
    }
    if (s.k == 0 || s.k > kMaxBitsPerQgram || s.k > bits_) {
      return absl::InvalidArgumentError(
          absl::StrCat("q-gram slot ", i, ": k = ", s.k, " is outside [1, ",
                       kMaxBitsPerQgram, "] or exceeds the filter length ",
                       bits_));
    }
    if (s.target >= targets) {
      return absl::InvalidArgumentError(
          absl::StrCat("q-gram slot ", i, ": target ", s.target,
                       " but only ", targets, " filters"));
    }
  }
  return absl::OkStatus();
}

absl::Status ClkPositionDeriver::MakeBase(absl::Span<const uint32_t> qgram,
                                          uint8_t field, Base* base) {
  crypto::AesBlock& b = base->block;
  const uint8_t level = static_cast<uint8_t>(level_);
  if (qgram.size() <= 4) {
    b[0] = level;
    b[1] = field;
    b[2] = 0;
    b[3] = 0;
    PutCodePoints(qgram, &b[4]);
    base->chained = false;
    return absl::OkStatus();
  }
  // CBC-MAC over m_0 … m_last (see the header).
  const size_t n = qgram.size();
  crypto::AesBlock m{};
  m[0] = kChainedFirstBlockFlag | level;
  m[1] = field;
  m[2] = static_cast<uint8_t>(n >> 8);
  m[3] = static_cast<uint8_t>(n);
  PutCodePoints(qgram.subspan(0, 4), &m[4]);
  FEDLINK_RETURN_IF_ERROR(prf_.EvaluateBlock(m, &b));
  for (size_t start = 4; start < n; start += 4) {
    m = crypto::AesBlock{};
    PutCodePoints(qgram.subspan(start, std::min<size_t>(4, n - start)), &m[4]);
    for (size_t i = 0; i < m.size(); ++i) b[i] ^= m[i];
    FEDLINK_RETURN_IF_ERROR(prf_.EvaluateBlock(b, &b));
  }
  base->chained = true;
  return absl::OkStatus();
}

crypto::AesBlock ClkPositionDeriver::CounterBlock(const Base& base,
                                                  uint32_t j) {
  crypto::AesBlock b = base.block;
  if (base.chained) b[0] ^= kChainedCounterTag;
  b[2] ^= static_cast<uint8_t>(j >> 8);
  b[3] ^= static_cast<uint8_t>(j);
  return b;
}

bool ClkPositionDeriver::Take(const crypto::AesBlock& block, uint32_t k,
                              uint32_t* found) {
  for (size_t half = 0; half < 2; ++half) {
    uint64_t word = LoadLittleEndian64(block.data() + 8 * half);
    for (uint32_t c = 0; c < chunks_per_word_; ++c) {
      const uint32_t pos = static_cast<uint32_t>(word & chunk_mask_);
      word >>= chunk_bits_;
      if (pos >= bits_) continue;  // rejection sampling (L not a power of 2)
      uint64_t& seen_word = seen_[pos >> 6];
      const uint64_t mask = uint64_t{1} << (pos & 63);
      if (seen_word & mask) continue;  // already chosen for this q-gram
      seen_word |= mask;
      chosen_[(*found)++] = pos;
      if (*found == k) return true;
    }
  }
  return false;
}

void ClkPositionDeriver::ClearSeen(uint32_t found) {
  for (uint32_t f = 0; f < found; ++f) {
    seen_[chosen_[f] >> 6] &= ~(uint64_t{1} << (chosen_[f] & 63));
  }
}

template <typename Sink>
absl::Status ClkPositionDeriver::Derive(absl::Span<const uint32_t> code_points,
                                        absl::Span<const QgramSlot> slots,
                                        Sink sink) {
  // One batch with each q-gram's first blocks.
  bases_.resize(slots.size());
  first_block_.resize(slots.size() + 1);
  size_t total = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    first_block_[i] = total;
    total += initial_blocks_[slots[i].k];
  }
  first_block_[slots.size()] = total;
  blocks_.resize(total);
  for (size_t i = 0; i < slots.size(); ++i) {
    const QgramSlot& s = slots[i];
    FEDLINK_RETURN_IF_ERROR(MakeBase(code_points.subspan(s.offset, s.length),
                                     s.field, &bases_[i]));
    const size_t first = first_block_[i];
    const size_t count = first_block_[i + 1] - first;
    for (size_t j = 0; j < count; ++j) {
      blocks_[first + j] = CounterBlock(bases_[i], static_cast<uint32_t>(j));
    }
  }
  FEDLINK_RETURN_IF_ERROR(prf_.Evaluate(blocks_, absl::MakeSpan(blocks_)));

  for (size_t i = 0; i < slots.size(); ++i) {
    const uint32_t k = slots[i].k;
    uint32_t found = 0;
    bool done = false;
    for (size_t b = first_block_[i]; !done && b < first_block_[i + 1]; ++b) {
      done = Take(blocks_[b], k, &found);
    }
    // Top-up: more blocks of this q-gram, one at a time (rare).
    uint32_t j = static_cast<uint32_t>(first_block_[i + 1] - first_block_[i]);
    absl::Status status;
    while (!done && status.ok()) {
      if (j > kMaxCounter) {
        // Unreachable for a PRF (k ≤ 64 ≤ L, 65536 blocks); kept so that a
        // broken cipher cannot loop forever.
        status = absl::InternalError("Bloom position derivation ran out of blocks");
        break;
      }
      crypto::AesBlock block = CounterBlock(bases_[i], j++);
      status = prf_.EvaluateBlock(block, &block);
      if (status.ok()) done = Take(block, k, &found);
    }
    if (!status.ok()) {
      ClearSeen(found);  // leave the scratch set empty for the next call
      return status;
    }
    for (uint32_t f = 0; f < k; ++f) sink(slots[i], chosen_[f]);
    ClearSeen(k);
  }
  return absl::OkStatus();
}

absl::Status ClkPositionDeriver::SetBits(absl::Span<const uint32_t> code_points,
                                         absl::Span<const QgramSlot> slots,
                                         absl::Span<uint64_t* const> targets) {
  FEDLINK_RETURN_IF_ERROR(
      CheckSlots(code_points.size(), slots, targets.size()));
  return Derive(code_points, slots, [&](const QgramSlot& s, uint32_t pos) {
    targets[s.target][pos >> 6] |= uint64_t{1} << (pos & 63);
  });
}

absl::StatusOr<std::vector<uint32_t>> ClkPositionDeriver::Positions(
    uint8_t field, absl::Span<const uint32_t> qgram, uint32_t k) {
  if (qgram.size() > kMaxQgramCodePoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("q-gram of ", qgram.size(), " code points exceeds ",
                     kMaxQgramCodePoints));
  }
  if (k == 0 || k > kMaxBitsPerQgram) {
    return absl::InvalidArgumentError(
        absl::StrCat("k = ", k, " is outside [1, ", kMaxBitsPerQgram, "]"));
  }
  QgramSlot slot;
  slot.length = static_cast<uint16_t>(qgram.size());
  slot.field = field;
  slot.k = static_cast<uint8_t>(k);
  FEDLINK_RETURN_IF_ERROR(CheckSlots(qgram.size(), {&slot, 1}, 1));
  std::vector<uint32_t> positions;
  positions.reserve(k);
  FEDLINK_RETURN_IF_ERROR(Derive(qgram, {&slot, 1},
                                 [&](const QgramSlot&, uint32_t pos) {
                                   positions.push_back(pos);
                                 }));
  return positions;
}

}  // namespace fedlink::encode
