// Ready-made configurations:
//   pair      two parties with FEBRL-like columns (given_name, surname,
//             street_number, address_1, address_2, suburb, postcode, state,
//             date_of_birth, soc_sec_id), `size` persons each, a fraction
//             `overlap` of each party's persons also in the other;
//   three     three such parties; each pair shares `overlap` of its persons
//             (a person of one party is in each other party with
//             probability `overlap`, independently);
//   agencies  the three-agency demo: K-12 graduates of 2016–2018 (k12),
//             higher-education enrolments (higher_ed) and quarterly wage
//             records 2019–2021 (employment), from a population of `size`
//             persons with realistic overlaps.
#ifndef FEDLINK_TESTS_DATAGEN_PRESETS_H_
#define FEDLINK_TESTS_DATAGEN_PRESETS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/datagen/config.h"

namespace fedlink::datagen {

struct PresetOptions {
  uint64_t seed = 1;
  uint64_t size = 10000;  // persons per party (pair, three) or population (agencies)
  double overlap = 0.5;   // pair, three
  // Within-party duplicate rows as a fraction of persons held; unset: 0 for
  // pair/three, 1% of K-12 students for agencies.
  std::optional<double> duplicate_rate;
  double error_scale = 1.0;  // multiplies every corruption rate (0: clean copies)
  std::vector<std::pair<Corruption, double>> rate_overrides;  // applied after scaling
  bool crlf = true;
  // Adds an `eval_key` column (Field::kEvalKey) as every party's last column,
  // and ground_truth.csv a matching column: for scoring linked output that
  // carries the key, never the identifiers. Off, the output is unchanged.
  bool eval_keys = false;
};

std::span<const std::string_view> PresetNames();

// InvalidArgument for an unknown preset or out-of-range option, naming it.
absl::StatusOr<DatasetConfig> MakePresetConfig(std::string_view preset,
                                               const PresetOptions& options);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_PRESETS_H_
