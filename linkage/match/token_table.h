// One party's salted-hash tokens, indexed for the token join: a flat
// open-addressing table from token to the record that holds it.
//
// Tokens are truncated HMAC outputs, so their first eight bytes are already a
// uniform hash: the table uses them as is (no rehash) and stores the full
// 16-byte key plus the recipe id to compare. A slot is 24 bytes and the load
// stays at or below 70%, so n distinct tokens take 24 B × (the power of two
// ≥ n / 0.7): 10 M tokens fit in 2^24 slots, 384 MiB.
//
// A token that more than one record of the party holds is *ambiguous*: the
// table keeps only the fact and the number of holders, not the records, and
// the join never links through it (see token_join.h).
#ifndef FEDLINK_LINKAGE_MATCH_TOKEN_TABLE_H_
#define FEDLINK_LINKAGE_MATCH_TOKEN_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "linkage/encode/encodings.h"
#include "linkage/match/huge_page_allocator.h"
#include "linkage/match/types.h"

namespace fedlink::match {

// One token of one record, as a party uploads it.
struct RecordToken {
  RecordIndex record = 0;
  encode::Token token;
};

// What a party's table knows about one token.
struct TokenHolder {
  uint16_t recipe_id = 0;
  bool ambiguous = false;
  RecordIndex record = 0;    // the holder; meaningful only when !ambiguous
  uint32_t occurrences = 1;  // uploads of the token by distinct records (1 unless ambiguous)
};

// Ambiguous tokens of one recipe in one party's upload: `tokens` distinct
// token values were each held by two or more records, `occurrences` is the sum
// of their holders. (An encoder sends a recipe's token at most once per
// record, so `occurrences` is the number of records involved.)
struct AmbiguityCount {
  PartyId party = 0;
  uint16_t recipe_id = 0;
  uint64_t tokens = 0;
  uint64_t occurrences = 0;
  friend bool operator==(const AmbiguityCount&, const AmbiguityCount&) = default;
};

// Not thread-safe while tokens are added; the const members may be called
// from several threads at once.
class TokenTable {
 public:
  // `expected_tokens` sizes the table up front (it grows as needed anyway).
  explicit TokenTable(PartyId party, size_t expected_tokens = 0);

  // A moved-from table may only be assigned to or destroyed.
  TokenTable(TokenTable&&) = default;
  TokenTable& operator=(TokenTable&&) = default;
  TokenTable(const TokenTable&) = delete;
  TokenTable& operator=(const TokenTable&) = delete;

  PartyId party() const { return party_; }

  // The capacity (slots) that holds `distinct_tokens` at ≤ 70% load: a power
  // of two, at least 16.
  static size_t CapacityFor(size_t distinct_tokens);

  // Makes room for `distinct_tokens` without further growth.
  void Reserve(size_t distinct_tokens);

  // Records that `record` holds `token`; a second record holding it makes
  // the token ambiguous. Repeating a (record, token) pair while the token is
  // unambiguous changes nothing; once it is ambiguous the holders are no
  // longer kept, so a repeat then counts as one more holder.
  void Add(RecordIndex record, const encode::Token& token);
  void Add(std::span<const RecordToken> tokens);

  // What the table holds for `token` (same bytes and recipe), if anything.
  std::optional<TokenHolder> Find(const encode::Token& token) const;

  size_t distinct_tokens() const { return size_; }
  // Every Add call that was not an exact repeat of a (record, token) pair.
  uint64_t occurrences() const { return occurrences_; }
  size_t capacity() const { return slots_.size(); }
  size_t MemoryBytes() const { return slots_.size() * sizeof(Slot); }

  // Ambiguous tokens of this party per recipe, ascending by recipe id; only
  // recipes with at least one ambiguous token are listed.
  std::vector<AmbiguityCount> Ambiguity() const;

  // Calls fn(mine, theirs) — two TokenHolder — for every token held both here
  // and in `other`, in this table's slot order. Tokens whose recipe fails
  // `keep(recipe_id)` are skipped without probing `other`. The probe side is
  // `other`; lookups are batched and prefetched, so pass the smaller table as
  // *this.
  template <typename Keep, typename Fn>
  void ForEachShared(const TokenTable& other, Keep&& keep, Fn&& fn) const;

 private:
  enum : uint8_t { kEmpty = 0, kUnique = 1, kAmbiguous = 2 };
  struct Slot {
    uint64_t lo = 0;     // token bytes 0..7, also the hash
    uint64_t hi = 0;     // token bytes 8..15
    uint32_t value = 0;  // kUnique: the record; kAmbiguous: the holder count
    uint16_t recipe = 0;
    uint8_t state = kEmpty;
  };
  static_assert(sizeof(Slot) == 24);

  struct Key {
    uint64_t lo;
    uint64_t hi;
    uint16_t recipe;
  };
  static Key KeyOf(const encode::Token& token) {
    Key key;
    std::memcpy(&key.lo, token.bytes.data(), 8);
    std::memcpy(&key.hi, token.bytes.data() + 8, 8);
    key.recipe = token.recipe_id;
    return key;
  }
  static bool Matches(const Slot& slot, uint64_t lo, uint64_t hi, uint16_t recipe) {
    return slot.lo == lo && slot.hi == hi && slot.recipe == recipe;
  }
  static TokenHolder HolderOf(const Slot& slot) {
    TokenHolder holder;
    holder.recipe_id = slot.recipe;
    holder.ambiguous = slot.state == kAmbiguous;
    holder.record = holder.ambiguous ? 0 : slot.value;
    holder.occurrences = holder.ambiguous ? slot.value : 1;
    return holder;
  }

  // The slot holding the key, or nullptr.
  const Slot* Lookup(uint64_t lo, uint64_t hi, uint16_t recipe) const {
    for (size_t i = lo & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.state == kEmpty) return nullptr;
      if (Matches(slot, lo, hi, recipe)) return &slot;
    }
  }
  void Insert(RecordIndex record, const Key& key);
  void Rehash(size_t capacity);
  void NoteAmbiguity(uint16_t recipe, uint64_t new_tokens, uint64_t new_occurrences);

  PartyId party_;
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
  uint64_t occurrences_ = 0;
  std::vector<AmbiguityCount> ambiguity_;  // ascending by recipe
};

template <typename Keep, typename Fn>
void TokenTable::ForEachShared(const TokenTable& other, Keep&& keep, Fn&& fn) const {
  // Probes go to random places of a table far larger than the caches: issue
  // a batch of prefetches first so their memory latencies overlap.
  constexpr size_t kBatch = 16;
  const Slot* batch[kBatch];
  const Slot* const end = slots_.data() + slots_.size();
  const Slot* next = slots_.data();
  while (next != end) {
    size_t n = 0;
    for (; next != end && n < kBatch; ++next) {
      if (next->state == kEmpty || !keep(next->recipe)) continue;
      __builtin_prefetch(&other.slots_[next->lo & other.mask_]);
      batch[n++] = next;
    }
    for (size_t i = 0; i < n; ++i) {
      const Slot& mine = *batch[i];
      const Slot* theirs = other.Lookup(mine.lo, mine.hi, mine.recipe);
      if (theirs != nullptr) fn(HolderOf(mine), HolderOf(*theirs));
    }
  }
}

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_TOKEN_TABLE_H_
