// Salted-hash token throughput, per core: TokenEncoder::Encode over
// realistic normalised records (7 fields, 4 recipes, some values missing),
// and raw HMAC-SHA256 on messages of token-input size for reference.
//
//   encode_token_bench --benchmark_repetitions=3
//
// The "tokens/s" counter is the figure to compare with the 3 M/s target.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "linkage/crypto/hmac.h"
#include "linkage/crypto/job_keys.h"
#include "linkage/encode/encodings.h"
#include "linkage/encode/token_encoder.h"
#include "linkage/schema/linkage_schema.h"

namespace fedlink::encode {
namespace {

using schema::FieldKind;
using schema::Transform;

crypto::SecretBytes TokenKey() {
  const crypto::SecretBytes secret(std::vector<uint8_t>(32, 0x5a));
  absl::StatusOr<crypto::JobKeys> keys =
      crypto::DeriveJobKeys(secret, std::vector<uint8_t>(16, 0x01));
  if (!keys.ok()) std::abort();
  return keys->token_key;
}

// The shape of the default schema: 7 person fields, 4 recipes.
schema::LinkageSchema BenchSchema() {
  schema::LinkageSchema s;
  s.fields = {{"first", FieldKind::kName},   {"middle", FieldKind::kName},
              {"last", FieldKind::kName},    {"dob", FieldKind::kDate},
              {"sex", FieldKind::kSex},      {"postcode", FieldKind::kPostcode},
              {"ssn", FieldKind::kIdentifier}};
  s.token_recipes = {
      {1, "last_first_dob_sex", {{"last"}, {"first"}, {"dob"}, {"sex"}}, false},
      {2,
       "soundex_last_first_dob_sex",
       {{"last", Transform::kSoundex}, {"first", Transform::kSoundex}, {"dob"}, {"sex"}},
       false},
      {3,
       "last_first_initial_dob",
       {{"last", Transform::kCompact}, {"first", Transform::kInitial}, {"dob"}},
       false},
      {4, "ssn_dob", {{"ssn"}, {"dob"}}, false},
  };
  return s;
}

// Deterministic, FEBRL-like records: common names, multi-part surnames,
// about 10% without an SSN and 3% without a sex.
std::vector<NormalizedRecord> BenchRecords(size_t count) {
  static const char* const kFirst[] = {"john",   "mary",     "james",  "patricia",
                                       "robert", "jennifer", "michael", "linda",
                                       "olivia", "nguyen van", "jose luis", "aisha"};
  static const char* const kLast[] = {"smith",     "johnson",    "williams", "garcia",
                                      "de la cruz", "obrien",    "nguyen",   "van der berg",
                                      "mcdonald",  "rodriguez",  "lee",      "kowalski"};
  std::vector<NormalizedRecord> records;
  uint64_t state = 0x243f6a8885a308d3ull;
  auto next = [&state]() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  for (size_t i = 0; i < count; ++i) {
    NormalizedRecord r;
    auto add = [&r](std::optional<std::string> v) {
      if (v.has_value()) {
        r.values.emplace_back(SensitiveString(std::move(*v)));
      } else {
        r.values.emplace_back(std::nullopt);
      }
    };
    add(kFirst[next() % 12]);
    add(next() % 2 == 0 ? std::optional<std::string>(kFirst[next() % 12]) : std::nullopt);
    add(kLast[next() % 12]);
    add(absl::StrCat(1930 + next() % 80, 10 + next() % 3, 10 + next() % 19));
    add(next() % 100 < 3 ? std::nullopt
                         : std::optional<std::string>(next() % 2 ? "m" : "f"));
    add(absl::StrCat(2000 + next() % 8000));
    add(next() % 10 == 0 ? std::nullopt
                         : std::optional<std::string>(absl::StrCat(100000000 + next() % 899999999)));
    records.push_back(std::move(r));
  }
  return records;
}

void BM_TokenEncoderEncode(benchmark::State& state) {
  absl::StatusOr<TokenEncoder> encoder = TokenEncoder::Create(BenchSchema(), TokenKey());
  if (!encoder.ok()) {
    state.SkipWithError("TokenEncoder::Create failed");
    return;
  }
  const std::vector<NormalizedRecord> records = BenchRecords(4096);
  std::vector<Token> tokens;
  tokens.reserve(8);
  size_t i = 0;
  int64_t total_tokens = 0;
  for (auto _ : state) {
    tokens.clear();
    if (!encoder->Encode(records[i], &tokens).ok()) {
      state.SkipWithError("Encode failed");
      return;
    }
    benchmark::DoNotOptimize(tokens.data());
    total_tokens += static_cast<int64_t>(tokens.size());
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());  // records
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(total_tokens), benchmark::Counter::kIsRate);
  state.counters["tokens/record"] =
      static_cast<double>(total_tokens) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_TokenEncoderEncode);

// One HMAC-SHA256 over a `range(0)`-byte message with the keyed context
// reused: the lower bound of one token's cost.
void BM_HmacSha256(benchmark::State& state) {
  absl::StatusOr<crypto::HmacSha256> hmac = crypto::HmacSha256::Create(TokenKey());
  if (!hmac.ok()) {
    state.SkipWithError("HmacSha256::Create failed");
    return;
  }
  const std::string message(static_cast<size_t>(state.range(0)), 'x');
  const absl::Span<const uint8_t> pieces[] = {crypto::AsBytes(message)};
  crypto::HmacSha256Tag tag{};
  for (auto _ : state) {
    if (!hmac->ComputeInto(pieces, &tag).ok()) {
      state.SkipWithError("ComputeInto failed");
      return;
    }
    benchmark::DoNotOptimize(tag.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_HmacSha256)->Arg(16)->Arg(40)->Arg(64)->Arg(128);

// Setting up a keyed context from scratch, for comparison with reuse.
void BM_HmacSha256CreateAndCompute(benchmark::State& state) {
  const crypto::SecretBytes key = TokenKey();
  const std::string message(40, 'x');
  for (auto _ : state) {
    absl::StatusOr<crypto::HmacSha256> hmac = crypto::HmacSha256::Create(key);
    if (!hmac.ok()) {
      state.SkipWithError("HmacSha256::Create failed");
      return;
    }
    absl::StatusOr<crypto::HmacSha256Tag> tag = hmac->Compute(message);
    benchmark::DoNotOptimize(tag);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HmacSha256CreateAndCompute);

}  // namespace
}  // namespace fedlink::encode
