// The end-to-end linker the coordinator calls once every party has uploaded
// its encodings: token join and/or Bloom-filter blocking + Dice scoring, a
// solver that keeps one record per party in a cluster, and the
// linkage-quality report.
//
// Methods
//  * tokens: records of different parties sharing salted-hash tokens under
//    the job's LinkRule (token_join.h) are links of score 1.
//  * bloom: candidate pairs from blocking (Hamming LSH united with token
//    blocks, blocking.h) — or every pair when blocking is off — scored by
//    Sørensen–Dice; pairs with dice ≥ threshold are links.
//  * both: token links are exact evidence and are decided first; Bloom
//    pairs ≥ threshold fill in around them. Concretely the solver sees each
//    token link with the score 2 + dice (dice of the pair's filters), every
//    other Bloom pair with its dice ≤ 1. So every token link ranks above
//    every Bloom-only pair and is accepted unless it conflicts with a better
//    token link (conflicting token links, e.g. A1–B1 by one recipe and
//    A2–B1 by another, are settled by their Bloom similarity, not by record
//    order); Bloom-only pairs then link what the token links left free. A
//    token link ignores the Dice threshold: an exact match of a linking
//    recipe outranks a damaged filter.
//
// Solver: two parties → GreedyOneToOne (each record in at most one link);
// three or more parties, or within-party duplicates allowed → GreedyCluster
// (single linkage; at most one record per party in a cluster unless
// duplicates are allowed). Both decide best score first with ties broken by
// the records, so the output depends only on the input — never on the
// thread count or input order — except the phase wall times.
#ifndef FEDLINK_LINKAGE_MATCH_LINKER_H_
#define FEDLINK_LINKAGE_MATCH_LINKER_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linkage/encode/encodings.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/lsh_blocking.h"
#include "linkage/match/quality_report.h"
#include "linkage/match/score_histogram.h"
#include "linkage/match/token_blocking.h"
#include "linkage/match/token_join.h"
#include "linkage/match/types.h"

namespace fedlink::match {

enum class LinkMethod : uint8_t { kTokens, kBloom, kBoth };

// "tokens", "bloom", "both" (and back; nullopt for any other text).
std::string_view LinkMethodName(LinkMethod method);
std::optional<LinkMethod> LinkMethodFromName(std::string_view name);

// The default Dice threshold, chosen on FEBRL4 with the example schema
// (tests/febrl/match_linkage_febrl4_test.cc; five job keys): Bloom linkage
// has precision 1 and F1 0.9966-0.9974 at 0.7, against F1 0.989 at 0.75
// and 0.963 at 0.8, because that schema's filters of true pairs spread down
// to dice ~0.62. With half of one side lacking a partner precision stays
// 0.9996 at 0.7, while at 0.65 and below false links start to appear.
inline constexpr double kDefaultDiceThreshold = 0.7;

// One party's upload; the party's id is its position in the list given to
// LinkParties. The linker only reads these, during the call.
struct PartyEncodings {
  // tokens[i]: the tokens of record i. Empty when the party sent no tokens.
  absl::Span<const std::vector<encode::Token>> tokens;
  // The party's Bloom filters, record i in row i; null when it sent none.
  const FilterStore* filters = nullptr;
};

struct LinkerOptions {
  LinkMethod method = LinkMethod::kBoth;
  // Dice threshold of the Bloom methods, in (0, 1], taken to six decimals
  // as DiceThreshold::FromDouble does.
  double threshold = kDefaultDiceThreshold;
  // Which shared tokens link (tokens and both). Required for those methods,
  // because a default-constructed rule would also link on blocking-only
  // recipes: use DefaultLinkRule(schema) unless the job says otherwise.
  std::optional<LinkRule> token_rule;
  // Bloom methods: compare only the candidate pairs of blocking. Off, every
  // pair of records of two parties is compared — exact, but quadratic in
  // the input: for inputs of up to some 10^4 records a party. With blocking
  // every candidate's score enters the report's histogram (and so the
  // threshold suggestion); without, only the pairs ≥ threshold do, since
  // keeping all n_a · n_b scores would cost quadratic memory.
  bool blocking = true;
  // Hamming LSH over the filters (nullopt: token blocks only); its seed is
  // replaced by `seed` below.
  std::optional<LshParams> lsh = LshParams{};
  // Token blocks over every token the parties sent (any recipe).
  TokenBlockingOptions token_blocking;
  // The only random choice of the linker: the LSH band positions are drawn
  // from it. Not secret (the filters are keyed).
  uint64_t seed = LshParams{}.seed;
  // Worker threads for blocking and scoring; 0: one per hardware thread.
  int threads = 1;
  // Lets a cluster hold several records of one party (a party known to have
  // duplicates in its upload); the solver is then GreedyCluster even for two
  // parties, and clusters are the connected groups of links.
  bool allow_within_party_duplicates = false;
};

enum class LinkEvidence : uint8_t {
  kToken,  // shared tokens under the link rule
  kBloom,  // Dice similarity ≥ threshold
};

struct Link {
  // a < b. score: 1 for a token link, the Dice similarity for a Bloom link.
  ScoredPair pair;
  LinkEvidence evidence = LinkEvidence::kBloom;
};

// Wall time of each phase, in seconds (the only part of the result that
// differs between runs).
struct PhaseTimes {
  double token_join = 0;  // token tables and the join
  double blocking = 0;
  double scoring = 0;
  double solving = 0;
  double report = 0;  // the quality report
  double total = 0;
};

// Counts of the whole job; pair counts are summed over all pairs of parties.
struct LinkerStats {
  std::vector<uint64_t> records_per_party;
  uint64_t tokens = 0;  // tokens uploaded by all parties (every recipe)
  // Token join (tokens, both).
  uint64_t token_links = 0;              // pairs the link rule linked
  uint64_t token_pairs_below_rule = 0;   // pairs sharing tokens, too few for the rule
  uint64_t ambiguous_tokens = 0;         // distinct tokens several records of one party hold
  uint64_t ambiguous_token_matches = 0;  // tokens shared with another party but ambiguous
  // Blocking and scoring (bloom, both).
  uint64_t lsh_pairs = 0;               // distinct LSH candidates
  uint64_t lsh_band_pairs = 0;          // LSH pairs over all bands, before deduplication
  uint64_t token_block_pairs = 0;       // distinct token-block candidates
  uint64_t blocking_dropped_pairs = 0;  // pairs of oversized LSH buckets / token blocks
  uint64_t candidate_pairs = 0;         // pairs considered: the blocking union, or all pairs
  uint64_t comparisons = 0;             // pairs whose filter bits were compared
  uint64_t pairs_above_threshold = 0;   // Bloom pairs with dice ≥ threshold
  // Solver.
  uint64_t solver_conflicts = 0;  // links turned down: a record was taken / one per party
  uint64_t accepted_token_links = 0;
  uint64_t accepted_bloom_links = 0;
  PhaseTimes seconds;
};

struct LinkageResult {
  // ≥ 2 records each, ascending; ordered by first record.
  std::vector<Cluster> clusters;
  // The links the solver accepted, in decision order (best first). With
  // two parties (no duplicates) these are exactly the linked pairs; with
  // clustering they are the links that merged clusters, so a cluster of n
  // records is held together by n − 1 of them.
  std::vector<Link> links;
  LinkerStats stats;
  QualityReport quality;  // counts only; safe to show an analyst
  // The Dice of every compared Bloom pair (every candidate with blocking;
  // only the pairs ≥ threshold without), behind quality.suggestion; empty
  // for tokens. Counts only.
  ScoreHistogram candidate_scores = ScoreHistogram::Uniform();
};

// Links the uploads of two or more parties (see the top of this file).
// Errors (InvalidArgument, naming the party or option, never a value):
// fewer than two or more than 65536 parties; threads < 0; tokens or both
// without token_rule, or an invalid rule; bloom or both with an invalid
// threshold, a party without filters, or filters of different lengths;
// tokens or both with a party whose token lists are missing; a party whose
// token lists and filters differ in number; blocking with LSH off and a
// party without tokens (no candidates could be found); invalid LSH or
// token-blocking parameters. Thread-safe (the uploads are only read);
// deterministic (see above).
absl::StatusOr<LinkageResult> LinkParties(absl::Span<const PartyEncodings> parties,
                                          const LinkerOptions& options);

}  // namespace fedlink::match

#endif  // FEDLINK_LINKAGE_MATCH_LINKER_H_
