#include "linkage/match/quality_report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace fedlink::match {
namespace {

std::string PartyName(PartyId party, std::span<const std::string> names) {
  return party < names.size() ? names[party] : absl::StrCat("party ", party);
}

double Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

absl::StatusOr<QualityReport> BuildQualityReport(const QualityReportInput& input) {
  if (input.score_bins == 0) {
    return absl::InvalidArgumentError("quality report: score_bins must be at least 1");
  }
  QualityReport report;
  report.records_per_party = input.records_per_party;
  report.linked_records_per_party.assign(input.records_per_party.size(), 0);
  report.clusters = input.clusters.size();

  absl::flat_hash_set<RecordRef> seen;
  std::map<std::vector<PartyId>, uint64_t> by_parties;
  std::map<uint64_t, uint64_t> by_size;
  std::vector<PartyId> parties;
  for (size_t c = 0; c < input.clusters.size(); ++c) {
    parties.clear();
    for (const RecordRef& ref : input.clusters[c]) {
      if (ref.party >= input.records_per_party.size() ||
          ref.index >= input.records_per_party[ref.party]) {
        return absl::InvalidArgumentError(
            absl::StrCat("quality report: cluster ", c, " names record ", ref.index,
                         " of party ", ref.party, ", outside the uploads"));
      }
      if (!seen.insert(ref).second) {
        return absl::InvalidArgumentError(absl::StrCat("quality report: cluster ", c,
                                                       " repeats record ", ref.index,
                                                       " of party ", ref.party));
      }
      ++report.linked_records_per_party[ref.party];
      parties.push_back(ref.party);
    }
    std::sort(parties.begin(), parties.end());
    auto duplicate = std::adjacent_find(parties.begin(), parties.end());
    if (duplicate != parties.end()) ++report.clusters_with_party_duplicates;
    parties.erase(std::unique(parties.begin(), parties.end()), parties.end());
    ++by_parties[parties];
    ++by_size[input.clusters[c].size()];
  }
  for (const auto& [set, count] : by_parties) report.party_sets.push_back({set, count});
  std::stable_sort(report.party_sets.begin(), report.party_sets.end(),
                   [](const PartySetCount& x, const PartySetCount& y) {
                     return x.parties.size() < y.parties.size();
                   });
  for (const auto& [size, count] : by_size) report.cluster_sizes.push_back({size, count});

  report.ambiguity.assign(input.ambiguity.begin(), input.ambiguity.end());
  std::sort(report.ambiguity.begin(), report.ambiguity.end(),
            [](const AmbiguityCount& x, const AmbiguityCount& y) {
              return std::tie(x.party, x.recipe_id) < std::tie(y.party, y.recipe_id);
            });
  report.ambiguous_token_matches = input.ambiguous_token_matches;
  report.accepted_scores = HistogramOfScores(input.accepted_links, input.score_bins);
  report.configured_threshold = input.configured_threshold;
  report.suggestion = SuggestThreshold(
      input.candidate_scores != nullptr ? *input.candidate_scores : ScoreHistogram::Uniform(),
      input.configured_threshold);
  return report;
}

std::string RenderQualityReport(const QualityReport& report,
                                std::span<const std::string> party_names) {
  std::string out = "Linkage quality report\n\nRecords\n";
  absl::StrAppend(&out, absl::StrFormat("  %-24s %12s %12s %8s\n", "party", "uploaded",
                                        "linked", "linked%"));
  for (size_t p = 0; p < report.records_per_party.size(); ++p) {
    uint64_t linked = report.linked_records_per_party[p];
    absl::StrAppend(&out, absl::StrFormat("  %-24s %12d %12d %7.1f%%\n",
                                          PartyName(static_cast<PartyId>(p), party_names),
                                          report.records_per_party[p], linked,
                                          Percent(linked, report.records_per_party[p])));
  }

  absl::StrAppend(&out, "\nClusters: ", report.clusters, "\n  by party combination\n");
  if (report.party_sets.empty()) absl::StrAppend(&out, "    (none)\n");
  for (const PartySetCount& set : report.party_sets) {
    std::vector<std::string> names;
    for (PartyId party : set.parties) names.push_back(PartyName(party, party_names));
    absl::StrAppend(&out, absl::StrFormat("    %-40s %12d\n",
                                          absl::StrCat("{", absl::StrJoin(names, ", "), "}"),
                                          set.clusters));
  }
  absl::StrAppend(&out, "  by size (records per cluster)\n");
  if (report.cluster_sizes.empty()) absl::StrAppend(&out, "    (none)\n");
  for (const ClusterSizeCount& size : report.cluster_sizes) {
    absl::StrAppend(&out, absl::StrFormat("    %-40d %12d\n", size.size, size.clusters));
  }
  absl::StrAppend(&out, "  holding two or more records of one party: ",
                  report.clusters_with_party_duplicates, "\n");

  absl::StrAppend(&out,
                  "\nAmbiguous tokens (held by several records of one party; never used "
                  "to link that party)\n");
  if (report.ambiguity.empty()) absl::StrAppend(&out, "  (none)\n");
  for (const AmbiguityCount& count : report.ambiguity) {
    absl::StrAppend(&out, absl::StrFormat("  %-24s recipe %-5d %10d tokens %10d records\n",
                                          PartyName(count.party, party_names),
                                          count.recipe_id, count.tokens, count.occurrences));
  }
  absl::StrAppend(&out, "  tokens another party also held, unused because ambiguous: ",
                  report.ambiguous_token_matches, "\n");

  absl::StrAppend(&out, "\nScores of accepted links\n",
                  RenderHistogram(report.accepted_scores, "  "));
  absl::StrAppend(&out, absl::StrFormat("\nThreshold: configured %.3g; suggested %s\n",
                                        report.configured_threshold,
                                        DescribeSuggestion(report.suggestion)));
  return out;
}

}  // namespace fedlink::match
