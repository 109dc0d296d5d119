#include "linkage/match/blocking.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "linkage/status_macros.h"

namespace fedlink::match {

absl::StatusOr<BlockingResult> BlockCandidates(
    const FilterStore* filters_a, const FilterStore* filters_b,
    absl::Span<const std::vector<encode::Token>> tokens_a,
    absl::Span<const std::vector<encode::Token>> tokens_b, const BlockingOptions& options) {
  if ((filters_a == nullptr) != (filters_b == nullptr)) {
    return absl::InvalidArgumentError("blocking: only one party has Bloom filters");
  }
  const bool have_filters = filters_a != nullptr;
  const bool have_tokens = !tokens_a.empty() && !tokens_b.empty();
  if (have_filters && !tokens_a.empty() && tokens_a.size() != filters_a->size()) {
    return absl::InvalidArgumentError(absl::StrCat("blocking: party A has ", filters_a->size(),
                                                   " filters but ", tokens_a.size(),
                                                   " token lists"));
  }
  if (have_filters && !tokens_b.empty() && tokens_b.size() != filters_b->size()) {
    return absl::InvalidArgumentError(absl::StrCat("blocking: party B has ", filters_b->size(),
                                                   " filters but ", tokens_b.size(),
                                                   " token lists"));
  }
  BlockingResult result;
  std::vector<CandidatePair> lsh_pairs;
  if (have_filters && options.lsh.has_value()) {
    FEDLINK_ASSIGN_OR_RETURN(LshResult lsh,
                             LshCandidates(*filters_a, *filters_b, *options.lsh, options.threads));
    result.report.lsh = lsh.stats;
    result.report.lsh_pairs = lsh.pairs.size();
    lsh_pairs = std::move(lsh.pairs);
  }
  std::vector<CandidatePair> token_pairs;
  if (have_tokens) {
    FEDLINK_ASSIGN_OR_RETURN(TokenBlockingResult tokens,
                             TokenCandidates(tokens_a, tokens_b, options.tokens, options.threads));
    result.report.tokens = tokens.stats;
    result.report.token_pairs = tokens.pairs.size();
    token_pairs = std::move(tokens.pairs);
  }
  if (token_pairs.empty()) {
    result.candidates = std::move(lsh_pairs);
  } else if (lsh_pairs.empty()) {
    result.candidates = std::move(token_pairs);
  } else {
    result.candidates = UnionCandidates(lsh_pairs, token_pairs);
  }
  result.report.candidate_pairs = result.candidates.size();
  return result;
}

}  // namespace fedlink::match
