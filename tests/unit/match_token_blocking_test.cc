#include "linkage/match/token_blocking.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/candidates.h"

namespace fedlink::match {
namespace {

using encode::Token;

// A token whose 16 bytes are `head` (first 8) and `tail` (last 8).
Token MakeToken(uint16_t recipe, uint64_t head, uint64_t tail = 0) {
  Token t;
  t.recipe_id = recipe;
  std::memcpy(t.bytes.data(), &head, 8);
  std::memcpy(t.bytes.data() + 8, &tail, 8);
  return t;
}

TEST(TokenBlockingTest, RecordsSharingATokenAreCandidates) {
  const std::vector<std::vector<Token>> a = {
      {MakeToken(1, 100), MakeToken(2, 200)},  // 0
      {MakeToken(1, 101)},                     // 1
      {},                                      // 2: no tokens
      {MakeToken(3, 300), MakeToken(1, 100)},  // 3
  };
  const std::vector<std::vector<Token>> b = {
      {MakeToken(2, 200)},                     // 0: shares recipe 2 with a0
      {MakeToken(1, 100), MakeToken(3, 300)},  // 1: shares with a0 and a3 (twice)
      {MakeToken(1, 999)},                     // 2: nothing
  };
  const TokenBlockingResult result = TokenCandidates(a, b).value();
  EXPECT_EQ(result.pairs, (std::vector<CandidatePair>{CandidatePair::Of(0, 0), CandidatePair::Of(0, 1),
                                                      CandidatePair::Of(3, 1)}));
  EXPECT_EQ(result.stats.oversized_blocks, 0u);
  // Tokens (1,100): 2x1; (2,200): 1x1; (3,300): 1x1.
  EXPECT_EQ(result.stats.block_pairs, 4u);
}

TEST(TokenBlockingTest, SameBytesUnderAnotherRecipeAreDifferentTokens) {
  const std::vector<std::vector<Token>> a = {{MakeToken(1, 42, 7)}};
  const std::vector<std::vector<Token>> b = {{MakeToken(2, 42, 7)}};
  EXPECT_TRUE(TokenCandidates(a, b).value().pairs.empty());
}

TEST(TokenBlockingTest, EqualFingerprintButDifferentTokenIsNoCandidate) {
  // Same recipe and first 8 bytes (so the same sort fingerprint), different
  // last 8 bytes: not the same token.
  const std::vector<std::vector<Token>> a = {{MakeToken(1, 42, 1)}, {MakeToken(1, 42, 2)}};
  const std::vector<std::vector<Token>> b = {{MakeToken(1, 42, 2)}, {MakeToken(1, 42, 3)}};
  EXPECT_EQ(TokenCandidates(a, b).value().pairs, (std::vector<CandidatePair>{CandidatePair::Of(1, 0)}));
}

TEST(TokenBlockingTest, OversizedBlocksAreDroppedAndCounted) {
  // A common token on 120 x 100 records (12 000 pairs > 10 000), and a rare
  // one on a single pair.
  std::vector<std::vector<Token>> a(120, {MakeToken(10, 5)});
  std::vector<std::vector<Token>> b(100, {MakeToken(10, 5)});
  a[7].push_back(MakeToken(1, 77));
  b[3].push_back(MakeToken(1, 77));
  const TokenBlockingResult result = TokenCandidates(a, b).value();
  EXPECT_EQ(result.pairs, (std::vector<CandidatePair>{CandidatePair::Of(7, 3)}));
  EXPECT_EQ(result.stats.oversized_blocks, 1u);
  EXPECT_EQ(result.stats.dropped_pairs, 12'000u);
  TokenBlockingOptions options;
  options.max_block_pairs = 12'000;
  EXPECT_EQ(TokenCandidates(a, b, options).value().pairs.size(), 12'000u);
}

TEST(TokenBlockingTest, EmptyInputsAndInvalidOptions) {
  EXPECT_TRUE(TokenCandidates({}, {}).value().pairs.empty());
  const std::vector<std::vector<Token>> a = {{MakeToken(1, 1)}};
  TokenBlockingOptions options;
  options.max_block_pairs = 0;
  EXPECT_EQ(TokenCandidates(a, a, options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace fedlink::match
