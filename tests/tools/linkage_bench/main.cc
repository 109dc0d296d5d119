// fedlink-linkage-bench: the two-party pipeline at scale, end to end and
// timed. Two parties of synthetic records with realistic corrupted
// duplicates (tests/datagen, generated in memory or read from a
// `fedlink-datagen pair` directory) are normalised and encoded as agents
// would (multi-threaded), then linked as the coordinator would
// (match::LinkParties: token join, blocking, Dice scoring, one-to-one
// solver). Prints per-phase wall times, pair counts, peak resident memory
// and precision / recall / F1 against the generator's ground truth;
// optionally the same as JSON. Never prints a record.
//
//   fedlink-linkage-bench --size 1000000 --threads 2 --json out.json
//   fedlink-linkage-bench --input /tmp/pair1m --threads 2
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

// CLI11 2.1's string helpers trip GCC 12's -Wnull-dereference once inlined
// (a false positive inside the library), which -Werror would turn fatal.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "CLI/CLI.hpp"
#pragma GCC diagnostic pop
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/crypto/sha256.h"
#include "linkage/match/blocking.h"
#include "linkage/match/candidates.h"
#include "linkage/match/evaluation.h"
#include "linkage/match/linker.h"
#include "linkage/match/parallel.h"
#include "linkage/match/popcount.h"
#include "linkage/match/threshold_suggestion.h"
#include "linkage/schema/linkage_schema.h"
#include "linkage/status_macros.h"
#include "nlohmann/json.hpp"
#include "tests/datagen/generator.h"
#include "tests/datagen/presets.h"
#include "tests/tools/linkage_bench/party_encoder.h"
#include "tests/tools/linkage_bench/row_source.h"

namespace fedlink::tools {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct CommandLine {
  std::string input;  // a fedlink-datagen directory; empty: generate in memory
  std::vector<std::string> parties;
  uint64_t size = 100'000;
  uint64_t seed = 1;
  std::string job = "bench job 1";
  double overlap = 0.5;
  double error_scale = 1.0;
  std::string schema = FEDLINK_SOURCE_DIR "/deploy/examples/febrl-linkage-schema.yaml";
  std::string method = "both";
  double threshold = match::kDefaultDiceThreshold;
  int threads = 2;
  size_t batch_rows = 1 << 16;
  bool blocking_quality = false;
  bool histogram = false;
  std::string json_path;
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Peak resident set size of the process so far, in bytes.
uint64_t PeakRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

// CPU time of the whole process so far (all threads, user + system), in
// seconds: with the wall times it shows how much of a phase ran in parallel,
// and what the phase would take on an unloaded machine (CPU / threads).
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Samples the process CPU time on a background thread, so that the CPU
// spent in each phase of a call that reports only phase wall times
// (LinkParties) can be read off afterwards by interpolation.
class CpuSampler {
 public:
  explicit CpuSampler(std::chrono::milliseconds period) {
    samples_.emplace_back(Clock::now(), ProcessCpuSeconds());
    thread_ = std::jthread([this, period](std::stop_token stop) {
      std::mutex mutex;
      std::condition_variable_any wake;
      std::unique_lock lock(mutex);
      while (true) {
        // Returns at the period, or at once when a stop is requested.
        wake.wait_for(lock, stop, period, [] { return false; });
        if (stop.stop_requested()) break;
        const std::lock_guard guard(samples_mutex_);
        samples_.emplace_back(Clock::now(), ProcessCpuSeconds());
      }
    });
  }

  // Ends sampling; call before CpuBetween.
  void Stop() {
    thread_.request_stop();
    thread_.join();
    samples_.emplace_back(Clock::now(), ProcessCpuSeconds());
  }

  // Process CPU seconds between two instants within the sampled span.
  double CpuBetween(Clock::time_point from, Clock::time_point to) const {
    return CpuAt(to) - CpuAt(from);
  }

 private:
  double CpuAt(Clock::time_point t) const {
    const auto after = std::lower_bound(samples_.begin(), samples_.end(), t,
                                        [](const std::pair<Clock::time_point, double>& s,
                                           Clock::time_point x) { return s.first < x; });
    if (after == samples_.begin()) return samples_.front().second;
    if (after == samples_.end()) return samples_.back().second;
    const auto before = after - 1;
    const double span = std::chrono::duration<double>(after->first - before->first).count();
    const double part = std::chrono::duration<double>(t - before->first).count();
    return before->second + (span > 0 ? (after->second - before->second) * part / span : 0.0);
  }

  std::mutex samples_mutex_;
  std::vector<std::pair<Clock::time_point, double>> samples_;
  std::jthread thread_;
};

double GiB(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0); }

absl::StatusOr<schema::LinkageSchema> ReadSchema(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  return schema::ParseLinkageSchemaYaml(text.str(), path);
}

// Fixed benchmark keys, derived from a job label, so that a run can be
// repeated exactly and generated and read data give the same result (the
// filters, hence the LSH candidates, depend on the keys). Never real keys.
absl::StatusOr<crypto::JobKeys> BenchKeys(const std::string& job) {
  const crypto::Sha256Digest secret =
      crypto::Sha256(std::string_view("fedlink-linkage-bench linkage secret"));
  const crypto::Sha256Digest nonce = crypto::Sha256(absl::StrCat("fedlink-linkage-bench ", job));
  return crypto::DeriveJobKeys(crypto::SecretBytes(secret), nonce);
}

// The true cross-party pairs, as candidate pairs: records of A and B with
// the same entity. Sorted, no duplicates.
std::vector<match::CandidatePair> TruePairs(const std::vector<uint64_t>& a,
                                            const std::vector<uint64_t>& b) {
  auto sorted = [](const std::vector<uint64_t>& labels) {
    std::vector<std::pair<uint64_t, uint32_t>> out(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) out[i] = {labels[i], static_cast<uint32_t>(i)};
    std::sort(out.begin(), out.end());
    return out;
  };
  const auto sa = sorted(a);
  const auto sb = sorted(b);
  std::vector<match::CandidatePair> pairs;
  size_t j = 0;
  for (size_t i = 0; i < sa.size();) {
    size_t i_end = i;
    while (i_end < sa.size() && sa[i_end].first == sa[i].first) ++i_end;
    while (j < sb.size() && sb[j].first < sa[i].first) ++j;
    for (size_t k = j; k < sb.size() && sb[k].first == sa[i].first; ++k) {
      for (size_t m = i; m < i_end; ++m) {
        pairs.push_back(match::CandidatePair::Of(sa[m].second, sb[k].second));
      }
    }
    i = i_end;
  }
  match::SortUniqueCandidates(&pairs);
  return pairs;
}

struct PartyRun {
  std::string name;
  EncodedParty encoded;
  uint64_t peak_rss_after = 0;
};

absl::StatusOr<PartyRun> RunParty(std::string name, RowSource& rows,
                                  const schema::LinkageSchema& schema, const crypto::JobKeys& keys,
                                  const CommandLine& line) {
  EncodeOptions options;
  options.threads = line.threads;
  options.batch_rows = line.batch_rows;
  FEDLINK_ASSIGN_OR_RETURN(EncodedParty encoded, EncodeParty(rows, schema, keys, options));
  if (encoded.entities.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("party ", name, ": no records"));
  }
  return PartyRun{std::move(name), std::move(encoded), PeakRssBytes()};
}

json PartyJson(const PartyRun& party) {
  const EncodeTimes& t = party.encoded.times;
  const double records = static_cast<double>(party.encoded.entities.size());
  return json{
      {"name", party.name},
      {"records", party.encoded.entities.size()},
      {"tokens", party.encoded.token_count},
      {"invalid_values", party.encoded.invalid_values},
      {"unmapped_fields", party.encoded.unmapped_fields},
      {"read_seconds", t.read_seconds},
      {"encode_seconds", t.encode_seconds},
      {"encode_cpu_seconds", t.encode_cpu_seconds},
      {"normalize_thread_seconds", t.normalize_thread_seconds},
      {"token_thread_seconds", t.token_thread_seconds},
      {"clk_thread_seconds", t.clk_thread_seconds},
      {"records_per_second", records / t.encode_seconds},
      {"tokens_per_thread_second",
       static_cast<double>(party.encoded.token_count) / t.token_thread_seconds},
      {"clk_records_per_thread_second", records / t.clk_thread_seconds},
      {"peak_rss_bytes_after", party.peak_rss_after},
  };
}

void PrintParty(const PartyRun& party) {
  const EncodeTimes& t = party.encoded.times;
  const double records = static_cast<double>(party.encoded.entities.size());
  std::printf("  party %-4s %9zu records %10llu tokens  %6llu values rejected\n",
              party.name.c_str(), party.encoded.entities.size(),
              static_cast<unsigned long long>(party.encoded.token_count),
              static_cast<unsigned long long>(party.encoded.invalid_values));
  std::printf("    rows in %8.2f s   normalise+encode %8.2f s wall (%.0f records/s), %.2f s CPU\n",
              t.read_seconds, t.encode_seconds, records / t.encode_seconds, t.encode_cpu_seconds);
  std::printf(
      "    per core (CPU time): normalise %.2f s (%.0f records/s)  tokens %.2f s (%.2f M tokens/s) "
      " "
      "CLK %.2f s (%.0f records/s)\n",
      t.normalize_thread_seconds, records / t.normalize_thread_seconds, t.token_thread_seconds,
      static_cast<double>(party.encoded.token_count) / t.token_thread_seconds / 1e6,
      t.clk_thread_seconds, records / t.clk_thread_seconds);
  if (!party.encoded.unmapped_fields.empty()) {
    std::string names;
    for (const std::string& f : party.encoded.unmapped_fields) absl::StrAppend(&names, " ", f);
    std::printf("    schema fields without a column (always missing):%s\n", names.c_str());
  }
}

absl::Status Run(const CommandLine& line) {
  const Clock::time_point start = Clock::now();
  FEDLINK_ASSIGN_OR_RETURN(schema::LinkageSchema schema, ReadSchema(line.schema));
  FEDLINK_ASSIGN_OR_RETURN(crypto::JobKeys keys, BenchKeys(line.job));

  // The two parties' row sources.
  std::vector<std::string> names;
  std::vector<std::unique_ptr<RowSource>> sources;
  std::string origin;
  if (line.input.empty()) {
    datagen::PresetOptions preset;
    preset.seed = line.seed;
    preset.size = line.size;
    preset.overlap = line.overlap;
    preset.error_scale = line.error_scale;
    FEDLINK_ASSIGN_OR_RETURN(datagen::DatasetConfig config,
                             datagen::MakePresetConfig("pair", preset));
    FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<datagen::DatasetGenerator> generator,
                             datagen::DatasetGenerator::Create(std::move(config)));
    std::shared_ptr<const datagen::DatasetGenerator> shared = std::move(generator);
    for (size_t p = 0; p < 2; ++p) {
      names.push_back(shared->config().parties[p].name);
      sources.push_back(GeneratedRows(shared, p, line.threads));
    }
    origin =
        absl::StrCat("generated in memory (datagen pair, size ", line.size, ", overlap ",
                     line.overlap, ", error scale ", line.error_scale, ", seed ", line.seed, ")");
  } else {
    names = line.parties;
    if (names.empty()) {
      FEDLINK_ASSIGN_OR_RETURN(names, DatagenDirectoryParties(line.input));
      if (names.size() < 2) {
        return absl::InvalidArgumentError(absl::StrCat(line.input, ": fewer than two parties"));
      }
      names.resize(2);
    }
    for (const std::string& name : names) {
      FEDLINK_ASSIGN_OR_RETURN(std::unique_ptr<RowSource> source,
                               DatagenDirectoryRows(line.input, name));
      sources.push_back(std::move(source));
    }
    origin = absl::StrCat("read from ", line.input);
  }

  const int threads = match::ResolveThreadCount(line.threads);
  std::printf("fedlink-linkage-bench: two parties, %s\n", origin.c_str());
  std::printf(
      "  schema %s (fingerprint %.16s...), method %s, Dice threshold %.2f, %d threads, "
      "popcount path %s\n",
      line.schema.c_str(), schema::FingerprintHex(schema).c_str(), line.method.c_str(),
      line.threshold, threads,
      std::string(match::PopcountPathName(match::BestPopcountPath())).c_str());

  std::printf("\nAgencies: normalise and encode (tokens and CLKs)\n");
  std::vector<PartyRun> parties;
  for (size_t p = 0; p < 2; ++p) {
    FEDLINK_ASSIGN_OR_RETURN(PartyRun party, RunParty(names[p], *sources[p], schema, keys, line));
    sources[p].reset();  // its batch buffers
    PrintParty(party);
    parties.push_back(std::move(party));
  }

  // The coordinator's view: tokens and filters, nothing else.
  match::LinkerOptions options;
  options.method = *match::LinkMethodFromName(line.method);  // CLI11 checked the name
  options.threshold = line.threshold;
  options.threads = line.threads;
  options.token_rule = match::DefaultLinkRule(schema);
  std::vector<match::PartyEncodings> uploads;
  for (const PartyRun& party : parties) {
    uploads.push_back(
        {party.encoded.tokens, party.encoded.has_filters ? &party.encoded.filters : nullptr});
  }
  CpuSampler sampler(std::chrono::milliseconds(50));
  const Clock::time_point link_start = Clock::now();
  const double link_cpu_start = ProcessCpuSeconds();
  absl::StatusOr<match::LinkageResult> linked = match::LinkParties(uploads, options);
  const double link_cpu = ProcessCpuSeconds() - link_cpu_start;
  sampler.Stop();
  FEDLINK_RETURN_IF_ERROR(linked.status());
  const match::LinkageResult& result = *linked;
  const uint64_t peak_after_link = PeakRssBytes();
  const match::LinkerStats& s = result.stats;
  // LinkParties runs its phases one after another in this order; the CPU of
  // each is read off the samples (the short validation before the token
  // join is counted with it).
  struct PhaseCpu {
    const char* name;
    double wall;
    double cpu = 0;
  };
  std::vector<PhaseCpu> phases = {{"token_join", s.seconds.token_join},
                                  {"blocking", s.seconds.blocking},
                                  {"scoring", s.seconds.scoring},
                                  {"solving", s.seconds.solving},
                                  {"report", s.seconds.report}};
  {
    Clock::time_point at = link_start;
    for (PhaseCpu& phase : phases) {
      const Clock::time_point end = at + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(phase.wall));
      phase.cpu = sampler.CpuBetween(at, end);
      at = end;
    }
  }
  auto cpu_of = [&](std::string_view name) {
    for (const PhaseCpu& phase : phases) {
      if (phase.name == name) return phase.cpu;
    }
    return 0.0;
  };
  auto count = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  std::printf("\nCoordinator: link (LinkParties)\n");
  std::printf("  token join %8.2f s (CPU %6.2f s)  %llu token links, %llu ambiguous tokens\n",
              s.seconds.token_join, cpu_of("token_join"), count(s.token_links),
              count(s.ambiguous_tokens));
  std::printf(
      "  blocking   %8.2f s (CPU %6.2f s)  %llu candidate pairs (LSH %llu of %llu band pairs, "
      "token blocks %llu, %llu dropped)\n",
      s.seconds.blocking, cpu_of("blocking"), count(s.candidate_pairs), count(s.lsh_pairs),
      count(s.lsh_band_pairs), count(s.token_block_pairs), count(s.blocking_dropped_pairs));
  std::printf("  scoring    %8.2f s (CPU %6.2f s)  %llu comparisons, %llu pairs >= %.2f\n",
              s.seconds.scoring, cpu_of("scoring"), count(s.comparisons),
              count(s.pairs_above_threshold), line.threshold);
  std::printf(
      "  solving    %8.2f s (CPU %6.2f s)  %zu links (%llu token, %llu Bloom), %llu turned down\n",
      s.seconds.solving, cpu_of("solving"), result.links.size(), count(s.accepted_token_links),
      count(s.accepted_bloom_links), count(s.solver_conflicts));
  std::printf("  report     %8.2f s (CPU %6.2f s)  suggested threshold %s\n", s.seconds.report,
              cpu_of("report"), match::DescribeSuggestion(result.quality.suggestion).c_str());
  if (line.histogram && result.candidate_scores.Total() > 0) {
    std::printf("  Dice of the compared pairs:\n%s",
                match::RenderHistogram(result.candidate_scores, "    ").c_str());
  }
  std::printf("  total      %8.2f s wall, %.2f s CPU (all threads)\n", s.seconds.total, link_cpu);

  // Quality against the generator's ground truth (never seen by the linker).
  match::GroundTruth truth;
  for (const PartyRun& party : parties) truth.labels.push_back(party.encoded.entities);
  FEDLINK_ASSIGN_OR_RETURN(match::PairMetrics metrics,
                           match::EvaluateClusters(result.clusters, truth));
  std::printf(
      "\nAgainst the ground truth: %llu true pairs; %llu linked: %llu correct, %llu "
      "wrong, %llu missed\n",
      count(match::CountTrueMatches(truth)), count(metrics.predicted),
      count(metrics.true_positives), count(metrics.false_positives),
      count(metrics.false_negatives));
  std::printf("  precision %.4f  recall %.4f  F1 %.4f\n", metrics.precision, metrics.recall,
              metrics.f1);

  // Optional: how many true pairs blocking proposes (a second blocking run
  // with the linker's parameters; costs another blocking phase).
  std::optional<match::BlockingQuality> blocking_quality;
  if (line.blocking_quality && options.method != match::LinkMethod::kTokens) {
    match::BlockingOptions blocking;
    blocking.lsh = options.lsh;
    if (blocking.lsh.has_value()) blocking.lsh->seed = options.seed;
    blocking.tokens = options.token_blocking;
    blocking.threads = line.threads;
    FEDLINK_ASSIGN_OR_RETURN(
        match::BlockingResult blocked,
        match::BlockCandidates(&parties[0].encoded.filters, &parties[1].encoded.filters,
                               parties[0].encoded.tokens, parties[1].encoded.tokens, blocking));
    const std::vector<match::CandidatePair> true_pairs =
        TruePairs(parties[0].encoded.entities, parties[1].encoded.entities);
    blocking_quality = match::EvaluateBlocking(
        blocked.candidates, parties[0].encoded.entities.size(), parties[1].encoded.entities.size(),
        absl::Span<const match::CandidatePair>(true_pairs));
    std::printf(
        "  blocking: pairs completeness %.4f (%llu of %llu true pairs are candidates), "
        "reduction ratio %.6f\n",
        *blocking_quality->pairs_completeness, count(*blocking_quality->true_pairs_kept),
        count(*blocking_quality->true_pairs), blocking_quality->reduction_ratio);
  }

  double encode_seconds = 0, read_seconds = 0, encode_cpu = 0;
  for (const PartyRun& party : parties) {
    encode_seconds += party.encoded.times.encode_seconds;
    read_seconds += party.encoded.times.read_seconds;
    encode_cpu += party.encoded.times.encode_cpu_seconds;
  }
  const uint64_t peak = PeakRssBytes();
  std::printf(
      "\nPipeline (normalise+encode both parties, then link): %.2f s wall "
      "(encode %.2f + link %.2f), %.2f s CPU (encode %.2f + link %.2f); rows %s %.2f s; "
      "run %.2f s in all\n",
      encode_seconds + s.seconds.total, encode_seconds, s.seconds.total, encode_cpu + link_cpu,
      encode_cpu, link_cpu, line.input.empty() ? "generated in" : "read in", read_seconds,
      SecondsSince(start));
  std::printf("Peak RSS %.2f GiB (after encoding A %.2f, B %.2f, after linking %.2f)\n", GiB(peak),
              GiB(parties[0].peak_rss_after), GiB(parties[1].peak_rss_after), GiB(peak_after_link));

  if (!line.json_path.empty()) {
    json out{
        {"origin", origin},
        {"job", line.job},
        {"schema", line.schema},
        {"schema_fingerprint", schema::FingerprintHex(schema)},
        {"method", line.method},
        {"threshold", line.threshold},
        {"threads", threads},
        {"popcount_path", std::string(match::PopcountPathName(match::BestPopcountPath()))},
        {"parties", json::array({PartyJson(parties[0]), PartyJson(parties[1])})},
        {"link_cpu_seconds_by_phase",
         {{"token_join", cpu_of("token_join")},
          {"blocking", cpu_of("blocking")},
          {"scoring", cpu_of("scoring")},
          {"solving", cpu_of("solving")},
          {"report", cpu_of("report")}}},
        {"link_seconds",
         {{"token_join", s.seconds.token_join},
          {"blocking", s.seconds.blocking},
          {"scoring", s.seconds.scoring},
          {"solving", s.seconds.solving},
          {"report", s.seconds.report},
          {"total", s.seconds.total}}},
        {"counts",
         {{"tokens", s.tokens},
          {"token_links", s.token_links},
          {"ambiguous_tokens", s.ambiguous_tokens},
          {"lsh_pairs", s.lsh_pairs},
          {"lsh_band_pairs", s.lsh_band_pairs},
          {"token_block_pairs", s.token_block_pairs},
          {"blocking_dropped_pairs", s.blocking_dropped_pairs},
          {"candidate_pairs", s.candidate_pairs},
          {"comparisons", s.comparisons},
          {"pairs_above_threshold", s.pairs_above_threshold},
          {"links", result.links.size()},
          {"accepted_token_links", s.accepted_token_links},
          {"accepted_bloom_links", s.accepted_bloom_links},
          {"solver_conflicts", s.solver_conflicts}}},
        {"suggested_threshold", result.quality.suggestion.threshold},
        {"quality",
         {{"true_pairs", match::CountTrueMatches(truth)},
          {"predicted", metrics.predicted},
          {"true_positives", metrics.true_positives},
          {"false_positives", metrics.false_positives},
          {"false_negatives", metrics.false_negatives},
          {"precision", metrics.precision},
          {"recall", metrics.recall},
          {"f1", metrics.f1}}},
        {"pipeline_seconds", encode_seconds + s.seconds.total},
        {"pipeline_cpu_seconds", encode_cpu + link_cpu},
        {"link_cpu_seconds", link_cpu},
        {"encode_seconds", encode_seconds},
        {"rows_seconds", read_seconds},
        {"run_seconds", SecondsSince(start)},
        {"peak_rss_bytes", peak},
        {"peak_rss_bytes_after_link", peak_after_link},
    };
    if (blocking_quality.has_value()) {
      out["blocking_quality"] = {{"pairs_completeness", *blocking_quality->pairs_completeness},
                                 {"true_pairs_kept", *blocking_quality->true_pairs_kept},
                                 {"reduction_ratio", blocking_quality->reduction_ratio}};
    }
    if (line.json_path == "-") {
      std::cout << out.dump(2) << "\n";
    } else {
      std::ofstream file(line.json_path);
      file << out.dump(2) << "\n";
      if (!file) return absl::UnavailableError(absl::StrCat(line.json_path, ": cannot write"));
    }
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace fedlink::tools

int main(int argc, char** argv) {
  fedlink::tools::CommandLine line;
  CLI::App app{
      "Two-party linkage at scale: synthetic records with corrupted duplicates are normalised "
      "and encoded as agents would, linked as the coordinator would, and scored against the "
      "ground truth. Prints phase times, pair counts, peak memory and P/R/F1; never a record."};
  auto* input = app.add_option("--input", line.input,
                               "A fedlink-datagen pair|three directory (default: generate the "
                               "pair preset in memory)")
                    ->check(CLI::ExistingDirectory);
  app.add_option("--parties", line.parties,
                 "With --input: the two parties to link (default: "
                 "the manifest's first two)")
      ->needs(input)
      ->expected(2);
  app.add_option("--size", line.size, "Generated: persons per party")
      ->default_val(100'000)
      ->check(CLI::Range(uint64_t{1}, uint64_t{400'000'000}))
      ->excludes(input);
  app.add_option("--seed", line.seed, "Generated: data seed")->default_val(1)->excludes(input);
  app.add_option("--job", line.job,
                 "Label the benchmark's job keys are derived from (another label: another "
                 "job's keys)")
      ->capture_default_str();
  app.add_option("--overlap", line.overlap, "Generated: fraction of persons in both parties")
      ->default_val(0.5)
      ->check(CLI::Range(0.0, 1.0))
      ->excludes(input);
  app.add_option("--error-scale", line.error_scale,
                 "Generated: multiplies every corruption rate (0: clean copies)")
      ->default_val(1.0)
      ->check(CLI::Range(0.0, 100.0))
      ->excludes(input);
  app.add_option("--schema", line.schema, "Linkage schema (YAML)")
      ->check(CLI::ExistingFile)
      ->capture_default_str();
  app.add_option("--method", line.method, "tokens, bloom or both")
      ->default_val("both")
      ->check(CLI::IsMember({"tokens", "bloom", "both"}));
  app.add_option("--threshold", line.threshold, "Dice threshold of Bloom links")
      ->default_val(fedlink::match::kDefaultDiceThreshold)
      ->check(CLI::Range(0.000001, 1.0));
  app.add_option("--threads", line.threads, "Worker threads (0: one per hardware thread)")
      ->default_val(2)
      ->check(CLI::Range(0, 1024));
  app.add_option("--batch", line.batch_rows, "Rows normalised and encoded per batch")
      ->default_val(size_t{1} << 16)
      ->check(CLI::Range(size_t{1}, size_t{1} << 24));
  app.add_flag("--histogram", line.histogram,
               "Print the histogram of the compared pairs' Dice (behind the suggested threshold)");
  app.add_flag("--blocking-quality", line.blocking_quality,
               "Also measure blocking's pairs completeness (runs blocking a second time)");
  app.add_option("--json", line.json_path,
                 "Also write the figures as JSON to this file ('-': "
                 "standard output)");
  CLI11_PARSE(app, argc, argv);
  const absl::Status status = fedlink::tools::Run(line);
  if (!status.ok()) {
    std::fprintf(stderr, "fedlink-linkage-bench: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  return 0;
}
