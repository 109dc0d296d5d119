#include "coordinator/jobs/job_matching.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "coordinator/jobs/aggregate_table.h"
#include "linkage/match/linker.h"
#include "linkage/match/token_join.h"
#include "linkage/status_macros.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::coordinator {
namespace {

struct PartyUpload {
  std::vector<std::vector<encode::Token>> tokens;
  std::optional<match::FilterStore> filters;
  // The category party of a breakdown: one code per record.
  std::vector<uint32_t> category_codes;
};

uint64_t LoadLittleEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

absl::StatusOr<PartyUpload> LoadParty(const CoordinatorStore& store, const std::string& job_id,
                                      uint16_t party, bool want_tokens, bool want_filters,
                                      bool want_codes) {
  PartyUpload upload;
  uint64_t expected_sequence = 0;
  uint64_t records_loaded = 0;
  std::vector<uint64_t> words;
  absl::Status loaded = store.ForEachEncodingBatch(
      job_id, party, [&](std::string_view bytes) -> absl::Status {
        const std::string where = absl::StrCat("party ", party, " batch ", expected_sequence);
        FEDLINK_ASSIGN_OR_RETURN(v1::EncodingBatch batch,
                                 proto::ParseValidated<v1::EncodingBatch>(bytes, where));
        if (batch.sequence() != expected_sequence || batch.first_pseudonym() != records_loaded) {
          return absl::DataLossError(absl::StrCat(where, ": stored out of order"));
        }
        ++expected_sequence;
        const uint32_t n = batch.record_count();
        records_loaded += n;
        if (want_codes && n > 0) {
          if (static_cast<uint32_t>(batch.category_codes_size()) != n) {
            return absl::DataLossError(absl::StrCat(where, ": ", batch.category_codes_size(),
                                                    " category codes for ", n, " records"));
          }
          upload.category_codes.insert(upload.category_codes.end(), batch.category_codes().begin(),
                                       batch.category_codes().end());
        }
        if (want_tokens) {
          size_t next = 0;
          for (uint32_t i = 0; i < n; ++i) {
            std::vector<encode::Token> record(batch.token_counts(static_cast<int>(i)));
            for (encode::Token& t : record) {
              t.recipe_id = static_cast<uint16_t>(batch.token_recipe_ids(static_cast<int>(next)));
              std::memcpy(t.bytes.data(), batch.tokens().data() + next * encode::kTokenBytes,
                          encode::kTokenBytes);
              ++next;
            }
            upload.tokens.push_back(std::move(record));
          }
        }
        if (want_filters && n > 0) {
          if (!upload.filters.has_value()) {
            FEDLINK_ASSIGN_OR_RETURN(match::FilterStore created,
                                     match::FilterStore::Create(batch.filter_bits()));
            upload.filters.emplace(std::move(created));
          }
          if (batch.filter_bits() != upload.filters->bits()) {
            return absl::InvalidArgumentError(absl::StrCat(where, ": filter length changed"));
          }
          const size_t filter_bytes = batch.filter_bits() / 8;
          words.resize(batch.filter_bits() / 64);
          for (uint32_t i = 0; i < n; ++i) {
            const char* f = batch.filters().data() + i * filter_bytes;
            for (size_t w = 0; w < words.size(); ++w) words[w] = LoadLittleEndian64(f + 8 * w);
            FEDLINK_RETURN_IF_ERROR(upload.filters->Append(words));
          }
        }
        return absl::OkStatus();
      });
  if (!loaded.ok()) return loaded;
  return upload;
}

v1::LinkageQualityReport Convert(const match::QualityReport& report,
                                 absl::Span<const std::string> names) {
  v1::LinkageQualityReport out;
  for (size_t p = 0; p < report.records_per_party.size() && p < names.size(); ++p) {
    v1::PartyCount* c = out.add_records_per_party();
    c->set_agency(names[p]);
    c->set_count(report.records_per_party[p]);
  }
  for (size_t p = 0; p < report.linked_records_per_party.size() && p < names.size(); ++p) {
    v1::PartyCount* c = out.add_linked_records_per_party();
    c->set_agency(names[p]);
    c->set_count(report.linked_records_per_party[p]);
  }
  out.set_clusters(report.clusters);
  for (const match::PartySetCount& s : report.party_sets) {
    if (out.party_sets_size() >= 4096) break;
    v1::PartySetCount* c = out.add_party_sets();
    for (match::PartyId p : s.parties) c->add_agencies(p < names.size() ? names[p] : "");
    c->set_clusters(s.clusters);
  }
  for (const match::ClusterSizeCount& s : report.cluster_sizes) {
    if (out.cluster_sizes_size() >= 4096) break;
    v1::ClusterSizeCount* c = out.add_cluster_sizes();
    c->set_size(s.size);
    c->set_clusters(s.clusters);
  }
  out.set_clusters_with_party_duplicates(report.clusters_with_party_duplicates);
  for (const match::AmbiguityCount& a : report.ambiguity) {
    if (out.ambiguity_size() >= 32768 || a.party >= names.size()) break;
    v1::AmbiguityCount* c = out.add_ambiguity();
    c->set_agency(names[a.party]);
    c->set_recipe_id(a.recipe_id);
    c->set_tokens(a.tokens);
    c->set_occurrences(a.occurrences);
  }
  out.set_ambiguous_token_matches(report.ambiguous_token_matches);
  v1::ScoreHistogram* h = out.mutable_accepted_scores();
  h->set_lo(report.accepted_scores.lo);
  h->set_hi(report.accepted_scores.hi);
  for (size_t i = 0; i < report.accepted_scores.counts.size() && i < 1000; ++i) {
    h->add_counts(report.accepted_scores.counts[i]);
  }
  out.set_configured_threshold(report.configured_threshold);
  v1::ThresholdSuggestion* s = out.mutable_suggestion();
  s->set_threshold(report.suggestion.threshold);
  switch (report.suggestion.method) {
    case match::SuggestionMethod::kValley: s->set_method(v1::SUGGESTION_METHOD_VALLEY); break;
    case match::SuggestionMethod::kNotBimodal:
      s->set_method(v1::SUGGESTION_METHOD_NOT_BIMODAL);
      break;
    case match::SuggestionMethod::kNoScores: s->set_method(v1::SUGGESTION_METHOD_NO_SCORES); break;
  }
  s->set_lower_mode(report.suggestion.lower_mode);
  s->set_upper_mode(report.suggestion.upper_mode);
  return out;
}

}  // namespace

std::optional<int> CategoryPartyIndex(const v1::JobSpec& spec) {
  if (spec.output_mode() != v1::OUTPUT_MODE_AGGREGATE || !spec.aggregate().has_category()) {
    return std::nullopt;
  }
  for (int p = 0; p < spec.parties_size(); ++p) {
    if (spec.parties(p).agency() == spec.aggregate().category().agency()) return p;
  }
  return std::nullopt;
}

absl::Status CsprngBytes(absl::Span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const size_t n = std::min<size_t>(out.size() - done, INT_MAX);
    if (RAND_bytes(out.data() + done, static_cast<int>(n)) != 1) {
      return absl::InternalError("RAND_bytes failed");
    }
    done += n;
  }
  return absl::OkStatus();
}

v1::LinkageQualityReport QualityReportToProto(const match::QualityReport& report,
                                              absl::Span<const std::string> party_names) {
  return Convert(report, party_names);
}

v1::LinkageQualityReport CoarsenForAggregate(const v1::LinkageQualityReport& report) {
  v1::LinkageQualityReport out;
  *out.mutable_records_per_party() = report.records_per_party();
  *out.mutable_ambiguity() = report.ambiguity();
  out.set_ambiguous_token_matches(report.ambiguous_token_matches());
  out.set_configured_threshold(report.configured_threshold());
  *out.mutable_suggestion() = report.suggestion();
  return out;
}

absl::StatusOr<MatchingOutput> MatchJob(const CoordinatorStore& store,
                                        const internal::StoredJob& job, uint32_t min_cell_count,
                                        const RandomBytes& random, int threads) {
  const v1::JobSpec& spec = job.job().spec();
  const std::string& job_id = job.job().job_id();
  FEDLINK_ASSIGN_OR_RETURN(schema::LinkageSchema schema,
                           proto::VerifyLinkageSchemaSpec(spec.linkage_schema(), "JobSpec.linkage_schema"));
  match::LinkerOptions options;
  const bool tokens = spec.method() != v1::LINKAGE_METHOD_BLOOM;
  const bool bloom = spec.method() != v1::LINKAGE_METHOD_TOKENS;
  options.method = !bloom ? match::LinkMethod::kTokens
                          : (!tokens ? match::LinkMethod::kBloom : match::LinkMethod::kBoth);
  options.threshold = bloom ? spec.match().bloom_threshold() : match::kDefaultDiceThreshold;
  options.threads = threads;
  if (tokens) {
    match::LinkRule rule = match::DefaultLinkRule(schema);
    rule.min_distinct_recipes = std::max<uint32_t>(1, spec.match().min_shared_tokens());
    options.token_rule = rule;
  }
  // Without tokens there are no token blocks: blocking relies on LSH alone.

  const int parties = spec.parties_size();
  const std::optional<int> category_party = CategoryPartyIndex(spec);
  std::vector<std::string> names;
  std::vector<PartyUpload> uploads;
  for (int p = 0; p < parties; ++p) {
    names.push_back(spec.parties(p).agency());
    FEDLINK_ASSIGN_OR_RETURN(PartyUpload upload,
                             LoadParty(store, job_id, static_cast<uint16_t>(p), tokens, bloom,
                                       category_party == p));
    uploads.push_back(std::move(upload));
  }
  std::vector<match::PartyEncodings> inputs;
  std::vector<uint64_t> records(parties, 0);
  for (int p = 0; p < parties; ++p) {
    match::PartyEncodings e;
    e.tokens = uploads[p].tokens;
    e.filters = uploads[p].filters.has_value() ? &*uploads[p].filters : nullptr;
    records[p] = tokens ? uploads[p].tokens.size()
                        : (uploads[p].filters.has_value() ? uploads[p].filters->size() : 0);
    if (bloom && !uploads[p].filters.has_value()) {
      // An empty cohort uploads no filter: give the linker an empty store.
      FEDLINK_ASSIGN_OR_RETURN(match::FilterStore empty,
                               match::FilterStore::Create(job.filter_bits() > 0 ? job.filter_bits() : 64));
      uploads[p].filters.emplace(std::move(empty));
      e.filters = &*uploads[p].filters;
    }
    inputs.push_back(e);
  }
  FEDLINK_ASSIGN_OR_RETURN(match::LinkageResult result, match::LinkParties(inputs, options));

  MatchingOutput out;
  out.clusters = result.clusters.size();
  out.quality = Convert(result.quality, names);
  out.assignments.resize(parties);
  out.assigned.assign(parties, 0);

  if (spec.output_mode() == v1::OUTPUT_MODE_AGGREGATE) {
    std::vector<AggregateCellInput> cells;
    std::optional<match::PartyId> category;
    if (category_party.has_value()) {
      category = static_cast<match::PartyId>(*category_party);
      CategoryBreakdown breakdown{*category, std::move(uploads[*category_party].category_codes)};
      FEDLINK_ASSIGN_OR_RETURN(cells, CountCellsByCategory(records, result.clusters, breakdown));
    } else {
      FEDLINK_ASSIGN_OR_RETURN(cells, CountCells(records, result.clusters));
    }
    FEDLINK_ASSIGN_OR_RETURN(v1::AggregateTable table,
                             BuildAggregateTable(names, std::move(cells), min_cell_count, category));
    out.aggregate = std::move(table);
    out.quality = CoarsenForAggregate(out.quality);
    return out;
  }

  // Research ids, one per cluster, then each party's pairs in pseudonym order.
  std::vector<uint8_t> ids(result.clusters.size() * proto::kResearchIdBytes);
  FEDLINK_RETURN_IF_ERROR(random(absl::MakeSpan(ids)));
  std::vector<std::vector<std::pair<uint32_t, size_t>>> pairs(parties);
  for (size_t c = 0; c < result.clusters.size(); ++c) {
    for (const match::RecordRef& r : result.clusters[c]) pairs[r.party].emplace_back(r.index, c);
  }
  for (int p = 0; p < parties; ++p) {
    std::sort(pairs[p].begin(), pairs[p].end());
    std::vector<v1::AssignmentBatch>& batches = out.assignments[p];
    for (size_t start = 0; start < pairs[p].size() || (start == 0 && batches.empty());
         start += proto::kMaxAssignmentsPerBatch) {
      v1::AssignmentBatch batch;
      batch.set_job_id(job_id);
      batch.set_sequence(batches.size());
      const size_t end = std::min(pairs[p].size(), start + proto::kMaxAssignmentsPerBatch);
      std::string* research_ids = batch.mutable_research_ids();
      for (size_t i = start; i < end; ++i) {
        batch.add_pseudonyms(pairs[p][i].first);
        research_ids->append(
            reinterpret_cast<const char*>(ids.data() + pairs[p][i].second * proto::kResearchIdBytes),
            proto::kResearchIdBytes);
      }
      batch.set_final_batch(end == pairs[p].size());
      batches.push_back(std::move(batch));
      if (pairs[p].empty()) break;
    }
    out.assigned[p] = pairs[p].size();
  }
  OPENSSL_cleanse(ids.data(), ids.size());
  return out;
}

}  // namespace fedlink::coordinator
