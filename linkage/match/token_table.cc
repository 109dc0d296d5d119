#include "linkage/match/token_table.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace fedlink::match {
namespace {

constexpr size_t kMinCapacity = 16;
constexpr size_t kInsertBatch = 16;

bool OverLoaded(size_t entries, size_t capacity) { return entries * 10 > capacity * 7; }

}  // namespace

size_t TokenTable::CapacityFor(size_t distinct_tokens) {
  return std::max(kMinCapacity, std::bit_ceil(distinct_tokens + distinct_tokens * 3 / 7 + 1));
}

TokenTable::TokenTable(PartyId party, size_t expected_tokens) : party_(party) {
  Rehash(CapacityFor(expected_tokens));
}

void TokenTable::Reserve(size_t distinct_tokens) {
  size_t capacity = CapacityFor(distinct_tokens);
  if (capacity > slots_.size()) Rehash(capacity);
}

void TokenTable::Rehash(size_t capacity) {
  auto old = std::exchange(slots_, decltype(slots_)(capacity));
  mask_ = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.state == kEmpty) continue;
    size_t i = slot.lo & mask_;
    while (slots_[i].state != kEmpty) i = (i + 1) & mask_;
    slots_[i] = slot;
  }
}

void TokenTable::Add(RecordIndex record, const encode::Token& token) {
  if (OverLoaded(size_ + 1, slots_.size())) Rehash(slots_.size() * 2);
  Insert(record, KeyOf(token));
}

void TokenTable::Add(std::span<const RecordToken> tokens) {
  Key keys[kInsertBatch];
  for (size_t start = 0; start < tokens.size(); start += kInsertBatch) {
    size_t n = std::min(kInsertBatch, tokens.size() - start);
    // Room for the whole batch first, so no rehash moves the prefetched lines.
    while (OverLoaded(size_ + n, slots_.size())) Rehash(slots_.size() * 2);
    for (size_t i = 0; i < n; ++i) {
      keys[i] = KeyOf(tokens[start + i].token);
      __builtin_prefetch(&slots_[keys[i].lo & mask_], 1);
    }
    for (size_t i = 0; i < n; ++i) Insert(tokens[start + i].record, keys[i]);
  }
}

void TokenTable::Insert(RecordIndex record, const Key& key) {
  size_t i = key.lo & mask_;
  while (true) {
    Slot& slot = slots_[i];
    if (slot.state == kEmpty) {
      slot = Slot{key.lo, key.hi, record, key.recipe, kUnique};
      ++size_;
      ++occurrences_;
      return;
    }
    if (Matches(slot, key.lo, key.hi, key.recipe)) {
      if (slot.state == kUnique) {
        if (slot.value == record) return;  // the same upload repeated
        slot.state = kAmbiguous;
        slot.value = 2;
        NoteAmbiguity(key.recipe, 1, 2);
      } else {
        ++slot.value;
        NoteAmbiguity(key.recipe, 0, 1);
      }
      ++occurrences_;
      return;
    }
    i = (i + 1) & mask_;
  }
}

void TokenTable::NoteAmbiguity(uint16_t recipe, uint64_t new_tokens,
                               uint64_t new_occurrences) {
  auto it = std::lower_bound(
      ambiguity_.begin(), ambiguity_.end(), recipe,
      [](const AmbiguityCount& count, uint16_t id) { return count.recipe_id < id; });
  if (it == ambiguity_.end() || it->recipe_id != recipe) {
    AmbiguityCount count;
    count.party = party_;
    count.recipe_id = recipe;
    it = ambiguity_.insert(it, count);
  }
  it->tokens += new_tokens;
  it->occurrences += new_occurrences;
}

std::optional<TokenHolder> TokenTable::Find(const encode::Token& token) const {
  Key key = KeyOf(token);
  const Slot* slot = Lookup(key.lo, key.hi, key.recipe);
  if (slot == nullptr) return std::nullopt;
  return HolderOf(*slot);
}

std::vector<AmbiguityCount> TokenTable::Ambiguity() const { return ambiguity_; }

}  // namespace fedlink::match
