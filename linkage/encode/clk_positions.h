// Keyed derivation of Bloom-filter bit positions for q-grams: every q-gram
// gets exactly k DISTINCT positions, drawn independently of every other
// q-gram's, by a PRF under the job's Bloom key.
//
// Why not double hashing (g_i = h1 + i·h2 mod L, as in the original CLK
// papers and clkhash): all k positions of a q-gram are one arithmetic
// progression, so they coincide whenever h2 ≡ 0 (mod L) and repeat early
// whenever gcd(h2, L) > 1, and the linear structure is what published
// pattern-mining attacks on CLKs exploit. Here each position is a fresh PRF
// output instead.
//
// Construction (normative: every agency must derive identical positions).
// E_K is AES-256 under the 32-byte Bloom key (crypto::AesPrf). A q-gram is a
// sequence of n code points c_0..c_{n-1} (qgrams.h); each is < 2^24, written
// as 3 big-endian bytes; slots past the end are filled with FF FF FF, which
// is no code point.
//   * n ≤ 4 (every q-gram of a valid schema, q ≤ 4): the j-th block is
//       E_K( level ‖ field ‖ j[2 bytes BE] ‖ c_0 c_1 c_2 c_3 )
//     where level is 0x01 (record-level filter) or 0x02 (field-level filter)
//     and field is the index in BloomParams::fields.
//   * n > 4 (does not fit one block): CBC-MAC with the length in the first
//     block, then one counter block:
//       m_0 = (0x10|level) ‖ field ‖ n[2 bytes BE] ‖ c_0..c_3,
//       m_i = 00 00 00 00 ‖ c_{4i}..c_{4i+3}   for i = 1 .. ⌈n/4⌉-1,
//       T   = CBC-MAC_K(m_0 … m_last),  j-th block = E_K(T ⊕ (0x20 ‖ 00 ‖ j ‖ 0…0)).
// Positions: each output block is read as two little-endian 64-bit words
// (bytes 0-7, then 8-15); each word yields ⌊64/b⌋ chunks of b = ⌈log2 L⌉
// bits, least significant first. A chunk ≥ L is rejected (only when L is
// not a power of two) and a chunk already chosen for this q-gram is skipped,
// until k distinct positions are chosen; blocks j = 0, 1, … are used in
// order.
//
// Why this is a PRF and the positions are independent. All inputs ever given
// to E_K under the Bloom key — the single blocks above (first byte 0x01 or
// 0x02), the chained messages (first byte 0x11 or 0x12, their length fixed
// by n in m_0, and ending in exactly one counter block), and the keyed
// streams of BalancingStreamId (one block each, first byte 0x30) — form a
// prefix-free set of messages, and CBC-MAC of a block cipher that is a PRF
// is a PRF on any prefix-free message set (Bellare, Kilian, Rogaway 2000;
// Petrank, Rackoff 2000). The encoding of (level, field, q-gram, j) into a
// message is injective, so distinct (level, field, q-gram, j) give outputs
// indistinguishable from independent uniform 128-bit strings. Disjoint bit
// chunks of a uniform string are independent and uniform on [0, 2^b);
// rejecting chunks ≥ L leaves them uniform on [0, L); skipping repeats turns
// the draws into a uniformly random k-subset of [0, L) (sampling without
// replacement). Hence each q-gram's k positions are a uniform k-subset,
// independent across q-grams, fields and levels, and unpredictable without
// the key; a different key gives unrelated positions.
#ifndef FEDLINK_LINKAGE_ENCODE_CLK_POSITIONS_H_
#define FEDLINK_LINKAGE_ENCODE_CLK_POSITIONS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/crypto/aes_prf.h"
#include "linkage/crypto/secret_bytes.h"

namespace fedlink::encode {

// Which filter family a position is for (the first byte of the PRF input).
enum class ClkLevel : uint8_t { kRecord = 0x01, kField = 0x02 };

inline constexpr uint32_t kMaxBitsPerQgram = 64;     // k
inline constexpr size_t kMaxClkFields = 256;         // field is one byte
inline constexpr uint32_t kMinClkBits = 64;          // L
inline constexpr uint32_t kMaxClkBits = 32768;       // L (uint16 indexes 2L)
inline constexpr size_t kMaxQgramCodePoints = 0xFFFF;  // n is two bytes

// The key stream of the balancing permutation for filters of `bits` bits at
// `level`, as a crypto::AesCtrRng stream id under the Bloom key. Its first
// byte, 0x30, keeps it apart from the position blocks above.
inline uint64_t BalancingStreamId(ClkLevel level, uint32_t bits) {
  return uint64_t{0x30} << 56 | uint64_t{static_cast<uint8_t>(level)} << 48 |
         uint64_t{bits};
}

// One q-gram to place: code_points[offset, offset + length) of the sequence
// buffer passed alongside.
struct QgramSlot {
  uint32_t offset = 0;
  uint16_t length = 0;  // 1..kMaxQgramCodePoints
  uint8_t field = 0;    // index in BloomParams::fields
  uint8_t k = 0;        // 1..kMaxBitsPerQgram
  uint32_t target = 0;  // which of the target filters gets the bits
};

class ClkPositionDeriver {
 public:
  // Positions in [0, bits) for filters of one level. InvalidArgument unless
  // `key` is 32 bytes and `bits` is in [kMinClkBits, kMaxClkBits]; Internal
  // if OpenSSL fails.
  static absl::StatusOr<ClkPositionDeriver> Create(const crypto::SecretBytes& key,
                                                   ClkLevel level, uint32_t bits);

  ClkPositionDeriver(ClkPositionDeriver&&) noexcept = default;
  ClkPositionDeriver& operator=(ClkPositionDeriver&&) noexcept = default;

  // Same key, level and size, own buffers: one per worker thread.
  absl::StatusOr<ClkPositionDeriver> Clone() const;

  uint32_t bits() const { return bits_; }

  // For every slot, sets exactly slot.k distinct bits (positions as above)
  // in the filter targets[slot.target], which has ⌈bits()/64⌉ words, bit p in
  // word p/64 at p%64. Bits already set stay set. The AES work for the
  // slots goes through one EVP call (plus the chaining blocks of q-grams
  // longer than 4 code points, and a rare top-up block for a q-gram whose
  // first blocks held too many repeats). InvalidArgument if a slot is
  // out of range (offset/length, k, target); nothing is then written.
  // Internal if OpenSSL fails; the targets are then partly written and must
  // be discarded.
  // Allocation-free once the internal buffers have grown to the largest
  // batch seen. Not thread-safe.
  absl::Status SetBits(absl::Span<const uint32_t> code_points,
                       absl::Span<const QgramSlot> slots,
                       absl::Span<uint64_t* const> targets);

  // The k positions of one q-gram, in the order they were drawn. For tests
  // and tools (allocates). Same errors as SetBits.
  absl::StatusOr<std::vector<uint32_t>> Positions(
      uint8_t field, absl::Span<const uint32_t> qgram, uint32_t k);

 private:
  // A q-gram's PRF state: the single-block input with counter 0, or the
  // chained value T of a long q-gram.
  struct Base {
    crypto::AesBlock block;
    bool chained;
  };

  ClkPositionDeriver(crypto::AesPrf prf, ClkLevel level, uint32_t bits);

  absl::Status CheckSlots(size_t code_points, absl::Span<const QgramSlot> slots,
                          size_t targets) const;
  absl::Status MakeBase(absl::Span<const uint32_t> qgram, uint8_t field,
                        Base* base);
  static crypto::AesBlock CounterBlock(const Base& base, uint32_t j);
  // Draws every slot's positions from blocks_ (plus top-up blocks), sets
  // them in targets[slot.target] and appends them, in draw order, to *order
  // unless it is null. One instance per chunk width b and power-of-two-ness
  // of L, so the hot loop has constant shifts and masks.
  using DrawFn = absl::Status (ClkPositionDeriver::*)(
      absl::Span<const QgramSlot> slots, absl::Span<uint64_t* const> targets,
      std::vector<uint32_t>* order);
  template <uint32_t kChunkBits, bool kPowerOfTwo>
  absl::Status DrawAll(absl::Span<const QgramSlot> slots,
                       absl::Span<uint64_t* const> targets,
                       std::vector<uint32_t>* order);
  template <uint32_t kChunkBits>
  static DrawFn PickDraw(bool power_of_two);
  static DrawFn SelectDraw(uint32_t chunk_bits, bool power_of_two);
  // A fresh stamp value for the next q-gram's positions.
  uint16_t NextGeneration();
  // Evaluates the slots' first blocks in one batch, then draw_.
  absl::Status Derive(absl::Span<const uint32_t> code_points,
                      absl::Span<const QgramSlot> slots,
                      absl::Span<uint64_t* const> targets,
                      std::vector<uint32_t>* order);

  crypto::AesPrf prf_;
  ClkLevel level_;
  uint32_t bits_;
  uint32_t chunk_bits_;        // b = ⌈log2 L⌉
  uint32_t chunks_per_word_;   // ⌊64 / b⌋
  DrawFn draw_;                // DrawAll for b and L
  // Blocks to evaluate up front for a q-gram with k bits: enough for all k
  // positions with high probability, so top-ups are rare.
  std::array<uint16_t, kMaxBitsPerQgram + 1> initial_blocks_{};

  std::vector<crypto::AesBlock> blocks_;
  std::vector<Base> bases_;
  std::vector<size_t> first_block_;   // slot i uses blocks_[first_block_[i] ..)
  // stamp_[p] == generation_: position p is taken by the current q-gram.
  // Stamps instead of a bitset: no clearing pass per q-gram, and no
  // read-modify-write chains on a few shared words.
  std::vector<uint16_t> stamp_;
  uint16_t generation_ = 0;
};

}  // namespace fedlink::encode

#endif  // FEDLINK_LINKAGE_ENCODE_CLK_POSITIONS_H_
