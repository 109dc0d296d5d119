// fedlink-febrl-demo: the interim end-to-end demo (deploy/demo.sh). Two
// FEBRL files play two agencies: each normalises and encodes its records
// under the job's keys (salted-hash tokens and Bloom filters), the
// "coordinator" links the encodings alone, and the demo scores the result
// against the FEBRL ground truth carried in the rec-N ids.
//
// Everything runs in one process until the agent and coordinator daemons
// exist, but the data flow is the real one: the linker sees tokens and
// filters only. Output is counts, timings and quality figures — never a
// name, date, address or id of any record.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

// CLI11 2.1's string helpers trip GCC 12's -Wnull-dereference once inlined
// (a false positive inside the library), which -Werror would turn fatal.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "CLI/CLI.hpp"
#pragma GCC diagnostic pop
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/match/evaluation.h"
#include "linkage/match/filter_store.h"
#include "linkage/match/linker.h"
#include "linkage/match/parallel.h"
#include "linkage/match/quality_report.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/status_macros.h"
#include "tests/support/febrl.h"
#include "tests/support/febrl_encoding.h"

namespace fedlink {
namespace {

using Clock = std::chrono::steady_clock;

struct CommandLine {
  std::string schema;
  std::string a;
  std::string b;
  std::string method = "both";
  double threshold = match::kDefaultDiceThreshold;
  int threads = 0;
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

absl::StatusOr<schema::LinkageSchema> ReadSchema(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  return schema::ParseLinkageSchemaYaml(text.str(), path);
}

// One agency's part: read its file, derive the job keys from the shared
// secret and the coordinator's nonce, encode every record.
struct Agency {
  std::string name;
  testing::EncodedFebrl encoded;
  std::optional<match::FilterStore> filters;  // the upload's Bloom filters
  uint64_t tokens = 0;
  double seconds = 0;
};

absl::StatusOr<Agency> RunAgency(const std::string& name, const std::string& path,
                                 const schema::LinkageSchema& schema,
                                 const crypto::SecretBytes& linkage_secret,
                                 const crypto::SecretBytes& job_nonce) {
  const Clock::time_point start = Clock::now();
  Agency agency;
  agency.name = name;
  FEDLINK_ASSIGN_OR_RETURN(std::vector<testing::FebrlRecord> records, testing::LoadFebrl(path));
  if (records.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no records"));
  FEDLINK_ASSIGN_OR_RETURN(crypto::JobKeys keys,
                           crypto::DeriveJobKeys(linkage_secret, job_nonce.span()));
  FEDLINK_ASSIGN_OR_RETURN(agency.encoded,
                           testing::EncodeFebrlRecords(std::move(records), schema, keys));
  if (schema.bloom.has_value()) {
    FEDLINK_ASSIGN_OR_RETURN(agency.filters, match::FilterStore::FromFilters(
                                                 schema.bloom->bits, agency.encoded.filters));
  }
  for (const auto& tokens : agency.encoded.tokens) agency.tokens += tokens.size();
  agency.seconds = SecondsSince(start);
  return agency;
}

// Entity labels from the rec-N ids: the ground truth, which only this demo
// knows (it never reaches the linker).
absl::StatusOr<match::GroundTruth> TruthOf(const Agency& a, const Agency& b) {
  match::GroundTruth truth;
  for (const Agency* agency : {&a, &b}) {
    std::vector<uint64_t>& labels = truth.labels.emplace_back();
    for (size_t i = 0; i < agency->encoded.records.size(); ++i) {
      uint64_t entity = 0;
      if (!absl::SimpleAtoi(agency->encoded.records[i].entity, &entity)) {
        return absl::InvalidArgumentError(
            absl::StrCat(agency->name, " record ", i + 1, ": rec_id has no entity number"));
      }
      labels.push_back(entity);
    }
  }
  return truth;
}

void PrintAgency(const Agency& agency, const schema::LinkageSchema& schema) {
  std::printf("  %-10s %6zu records  %7llu tokens", agency.name.c_str(),
              agency.encoded.records.size(), static_cast<unsigned long long>(agency.tokens));
  if (schema.bloom.has_value()) {
    std::printf("  %6zu Bloom filters of %u bits", agency.encoded.filters.size(),
                schema.bloom->bits);
  }
  std::printf("  %4zu values rejected by normalisers  %.3f s\n", agency.encoded.invalid_values,
              agency.seconds);
}

void PrintLinkage(const match::LinkageResult& result, const match::LinkerOptions& options,
                  int threads) {
  const match::LinkerStats& s = result.stats;
  auto count = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  std::printf("\nCoordinator: link the encodings (method %s, Dice threshold %.2f, threads %d)\n",
              std::string(match::LinkMethodName(options.method)).c_str(), options.threshold,
              threads);
  if (options.method != match::LinkMethod::kBloom) {
    std::printf("  %-10s %llu token links, %llu ambiguous tokens  %.3f s\n", "token join",
                count(s.token_links), count(s.ambiguous_tokens), s.seconds.token_join);
  }
  if (options.method != match::LinkMethod::kTokens) {
    std::printf("  %-10s %llu candidate pairs (LSH %llu, token blocks %llu) of %llu  %.3f s\n",
                "blocking", count(s.candidate_pairs), count(s.lsh_pairs),
                count(s.token_block_pairs), count(s.records_per_party[0] * s.records_per_party[1]),
                s.seconds.blocking);
    std::printf("  %-10s %llu comparisons, %llu pairs >= %.2f  %.3f s\n", "scoring",
                count(s.comparisons), count(s.pairs_above_threshold), options.threshold,
                s.seconds.scoring);
  }
  std::printf("  %-10s %zu links accepted (%llu token, %llu Bloom), %llu turned down  %.3f s\n",
              "solving", result.links.size(), count(s.accepted_token_links),
              count(s.accepted_bloom_links), count(s.solver_conflicts), s.seconds.solving);
  std::printf("  %-10s %.3f s (report %.3f s)\n", "total", s.seconds.total, s.seconds.report);
}

void PrintQuality(const match::PairMetrics& m, uint64_t true_pairs) {
  auto count = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  std::printf(
      "\nAgainst the FEBRL ground truth (rec-N ids: known to this demo, never to the "
      "coordinator)\n");
  std::printf("  true pairs %llu; linked pairs %llu: %llu correct, %llu wrong, %llu missed\n",
              count(true_pairs), count(m.predicted), count(m.true_positives),
              count(m.false_positives), count(m.false_negatives));
  std::printf("  precision %.4f  recall %.4f  F1 %.4f\n\n", m.precision, m.recall, m.f1);
}

absl::Status Run(const CommandLine& line) {
  FEDLINK_ASSIGN_OR_RETURN(schema::LinkageSchema schema, ReadSchema(line.schema));
  match::LinkerOptions options;
  options.method = *match::LinkMethodFromName(line.method);  // CLI11 checked the name
  options.threshold = line.threshold;
  options.threads = line.threads;
  options.token_rule = match::DefaultLinkRule(schema);

  // Out of band, the agencies share a linkage secret; the coordinator picks
  // a fresh nonce for the job. Both are random here, so the encodings of
  // this run link to those of no other run.
  FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                           crypto::SecretBytes::Random(crypto::kLinkageSecretBytes));
  FEDLINK_ASSIGN_OR_RETURN(crypto::SecretBytes nonce, crypto::SecretBytes::Random(32));

  std::printf("fedlink FEBRL demo: two agencies and a coordinator in one process\n");
  std::printf("  schema %s (fingerprint %.16s...)\n", line.schema.c_str(),
              schema::FingerprintHex(schema).c_str());
  std::printf("\nAgencies: normalise and encode under the job keys\n");
  FEDLINK_ASSIGN_OR_RETURN(Agency a, RunAgency("agency A", line.a, schema, secret, nonce));
  PrintAgency(a, schema);
  FEDLINK_ASSIGN_OR_RETURN(Agency b, RunAgency("agency B", line.b, schema, secret, nonce));
  PrintAgency(b, schema);

  // The coordinator's view: tokens and filters, nothing else.
  const std::vector<match::PartyEncodings> uploads = {
      {a.encoded.tokens, a.filters ? &*a.filters : nullptr},
      {b.encoded.tokens, b.filters ? &*b.filters : nullptr}};
  FEDLINK_ASSIGN_OR_RETURN(match::LinkageResult result, match::LinkParties(uploads, options));
  PrintLinkage(result, options, match::ResolveThreadCount(line.threads));

  FEDLINK_ASSIGN_OR_RETURN(match::GroundTruth truth, TruthOf(a, b));
  FEDLINK_ASSIGN_OR_RETURN(match::PairMetrics metrics,
                           match::EvaluateClusters(result.clusters, truth));
  PrintQuality(metrics, match::CountTrueMatches(truth));

  const std::vector<std::string> names = {a.name, b.name};
  std::printf("%s", match::RenderQualityReport(result.quality, names).c_str());
  return absl::OkStatus();
}

}  // namespace
}  // namespace fedlink

int main(int argc, char** argv) {
  fedlink::CommandLine line;
  CLI::App app{
      "Links two FEBRL files as two agencies and a coordinator would, and scores the "
      "result against the rec-N ground truth. Prints counts only, never a record."};
  app.add_option("--schema", line.schema, "Linkage schema (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--a", line.a, "FEBRL file of agency A")->required()->check(CLI::ExistingFile);
  app.add_option("--b", line.b, "FEBRL file of agency B")->required()->check(CLI::ExistingFile);
  app.add_option("--method", line.method, "tokens, bloom or both")
      ->default_val("both")
      ->check(CLI::IsMember({"tokens", "bloom", "both"}));
  app.add_option("--threshold", line.threshold, "Dice threshold of Bloom links")
      ->default_val(fedlink::match::kDefaultDiceThreshold)
      ->check(CLI::Range(0.000001, 1.0));
  app.add_option("--threads", line.threads, "Worker threads (0: one per hardware thread)")
      ->default_val(0)
      ->check(CLI::Range(0, 1024));
  CLI11_PARSE(app, argc, argv);

  absl::Status status = fedlink::Run(line);
  if (!status.ok()) {
    std::fprintf(stderr, "fedlink-febrl-demo: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
