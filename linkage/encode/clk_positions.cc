#include "linkage/encode/clk_positions.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::encode {
namespace {

constexpr uint8_t kChainedFirstBlockFlag = 0x10;
constexpr uint8_t kChainedCounterTag = 0x20;
constexpr uint32_t kEmptySlot = 0xFFFFFF;
constexpr uint32_t kMaxCounter = 0xFFFF;

void StoreBigEndian64(uint64_t v, uint8_t* dst) {
  if constexpr (std::endian::native == std::endian::little) {
    v = __builtin_bswap64(v);
  }
  std::memcpy(dst, &v, sizeof(v));
}

void StoreBigEndian32(uint32_t v, uint8_t* dst) {
  if constexpr (std::endian::native == std::endian::little) {
    v = __builtin_bswap32(v);
  }
  std::memcpy(dst, &v, sizeof(v));
}

// Writes up to four code points (3 bytes each, big-endian) into dst[0..11],
// filling unused slots with FF FF FF. Two wide stores instead of twelve byte
// stores: this runs once per q-gram.
void PutCodePoints(absl::Span<const uint32_t> cps, uint8_t* dst) {
  uint64_t c[4];
  for (size_t s = 0; s < 4; ++s) c[s] = s < cps.size() ? cps[s] : kEmptySlot;
  // Bytes 0-7: c0 (3 bytes), c1 (3 bytes), top 2 bytes of c2.
  const uint64_t head = c[0] << 40 | c[1] << 16 | c[2] >> 8;
  // Bytes 8-11: low byte of c2, c3 (3 bytes).
  const uint32_t tail = static_cast<uint32_t>((c[2] & 0xFF) << 24 | c[3]);
  StoreBigEndian64(head, dst);
  StoreBigEndian32(tail, dst + 8);
}

uint64_t LoadLittleEndian64(const uint8_t* in) {
  uint64_t v;
  std::memcpy(&v, in, sizeof(v));  // one load; GCC does not fuse a byte loop
  if constexpr (std::endian::native == std::endian::big) {
    v = __builtin_bswap64(v);
  }
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
      chunks_per_word_(64 / chunk_bits_),
      draw_(SelectDraw(chunk_bits_, std::has_single_bit(bits))),
      stamp_(bits, 0) {
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

uint16_t ClkPositionDeriver::NextGeneration() {
  if (++generation_ == 0) {
    // Every 65535 q-grams: forget all stamps and start over.
    std::fill(stamp_.begin(), stamp_.end(), uint16_t{0});
    generation_ = 1;
  }
  return generation_;
}

// Compile-time chunk width: the per-word loop unrolls into shifts and masks
// by constants, and the rejection test disappears when L is a power of two.
template <uint32_t kChunkBits, bool kPowerOfTwo>
absl::Status ClkPositionDeriver::DrawAll(absl::Span<const QgramSlot> slots,
                                         absl::Span<uint64_t* const> targets,
                                         std::vector<uint32_t>* order) {
  constexpr uint32_t kPerWord = 64 / kChunkBits;
  constexpr uint64_t kMask = (uint64_t{1} << kChunkBits) - 1;
  const uint32_t bits = bits_;
  uint16_t* const stamp = stamp_.data();
  uint32_t chosen[kMaxBitsPerQgram];
  for (size_t i = 0; i < slots.size(); ++i) {
    const QgramSlot& slot = slots[i];
    uint64_t* const target = targets[slot.target];
    const uint32_t k = slot.k;
    const uint16_t generation = NextGeneration();
    uint32_t n = 0;
    // Takes the chunks of one output block until there are k positions.
    const auto take = [&](const uint8_t* block) {
      for (size_t half = 0; half < 2; ++half) {
        const uint64_t word = LoadLittleEndian64(block + 8 * half);
#pragma GCC unroll 16
        for (uint32_t c = 0; c < kPerWord; ++c) {
          const uint32_t pos =
              static_cast<uint32_t>((word >> (c * kChunkBits)) & kMask);
          if (!kPowerOfTwo && pos >= bits) continue;  // rejection sampling
          if (stamp[pos] == generation) continue;    // already chosen: skip
          stamp[pos] = generation;
          target[pos >> 6] |= uint64_t{1} << (pos & 63);
          chosen[n] = pos;
          if (++n == k) return true;
        }
      }
      return false;
    };
    bool done = false;
    for (size_t b = first_block_[i]; !done && b < first_block_[i + 1]; ++b) {
      done = take(blocks_[b].data());
    }
    // Top-up: more blocks of this q-gram, one at a time (rare).
    uint32_t j = static_cast<uint32_t>(first_block_[i + 1] - first_block_[i]);
    while (!done) {
      if (j > kMaxCounter) {
        // Unreachable for a PRF (k ≤ 64 ≤ L, 65536 blocks); kept so that a
        // broken cipher cannot loop forever.
        return absl::InternalError("Bloom position derivation ran out of blocks");
      }
      crypto::AesBlock block = CounterBlock(bases_[i], j++);
      FEDLINK_RETURN_IF_ERROR(prf_.EvaluateBlock(block, &block));
      done = take(block.data());
    }
    if (order != nullptr) order->insert(order->end(), chosen, chosen + k);
  }
  return absl::OkStatus();
}

template <uint32_t kChunkBits>
ClkPositionDeriver::DrawFn ClkPositionDeriver::PickDraw(bool power_of_two) {
  return power_of_two ? &ClkPositionDeriver::DrawAll<kChunkBits, true>
                      : &ClkPositionDeriver::DrawAll<kChunkBits, false>;
}

ClkPositionDeriver::DrawFn ClkPositionDeriver::SelectDraw(uint32_t chunk_bits,
                                                          bool power_of_two) {
  // kMinClkBits = 64 and kMaxClkBits = 32768 give chunks of 6 to 15 bits.
  static_assert(kMinClkBits == 64 && kMaxClkBits == 32768);
  switch (chunk_bits) {
    case 6: return PickDraw<6>(power_of_two);
    case 7: return PickDraw<7>(power_of_two);
    case 8: return PickDraw<8>(power_of_two);
    case 9: return PickDraw<9>(power_of_two);
    case 10: return PickDraw<10>(power_of_two);
    case 11: return PickDraw<11>(power_of_two);
    case 12: return PickDraw<12>(power_of_two);
    case 13: return PickDraw<13>(power_of_two);
    case 14: return PickDraw<14>(power_of_two);
    default: return PickDraw<15>(power_of_two);
  }
}

absl::Status ClkPositionDeriver::Derive(absl::Span<const uint32_t> code_points,
                                        absl::Span<const QgramSlot> slots,
                                        absl::Span<uint64_t* const> targets,
                                        std::vector<uint32_t>* order) {
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
  return (this->*draw_)(slots, targets, order);
}

absl::Status ClkPositionDeriver::SetBits(absl::Span<const uint32_t> code_points,
                                         absl::Span<const QgramSlot> slots,
                                         absl::Span<uint64_t* const> targets) {
  FEDLINK_RETURN_IF_ERROR(
      CheckSlots(code_points.size(), slots, targets.size()));
  return Derive(code_points, slots, targets, /*order=*/nullptr);
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
  std::vector<uint64_t> scratch((bits_ + 63) / 64, 0);
  uint64_t* const target = scratch.data();
  std::vector<uint32_t> positions;
  positions.reserve(k);
  FEDLINK_RETURN_IF_ERROR(
      Derive(qgram, {&slot, 1}, {&target, 1}, &positions));
  return positions;
}

}  // namespace fedlink::encode
