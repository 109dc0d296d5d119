#include "tests/tools/linkage_bench/party_encoder.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linkage/encode/clk_encoder.h"
#include "linkage/encode/record_normalizer.h"
#include "linkage/encode/token_encoder.h"
#include "linkage/match/parallel.h"
#include "linkage/status_macros.h"

namespace fedlink::tools {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// CPU time of the calling thread. Too slow a call (a system call) to wrap
// every step of every record, so steps are timed with the steady clock and
// scaled by the thread's CPU/wall ratio over whole tasks: on a shared
// machine the steady clock alone would charge other processes' time slices
// to whichever step was preempted.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// One worker's encoders and scratch, kept across batches.
struct Worker {
  Worker(encode::TokenEncoder token_encoder, std::unique_ptr<encode::ClkEncoder> clk_encoder)
      : tokens(std::move(token_encoder)), clk(std::move(clk_encoder)) {}

  encode::TokenEncoder tokens;
  std::unique_ptr<encode::ClkEncoder> clk;  // null without a bloom section
  std::vector<std::optional<std::string_view>> raw;
  encode::NormalizedRecord normalized;
  std::vector<encode::FieldReport> report;
  encode::BloomFilter filter;
  uint64_t invalid_values = 0;
  uint64_t token_count = 0;
  Clock::duration normalize{};
  Clock::duration token{};
  Clock::duration clk_time{};
  double task_wall = 0;  // seconds in encoding tasks, by the steady clock
  double task_cpu = 0;   // the same tasks' thread CPU time
  absl::Status status;
};

}  // namespace

int ColumnForField(const std::vector<std::string>& columns, const std::string& field) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kSynonyms = {{
      {"first_name", "given_name"},
      {"last_name", "surname"},
      {"dob", "date_of_birth"},
      {"ssn", "soc_sec_id"},
  }};
  auto find = [&](std::string_view name) {
    const auto it = std::find(columns.begin(), columns.end(), name);
    return it == columns.end() ? -1 : static_cast<int>(it - columns.begin());
  };
  if (const int exact = find(field); exact >= 0) return exact;
  for (const auto& [a, b] : kSynonyms) {
    if (field == a) return find(b);
    if (field == b) return find(a);
  }
  return -1;
}

absl::StatusOr<EncodedParty> EncodeParty(RowSource& rows, const schema::LinkageSchema& schema,
                                         const crypto::JobKeys& keys,
                                         const EncodeOptions& options) {
  const int threads = match::ResolveThreadCount(options.threads);
  const size_t reserve = static_cast<size_t>(rows.expected_rows().value_or(0));
  const bool has_bloom = schema.bloom.has_value();
  FEDLINK_ASSIGN_OR_RETURN(
      match::FilterStore store,
      match::FilterStore::Create(has_bloom ? schema.bloom->bits : 64, has_bloom ? reserve : 0));
  EncodedParty out(std::move(store));
  out.has_filters = has_bloom;
  out.tokens.reserve(reserve);
  out.entities.reserve(reserve);

  std::vector<int> column_of(schema.fields.size());
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    column_of[f] = ColumnForField(rows.columns(), schema.fields[f].name);
    if (column_of[f] < 0) out.unmapped_fields.push_back(schema.fields[f].name);
  }

  normalize::DateOptions dates;
  dates.formats = {rows.date_format()};
  FEDLINK_ASSIGN_OR_RETURN(encode::RecordNormalizer normalizer,
                           encode::RecordNormalizer::Create(schema, dates));
  FEDLINK_ASSIGN_OR_RETURN(encode::TokenEncoder token_encoder,
                           encode::TokenEncoder::Create(schema, keys.token_key));
  std::unique_ptr<encode::ClkEncoder> clk_encoder;
  if (has_bloom) {
    FEDLINK_ASSIGN_OR_RETURN(clk_encoder, encode::ClkEncoder::Create(schema, keys.bloom_key));
  }
  std::vector<Worker> workers;
  workers.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    FEDLINK_ASSIGN_OR_RETURN(encode::TokenEncoder tokens, token_encoder.Clone());
    std::unique_ptr<encode::ClkEncoder> clk;
    if (has_bloom) {
      FEDLINK_ASSIGN_OR_RETURN(clk, clk_encoder->Clone());
    }
    workers.emplace_back(std::move(tokens), std::move(clk));
    workers.back().raw.resize(schema.fields.size());
  }

  const size_t words = has_bloom ? schema.bloom->bits / 64 : 0;
  std::vector<uint64_t> batch_filters;  // the batch's CLKs, row after row
  RowBatch batch;
  while (true) {
    const Clock::time_point read_start = Clock::now();
    FEDLINK_RETURN_IF_ERROR(rows.Next(options.batch_rows, &batch));
    const Clock::time_point encode_start = Clock::now();
    out.times.read_seconds += Seconds(read_start, encode_start);
    if (batch.count == 0) break;

    const size_t first = out.tokens.size();
    out.tokens.resize(first + batch.count);
    batch_filters.assign(batch.count * words, 0);
    constexpr size_t kChunk = 256;
    std::atomic<size_t> next_chunk{0};
    const size_t chunks = (batch.count + kChunk - 1) / kChunk;
    match::ParallelFor(threads, static_cast<size_t>(threads), [&](size_t t) {
      Worker& w = workers[t];
      const Clock::time_point task_start = Clock::now();
      const double cpu_start = ThreadCpuSeconds();
      for (size_t c = next_chunk.fetch_add(1); c < chunks && w.status.ok();
           c = next_chunk.fetch_add(1)) {
        const size_t stop = std::min(batch.count, (c + 1) * kChunk);
        for (size_t i = c * kChunk; i < stop; ++i) {
          const std::vector<std::string>& row = batch.rows[i];
          for (size_t f = 0; f < column_of.size(); ++f) {
            w.raw[f] =
                column_of[f] < 0
                    ? std::nullopt
                    : std::optional<std::string_view>(row[static_cast<size_t>(column_of[f])]);
          }
          const Clock::time_point t0 = Clock::now();
          w.status = normalizer.Normalize(w.raw, &w.normalized, &w.report);
          const Clock::time_point t1 = Clock::now();
          if (!w.status.ok()) break;
          for (const encode::FieldReport& field : w.report) {
            if (field.outcome == encode::FieldOutcome::kInvalid) ++w.invalid_values;
          }
          std::vector<encode::Token>& tokens = out.tokens[first + i];
          tokens.reserve(w.tokens.recipe_count());  // one allocation per record
          w.status = w.tokens.Encode(w.normalized, &tokens);
          const Clock::time_point t2 = Clock::now();
          if (!w.status.ok()) break;
          w.token_count += tokens.size();
          if (w.clk != nullptr) {
            w.status = w.clk->Encode(w.normalized, &w.filter);
            if (!w.status.ok()) break;
            std::copy(w.filter.words.begin(), w.filter.words.end(),
                      batch_filters.begin() + static_cast<ptrdiff_t>(i * words));
          }
          const Clock::time_point t3 = Clock::now();
          w.normalize += t1 - t0;
          w.token += t2 - t1;
          w.clk_time += t3 - t2;
        }
      }
      w.task_cpu += ThreadCpuSeconds() - cpu_start;
      w.task_wall += Seconds(task_start, Clock::now());
    });
    for (const Worker& w : workers) FEDLINK_RETURN_IF_ERROR(w.status);
    for (size_t i = 0; i < batch.count; ++i) {
      if (has_bloom) {
        FEDLINK_RETURN_IF_ERROR(out.filters.Append(
            absl::Span<const uint64_t>(batch_filters.data() + i * words, words)));
      }
      out.entities.push_back(batch.entities[i]);
    }
    out.times.encode_seconds += Seconds(encode_start, Clock::now());
  }
  for (const Worker& w : workers) {
    out.invalid_values += w.invalid_values;
    out.token_count += w.token_count;
    const double cpu_share = w.task_wall > 0 ? std::min(1.0, w.task_cpu / w.task_wall) : 1.0;
    auto cpu_seconds = [&](Clock::duration d) {
      return std::chrono::duration<double>(d).count() * cpu_share;
    };
    out.times.normalize_thread_seconds += cpu_seconds(w.normalize);
    out.times.token_thread_seconds += cpu_seconds(w.token);
    out.times.clk_thread_seconds += cpu_seconds(w.clk_time);
    out.times.encode_cpu_seconds += w.task_cpu;
  }
  return out;
}

}  // namespace fedlink::tools
