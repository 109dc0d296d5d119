#include "linkage/match/token_blocking.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/parallel.h"
#include "linkage/match/radix_sort.h"

namespace fedlink::match {
namespace {

// One token occurrence, sorted by a 64-bit fingerprint: tokens are HMAC
// outputs, so their first 8 bytes (mixed with the recipe id) are already
// uniformly distributed. Equal fingerprints are then checked on the full
// token, so a fingerprint collision never makes a false candidate.
struct Occurrence {
  uint64_t fingerprint;
  RecordIndex record;
  uint32_t slot;  // position in the record's token list
};

uint64_t Fingerprint(const encode::Token& token) {
  uint64_t head;
  std::memcpy(&head, token.bytes.data(), sizeof(head));
  return head ^ (uint64_t{token.recipe_id} * 0x9e3779b97f4a7c15ULL);
}

std::vector<Occurrence> SortedOccurrences(absl::Span<const std::vector<encode::Token>> tokens) {
  std::vector<Occurrence> out;
  size_t total = 0;
  for (const auto& list : tokens) total += list.size();
  out.reserve(total);
  for (size_t i = 0; i < tokens.size(); ++i) {
    for (size_t k = 0; k < tokens[i].size(); ++k) {
      out.push_back({Fingerprint(tokens[i][k]), static_cast<RecordIndex>(i), static_cast<uint32_t>(k)});
    }
  }
  std::vector<Occurrence> scratch;
  RadixSort(&out, &scratch, [](const Occurrence& o) { return o.fingerprint; });
  return out;
}

}  // namespace

absl::StatusOr<TokenBlockingResult> TokenCandidates(
    absl::Span<const std::vector<encode::Token>> tokens_a,
    absl::Span<const std::vector<encode::Token>> tokens_b, const TokenBlockingOptions& options,
    int threads) {
  constexpr size_t kMaxRecords = std::numeric_limits<RecordIndex>::max();
  if (tokens_a.size() > kMaxRecords || tokens_b.size() > kMaxRecords) {
    return absl::InvalidArgumentError(
        absl::StrCat("token blocking: more than ", kMaxRecords, " records on one side"));
  }
  if (options.max_block_pairs == 0) {
    return absl::InvalidArgumentError("token blocking: max_block_pairs must be at least 1");
  }
  // The two sides sort independently: on two threads when allowed.
  std::vector<Occurrence> oa;
  std::vector<Occurrence> ob;
  ParallelFor(ResolveThreadCount(threads), 2, [&](size_t side) {
    if (side == 0) {
      oa = SortedOccurrences(tokens_a);
    } else {
      ob = SortedOccurrences(tokens_b);
    }
  });
  auto token_of = [](absl::Span<const std::vector<encode::Token>> tokens, const Occurrence& o) {
    return tokens[o.record][o.slot];
  };

  TokenBlockingResult result;
  std::vector<const Occurrence*> same_a, same_b;
  std::vector<bool> used_a;  // reused: one allocation, not one per shared fingerprint
  size_t i = 0;
  size_t j = 0;
  while (i < oa.size() && j < ob.size()) {
    if (oa[i].fingerprint < ob[j].fingerprint) {
      ++i;
      continue;
    }
    if (ob[j].fingerprint < oa[i].fingerprint) {
      ++j;
      continue;
    }
    const uint64_t fp = oa[i].fingerprint;
    size_t i_end = i;
    while (i_end < oa.size() && oa[i_end].fingerprint == fp) ++i_end;
    size_t j_end = j;
    while (j_end < ob.size() && ob[j_end].fingerprint == fp) ++j_end;
    // Within one fingerprint, group by the full token (almost always a single
    // group). Each group's first A occurrence picks the token compared.
    used_a.assign(i_end - i, false);
    for (size_t x = i; x < i_end; ++x) {
      if (used_a[x - i]) continue;
      const encode::Token token = token_of(tokens_a, oa[x]);
      same_a.clear();
      same_b.clear();
      for (size_t y = x; y < i_end; ++y) {
        if (!used_a[y - i] && token_of(tokens_a, oa[y]) == token) {
          used_a[y - i] = true;
          same_a.push_back(&oa[y]);
        }
      }
      for (size_t y = j; y < j_end; ++y) {
        if (token_of(tokens_b, ob[y]) == token) same_b.push_back(&ob[y]);
      }
      const uint64_t block_pairs = uint64_t{same_a.size()} * same_b.size();
      if (block_pairs > options.max_block_pairs) {
        ++result.stats.oversized_blocks;
        result.stats.dropped_pairs += block_pairs;
        continue;
      }
      result.stats.block_pairs += block_pairs;
      for (const Occurrence* p : same_a) {
        for (const Occurrence* q : same_b) {
          result.pairs.push_back(CandidatePair::Of(p->record, q->record));
        }
      }
    }
    i = i_end;
    j = j_end;
  }
  SortUniqueCandidates(&result.pairs);
  return result;
}

}  // namespace fedlink::match
