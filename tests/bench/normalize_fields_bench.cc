// Per-record cost of the normalisers on FEBRL values (ASCII, as most real
// data) and on accented names (the utf8proc path). Items = values.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "linkage/normalize/normalizers.h"
#include "linkage/normalize/phonetic.h"
#include "tests/support/febrl.h"

namespace fedlink::normalize {
namespace {

const std::vector<testing::FebrlRecord>& Records() {
  static const auto* records = [] {
    auto loaded = testing::LoadFebrl(testing::FebrlPath("dataset4a.csv"));
    if (!loaded.ok()) {
      std::cerr << loaded.status() << "\n";
      std::abort();
    }
    return new std::vector<testing::FebrlRecord>(*std::move(loaded));
  }();
  return *records;
}

template <typename Field>
void RunOverFebrl(benchmark::State& state, Field field) {
  const auto& records = Records();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(field(records[i]));
    if (++i == records.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NormalizeName_FebrlSurname(benchmark::State& state) {
  RunOverFebrl(state, [](const testing::FebrlRecord& r) {
    return NormalizeName(r.surname);
  });
}
BENCHMARK(BM_NormalizeName_FebrlSurname);

void BM_NormalizeName_Accented(benchmark::State& state) {
  const std::vector<std::string> names = {"García-López", "Nguyễn",  "Søren",
                                          "Łukasz",       "Zoë",     "Müller",
                                          "O’Brien",      "François"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(NormalizeName(names[i]));
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeName_Accented);

void BM_NormalizeDate_FebrlDob(benchmark::State& state) {
  RunOverFebrl(state, [](const testing::FebrlRecord& r) {
    return NormalizeDate(r.date_of_birth);
  });
}
BENCHMARK(BM_NormalizeDate_FebrlDob);

void BM_NormalizeDate_DayMonthYear(benchmark::State& state) {
  DateOptions options;
  options.formats = {"%Y%m%d", "%d/%m/%Y", "%d %b %Y"};
  const std::vector<std::string> dates = {"29/02/2000", "1 Sept 1999",
                                          "19870630", "31/12/1950"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(NormalizeDate(dates[i], options));
    if (++i == dates.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeDate_DayMonthYear);

void BM_NormalizeIdentifier_FebrlSsn(benchmark::State& state) {
  RunOverFebrl(state, [](const testing::FebrlRecord& r) {
    return NormalizeIdentifier(r.soc_sec_id);
  });
}
BENCHMARK(BM_NormalizeIdentifier_FebrlSsn);

void BM_NormalizeSex(benchmark::State& state) {
  const std::vector<std::string> codes = {"M", "female", "F", "Male", "u"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(NormalizeSex(codes[i]));
    if (++i == codes.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeSex);

void BM_Soundex_FebrlSurname(benchmark::State& state) {
  RunOverFebrl(
      state, [](const testing::FebrlRecord& r) { return Soundex(r.surname); });
}
BENCHMARK(BM_Soundex_FebrlSurname);

void BM_Nysiis_FebrlSurname(benchmark::State& state) {
  RunOverFebrl(state,
               [](const testing::FebrlRecord& r) { return Nysiis(r.surname); });
}
BENCHMARK(BM_Nysiis_FebrlSurname);

}  // namespace
}  // namespace fedlink::normalize
