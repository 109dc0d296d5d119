#include "linkage/match/linker.h"

#include <chrono>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "linkage/match/blocking.h"
#include "linkage/match/candidates.h"
#include "linkage/match/dice.h"
#include "linkage/match/greedy_solver.h"
#include "linkage/match/multiparty_clusterer.h"
#include "linkage/match/parallel.h"
#include "linkage/match/score_histogram.h"
#include "linkage/match/scoring.h"
#include "linkage/match/token_table.h"
#include "linkage/match/union_find.h"
#include "linkage/status_macros.h"

namespace fedlink::match {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Candidates are scored in slices of this many, so that the scores kept for
// the histogram never need memory for the whole candidate list at once.
constexpr size_t kScoringSlice = size_t{1} << 20;

// In "both", a token link enters the solver with this offset added to its
// dice, so it outranks every Bloom-only pair (dice ≤ 1).
constexpr double kTokenLinkOffset = 2.0;

bool UsesTokens(LinkMethod method) { return method != LinkMethod::kBloom; }
bool UsesBloom(LinkMethod method) { return method != LinkMethod::kTokens; }

// Checks the options and the uploads against each other; fills the record
// count of each party.
absl::Status Validate(absl::Span<const PartyEncodings> parties, const LinkerOptions& options,
                      std::vector<uint64_t>& records) {
  if (parties.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("linker: ", parties.size(), " parties given, at least 2 needed"));
  }
  if (parties.size() > size_t{std::numeric_limits<PartyId>::max()} + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("linker: ", parties.size(), " parties given, at most 65536 supported"));
  }
  if (options.threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("linker: threads is ", options.threads, ", must be >= 0"));
  }
  if (UsesTokens(options.method)) {
    if (!options.token_rule.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("linker: method ", std::string(LinkMethodName(options.method)),
                       " needs a token_rule (DefaultLinkRule(schema) for the schema's recipes)"));
    }
    FEDLINK_RETURN_IF_ERROR(ValidateLinkRule(*options.token_rule));
  }
  if (UsesBloom(options.method)) {
    FEDLINK_RETURN_IF_ERROR(DiceThreshold::FromDouble(options.threshold).status());
  }
  records.assign(parties.size(), 0);
  for (size_t p = 0; p < parties.size(); ++p) {
    const PartyEncodings& party = parties[p];
    if (party.filters != nullptr && !party.tokens.empty() &&
        party.tokens.size() != party.filters->size()) {
      return absl::InvalidArgumentError(absl::StrCat("linker: party ", p, " sent ",
                                                     party.filters->size(), " filters but ",
                                                     party.tokens.size(), " token lists"));
    }
    records[p] = party.filters != nullptr ? party.filters->size() : party.tokens.size();
    if (records[p] > std::numeric_limits<RecordIndex>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("linker: party ", p, " sent ", records[p],
                                                     " records, at most 2^32 - 1 supported"));
    }
    if (UsesBloom(options.method) && party.filters == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("linker: party ", p,
                                                     " sent no Bloom filters, needed by method ",
                                                     std::string(LinkMethodName(options.method))));
    }
    if (UsesTokens(options.method) && party.tokens.empty() && records[p] > 0) {
      return absl::InvalidArgumentError(absl::StrCat("linker: party ", p,
                                                     " sent no tokens, needed by method ",
                                                     std::string(LinkMethodName(options.method))));
    }
    if (UsesBloom(options.method) && options.blocking && !options.lsh.has_value() &&
        party.tokens.empty() && records[p] > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("linker: LSH is off and party ", p,
                       " sent no tokens, so blocking can find no candidates for it"));
    }
    if (UsesBloom(options.method) && party.filters->bits() != parties[0].filters->bits()) {
      return absl::InvalidArgumentError(
          absl::StrCat("linker: party ", p, " sent ", party.filters->bits(),
                       "-bit filters, party 0 sent ", parties[0].filters->bits(), "-bit"));
    }
  }
  return absl::OkStatus();
}

// The token join over every party's tokens.
// The parties' tables are built on separate threads (each table by one).
absl::StatusOr<TokenJoinResult> JoinPartyTokens(absl::Span<const PartyEncodings> parties,
                                                const LinkRule& rule, int threads) {
  std::vector<TokenTable> tables;
  tables.reserve(parties.size());
  for (size_t p = 0; p < parties.size(); ++p) tables.emplace_back(static_cast<PartyId>(p));
  ParallelFor(ResolveThreadCount(threads), parties.size(), [&](size_t p) {
    size_t count = 0;
    for (const std::vector<encode::Token>& tokens : parties[p].tokens) count += tokens.size();
    TokenTable& table = tables[p];
    table.Reserve(count);
    for (size_t i = 0; i < parties[p].tokens.size(); ++i) {
      for (const encode::Token& token : parties[p].tokens[i]) {
        table.Add(static_cast<RecordIndex>(i), token);
      }
    }
  });
  std::vector<const TokenTable*> pointers;
  pointers.reserve(tables.size());
  for (const TokenTable& table : tables) pointers.push_back(&table);
  return JoinTokens(pointers, rule);
}

struct BloomOutcome {
  std::vector<ScoredPair> pairs;  // dice ≥ threshold
  ScoreHistogram histogram = ScoreHistogram::Uniform();
};

// Blocks (or not) and scores one pair of parties, adding to `out` and the
// counters and phase times of `stats`.
absl::Status ScorePartyPair(const PartyEncodings& first, const PartyEncodings& second, PartyId p,
                            PartyId q, const LinkerOptions& options, const DiceThreshold& threshold,
                            BloomOutcome& out, LinkerStats& stats) {
  ScoringOptions scoring;
  scoring.party_a = p;
  scoring.party_b = q;
  scoring.threads = options.threads;
  const FilterStore& a = *first.filters;
  const FilterStore& b = *second.filters;

  if (!options.blocking) {
    Clock::time_point start = Clock::now();
    FEDLINK_ASSIGN_OR_RETURN(ScoringResult scored, ScoreAllPairs(a, b, threshold, scoring));
    stats.seconds.scoring += SecondsSince(start);
    stats.candidate_pairs += scored.stats.pairs_considered;
    stats.comparisons += scored.stats.pairs_compared;
    for (const ScoredPair& pair : scored.pairs) out.histogram.Add(pair.score);
    out.pairs.insert(out.pairs.end(), scored.pairs.begin(), scored.pairs.end());
    return absl::OkStatus();
  }

  Clock::time_point start = Clock::now();
  BlockingOptions blocking;
  blocking.lsh = options.lsh;
  if (blocking.lsh.has_value()) blocking.lsh->seed = options.seed;
  blocking.tokens = options.token_blocking;
  blocking.threads = options.threads;
  FEDLINK_ASSIGN_OR_RETURN(BlockingResult blocked,
                           BlockCandidates(&a, &b, first.tokens, second.tokens, blocking));
  stats.seconds.blocking += SecondsSince(start);
  stats.lsh_pairs += blocked.report.lsh_pairs;
  stats.lsh_band_pairs += blocked.report.lsh.band_pairs;
  stats.token_block_pairs += blocked.report.token_pairs;
  stats.blocking_dropped_pairs +=
      blocked.report.lsh.dropped_pairs + blocked.report.tokens.dropped_pairs;
  stats.candidate_pairs += blocked.report.candidate_pairs;

  // Every candidate is scored, not only those that can reach the threshold,
  // so that the histogram behind the threshold suggestion shows the
  // non-matches too. The floor passes any pair with a common bit; the rest
  // (dice 0) go to the lowest bin. Pairs are kept when dice ≥ threshold:
  // dice and threshold are rationals with denominators ≤ 2^21 and 10^6,
  // distinct ones differ by far more than a double's rounding, so the
  // double comparison agrees with the exact test.
  start = Clock::now();
  const DiceThreshold floor = DiceThreshold::FromFraction(1, 1'000'000).value();
  const double cut = threshold.value();
  absl::Span<const CandidatePair> candidates(blocked.candidates);
  for (size_t begin = 0; begin < candidates.size(); begin += kScoringSlice) {
    FEDLINK_ASSIGN_OR_RETURN(
        ScoringResult scored,
        ScoreCandidates(a, b, candidates.subspan(begin, kScoringSlice), floor, scoring));
    stats.comparisons += scored.stats.pairs_compared;
    out.histogram.counts[0] += scored.stats.pairs_considered - scored.stats.pairs_matched;
    for (const ScoredPair& pair : scored.pairs) {
      out.histogram.Add(pair.score);
      if (pair.score >= cut) out.pairs.push_back(pair);
    }
  }
  stats.seconds.scoring += SecondsSince(start);
  return absl::OkStatus();
}

// The pairs the solver decides on and the threshold it applies (see the
// method rules in linker.h).
struct SolverInput {
  std::vector<ScoredPair> pairs;
  double threshold = 0;
};

SolverInput BuildSolverInput(absl::Span<const PartyEncodings> parties, LinkMethod method,
                             const DiceThreshold* threshold, std::vector<ScoredPair> token_links,
                             std::vector<ScoredPair> bloom_pairs) {
  SolverInput input;
  if (method == LinkMethod::kTokens) {
    input.pairs = std::move(token_links);
    input.threshold = 1.0;  // every token link scores 1
    return input;
  }
  input.threshold = threshold->value();
  if (method == LinkMethod::kBloom) {
    input.pairs = std::move(bloom_pairs);
    return input;
  }
  const PopcountKernels& kernels = BestPopcountKernels();
  absl::flat_hash_set<std::pair<RecordRef, RecordRef>> linked;
  linked.reserve(token_links.size());
  input.pairs.reserve(token_links.size() + bloom_pairs.size());
  for (const ScoredPair& link : token_links) {
    const FilterStore& a = *parties[link.a.party].filters;
    const FilterStore& b = *parties[link.b.party].filters;
    const double dice =
        Dice(a.row(link.a.index), b.row(link.b.index), a.words_per_filter(), kernels);
    input.pairs.push_back(ScoredPair{link.a, link.b, kTokenLinkOffset + dice});
    linked.emplace(link.a, link.b);
  }
  for (const ScoredPair& pair : bloom_pairs) {
    if (!linked.contains(std::make_pair(pair.a, pair.b))) input.pairs.push_back(pair);
  }
  return input;
}

Link ToLink(const ScoredPair& decided, LinkMethod method) {
  if (method == LinkMethod::kTokens || decided.score >= kTokenLinkOffset) {
    return Link{ScoredPair{decided.a, decided.b, 1.0}, LinkEvidence::kToken};
  }
  return Link{decided, LinkEvidence::kBloom};
}

}  // namespace

std::string_view LinkMethodName(LinkMethod method) {
  switch (method) {
    case LinkMethod::kTokens:
      return "tokens";
    case LinkMethod::kBloom:
      return "bloom";
    case LinkMethod::kBoth:
      return "both";
  }
  return "invalid";
}

std::optional<LinkMethod> LinkMethodFromName(std::string_view name) {
  for (LinkMethod method : {LinkMethod::kTokens, LinkMethod::kBloom, LinkMethod::kBoth}) {
    if (name == LinkMethodName(method)) return method;
  }
  return std::nullopt;
}

absl::StatusOr<LinkageResult> LinkParties(absl::Span<const PartyEncodings> parties,
                                          const LinkerOptions& options) {
  const Clock::time_point job_start = Clock::now();
  LinkageResult result;
  LinkerStats& stats = result.stats;
  FEDLINK_RETURN_IF_ERROR(Validate(parties, options, stats.records_per_party));
  for (const PartyEncodings& party : parties) {
    for (const std::vector<encode::Token>& tokens : party.tokens) stats.tokens += tokens.size();
  }

  TokenJoinResult join;
  if (UsesTokens(options.method)) {
    Clock::time_point start = Clock::now();
    FEDLINK_ASSIGN_OR_RETURN(join, JoinPartyTokens(parties, *options.token_rule, options.threads));
    stats.seconds.token_join = SecondsSince(start);
    stats.token_links = join.links.size();
    stats.token_pairs_below_rule = join.pairs_below_rule;
    for (const AmbiguityCount& count : join.ambiguity) stats.ambiguous_tokens += count.tokens;
    stats.ambiguous_token_matches = join.ambiguous_token_matches;
  }

  std::optional<DiceThreshold> threshold;
  BloomOutcome bloom;
  if (UsesBloom(options.method)) {
    threshold = DiceThreshold::FromDouble(options.threshold).value();  // validated
    for (size_t p = 0; p < parties.size(); ++p) {
      for (size_t q = p + 1; q < parties.size(); ++q) {
        if (stats.records_per_party[p] == 0 || stats.records_per_party[q] == 0) continue;
        FEDLINK_RETURN_IF_ERROR(ScorePartyPair(parties[p], parties[q], static_cast<PartyId>(p),
                                               static_cast<PartyId>(q), options, *threshold, bloom,
                                               stats));
      }
    }
    stats.pairs_above_threshold = bloom.pairs.size();
  }

  Clock::time_point start = Clock::now();
  SolverInput input = BuildSolverInput(parties, options.method, threshold ? &*threshold : nullptr,
                                       std::move(join.links), std::move(bloom.pairs));
  std::vector<ScoredPair> decided;
  if (parties.size() == 2 && !options.allow_within_party_duplicates) {
    FEDLINK_ASSIGN_OR_RETURN(OneToOneResult solved, GreedyOneToOne(input.pairs, input.threshold, options.threads));
    stats.solver_conflicts = solved.conflicts;
    decided = std::move(solved.matches);
    result.clusters = ClusterLinks(decided);
  } else {
    ClusteringOptions clustering;
    clustering.threshold = input.threshold;
    clustering.allow_within_party_duplicates = options.allow_within_party_duplicates;
    clustering.linkage = ClusterLinkage::kSingle;
    FEDLINK_ASSIGN_OR_RETURN(ClusteringResult solved, GreedyCluster(input.pairs, clustering));
    stats.solver_conflicts = solved.rejected_party_conflict + solved.rejected_linkage;
    decided = std::move(solved.accepted);
    result.clusters = std::move(solved.clusters);
  }
  input.pairs = {};
  result.links.reserve(decided.size());
  std::vector<ScoredPair> accepted;
  accepted.reserve(decided.size());
  for (const ScoredPair& pair : decided) {
    const Link& link = result.links.emplace_back(ToLink(pair, options.method));
    accepted.push_back(link.pair);
    if (link.evidence == LinkEvidence::kToken) {
      ++stats.accepted_token_links;
    } else {
      ++stats.accepted_bloom_links;
    }
  }
  stats.seconds.solving = SecondsSince(start);

  start = Clock::now();
  QualityReportInput report;
  report.records_per_party = stats.records_per_party;
  report.clusters = result.clusters;
  report.accepted_links = accepted;
  report.ambiguity = join.ambiguity;
  report.ambiguous_token_matches = join.ambiguous_token_matches;
  report.candidate_scores = UsesBloom(options.method) ? &bloom.histogram : nullptr;
  report.configured_threshold = options.threshold;
  FEDLINK_ASSIGN_OR_RETURN(result.quality, BuildQualityReport(report));
  result.candidate_scores = std::move(bloom.histogram);
  stats.seconds.report = SecondsSince(start);
  stats.seconds.total = SecondsSince(job_start);
  return result;
}

}  // namespace fedlink::match
