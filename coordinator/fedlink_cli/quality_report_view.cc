#include "coordinator/fedlink_cli/quality_report_view.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace fedlink::cli {
namespace {

// Longest bar of the score histogram, in characters.
constexpr uint64_t kHistogramBarWidth = 40;

// A score or threshold as written in a job spec: 0.8, 0.85, 0.875.
std::string Score(double value) { return absl::StrFormat("%.4g", value); }

struct PartyRow {
  std::string agency;
  uint64_t records = 0;
  uint64_t linked = 0;
};

// Uploaded and linked records per agency, in spec order (the order of
// records_per_party; an agency only linked_records_per_party names comes
// after them).
std::vector<PartyRow> PartyRows(const v1::LinkageQualityReport& report) {
  std::vector<PartyRow> rows;
  std::map<std::string, size_t> position;
  for (const v1::PartyCount& party : report.records_per_party()) {
    position.emplace(party.agency(), rows.size());
    rows.push_back({party.agency(), party.count(), 0});
  }
  for (const v1::PartyCount& party : report.linked_records_per_party()) {
    auto [it, inserted] = position.emplace(party.agency(), rows.size());
    if (inserted) rows.push_back({party.agency(), 0, 0});
    rows[it->second].linked = party.count();
  }
  return rows;
}

std::string_view MethodName(v1::SuggestionMethod method) {
  switch (method) {
    case v1::SUGGESTION_METHOD_VALLEY:
      return "valley";
    case v1::SUGGESTION_METHOD_NOT_BIMODAL:
      return "not_bimodal";
    case v1::SUGGESTION_METHOD_NO_SCORES:
      return "no_scores";
    default:
      return "unspecified";
  }
}

// Bin i of the histogram covers [lo + i·w, lo + (i+1)·w).
struct Bin {
  double lo = 0;
  double hi = 0;
  uint64_t count = 0;
};

std::vector<Bin> Bins(const v1::ScoreHistogram& histogram) {
  std::vector<Bin> bins;
  const int n = histogram.counts_size();
  if (n == 0) return bins;
  const double width = (histogram.hi() - histogram.lo()) / n;
  for (int i = 0; i < n; ++i) {
    bins.push_back({histogram.lo() + i * width, histogram.lo() + (i + 1) * width,
                    histogram.counts(i)});
  }
  return bins;
}

std::string ThresholdText(const v1::LinkageQualityReport& report) {
  std::string text = absl::StrCat("threshold: ", Score(report.configured_threshold()),
                                  " configured");
  const v1::ThresholdSuggestion& suggestion = report.suggestion();
  switch (suggestion.method()) {
    case v1::SUGGESTION_METHOD_VALLEY:
      absl::StrAppend(&text, "; suggested ", Score(suggestion.threshold()),
                      " (the valley between the score modes at ", Score(suggestion.lower_mode()),
                      " and ", Score(suggestion.upper_mode()), ")");
      break;
    case v1::SUGGESTION_METHOD_NOT_BIMODAL:
      absl::StrAppend(&text, "; the scores are not bimodal: no other threshold to suggest");
      break;
    case v1::SUGGESTION_METHOD_NO_SCORES:
      absl::StrAppend(&text, "; nothing was scored: no threshold to suggest");
      break;
    default:
      break;
  }
  return text;
}

}  // namespace

std::string FormatQualityReport(const v1::LinkageQualityReport& report,
                                absl::string_view indent) {
  std::vector<std::string> lines;
  const std::vector<PartyRow> parties = PartyRows(report);
  size_t width = std::string_view("AGENCY").size();
  for (const PartyRow& party : parties) width = std::max(width, party.agency.size());
  const int agency_width = static_cast<int>(width);
  lines.push_back(absl::StrFormat("%-*s %10s %10s", agency_width, "AGENCY", "RECORDS", "LINKED"));
  for (const PartyRow& party : parties) {
    const std::string share =
        party.records == 0
            ? std::string()
            : absl::StrFormat("  (%.1f%%)", 100.0 * static_cast<double>(party.linked) /
                                                static_cast<double>(party.records));
    lines.push_back(absl::StrFormat("%-*s %10d %10d%s", agency_width, party.agency, party.records,
                                    party.linked, share));
  }
  lines.push_back(absl::StrCat("clusters (research ids): ", report.clusters()));
  if (report.party_sets_size() > 0) {
    lines.push_back("clusters by parties:");
    for (const v1::PartySetCount& set : report.party_sets()) {
      lines.push_back(
          absl::StrFormat("  %-40s %10d", absl::StrJoin(set.agencies(), " + "), set.clusters()));
    }
  }
  if (report.cluster_sizes_size() > 0) {
    std::vector<std::string> sizes;
    for (const v1::ClusterSizeCount& size : report.cluster_sizes()) {
      sizes.push_back(absl::StrCat(size.size(), " records: ", size.clusters()));
    }
    lines.push_back(absl::StrCat("cluster sizes: ", absl::StrJoin(sizes, ", ")));
  }
  if (report.clusters_with_party_duplicates() > 0) {
    lines.push_back(absl::StrCat("clusters with two or more records of one agency: ",
                                 report.clusters_with_party_duplicates()));
  }
  if (report.ambiguity_size() > 0) {
    lines.push_back("tokens held by several records of one agency (not used to link):");
    for (const v1::AmbiguityCount& ambiguity : report.ambiguity()) {
      lines.push_back(absl::StrFormat("  %s, recipe %d: %d tokens on %d records",
                                      ambiguity.agency(), ambiguity.recipe_id(),
                                      ambiguity.tokens(), ambiguity.occurrences()));
    }
    lines.push_back(absl::StrCat("  token matches left to the Bloom filters because of them: ",
                                 report.ambiguous_token_matches()));
  }
  const std::vector<Bin> bins = Bins(report.accepted_scores());
  uint64_t largest = 0;
  for (const Bin& bin : bins) largest = std::max(largest, bin.count);
  if (largest > 0) {
    lines.push_back("accepted link scores (Dice; token links count as 1):");
    for (const Bin& bin : bins) {
      if (bin.count == 0) continue;
      // At least one mark for a non-empty bin, however small.
      const uint64_t marks = std::max<uint64_t>(1, bin.count * kHistogramBarWidth / largest);
      lines.push_back(absl::StrFormat("  %5.3f-%5.3f  %-*s %d", bin.lo, bin.hi,
                                      static_cast<int>(kHistogramBarWidth),
                                      std::string(marks, '#'), bin.count));
    }
  }
  if (report.has_suggestion() || report.configured_threshold() > 0) {
    lines.push_back(ThresholdText(report));
  }
  std::string text;
  for (const std::string& line : lines) absl::StrAppend(&text, indent, line, "\n");
  return text;
}

nlohmann::ordered_json QualityReportJson(const v1::LinkageQualityReport& report) {
  nlohmann::ordered_json out;
  nlohmann::ordered_json parties = nlohmann::ordered_json::array();
  for (const PartyRow& party : PartyRows(report)) {
    parties.push_back({{"agency", party.agency}, {"records", party.records},
                       {"linked", party.linked}});
  }
  out["records_per_party"] = std::move(parties);
  out["clusters"] = report.clusters();
  nlohmann::ordered_json sets = nlohmann::ordered_json::array();
  for (const v1::PartySetCount& set : report.party_sets()) {
    sets.push_back(
        {{"agencies", std::vector<std::string>(set.agencies().begin(), set.agencies().end())},
         {"clusters", set.clusters()}});
  }
  out["party_sets"] = std::move(sets);
  nlohmann::ordered_json sizes = nlohmann::ordered_json::array();
  for (const v1::ClusterSizeCount& size : report.cluster_sizes()) {
    sizes.push_back({{"size", size.size()}, {"clusters", size.clusters()}});
  }
  out["cluster_sizes"] = std::move(sizes);
  out["clusters_with_party_duplicates"] = report.clusters_with_party_duplicates();
  nlohmann::ordered_json ambiguity = nlohmann::ordered_json::array();
  for (const v1::AmbiguityCount& count : report.ambiguity()) {
    ambiguity.push_back({{"agency", count.agency()},
                         {"recipe_id", count.recipe_id()},
                         {"tokens", count.tokens()},
                         {"occurrences", count.occurrences()}});
  }
  out["ambiguity"] = std::move(ambiguity);
  out["ambiguous_token_matches"] = report.ambiguous_token_matches();
  if (report.has_accepted_scores() && report.accepted_scores().counts_size() > 0) {
    nlohmann::ordered_json bins = nlohmann::ordered_json::array();
    for (const Bin& bin : Bins(report.accepted_scores())) {
      bins.push_back({{"lo", bin.lo}, {"hi", bin.hi}, {"count", bin.count}});
    }
    out["accepted_scores"] = {{"lo", report.accepted_scores().lo()},
                              {"hi", report.accepted_scores().hi()},
                              {"bins", std::move(bins)}};
  } else {
    out["accepted_scores"] = nullptr;
  }
  const v1::ThresholdSuggestion& suggestion = report.suggestion();
  nlohmann::ordered_json threshold;
  threshold["configured"] = report.configured_threshold();
  threshold["suggested"] = suggestion.threshold();
  threshold["method"] = std::string(MethodName(suggestion.method()));
  if (suggestion.method() == v1::SUGGESTION_METHOD_VALLEY) {
    threshold["lower_mode"] = suggestion.lower_mode();
    threshold["upper_mode"] = suggestion.upper_mode();
  }
  out["threshold"] = std::move(threshold);
  return out;
}

}  // namespace fedlink::cli
