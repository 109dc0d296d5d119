#include "tests/datagen/presets.h"

#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "tests/datagen/absl_view.h"
#include "tests/datagen/person.h"

namespace fedlink::datagen {
namespace {

constexpr std::array<std::string_view, 3> kPresetNames = {"pair", "three", "agencies"};

// Enough digits that local ids are sparse (at most a tenth of the id space
// used) and so do not hint at the number of rows.
int DigitsFor(uint64_t rows, int minimum) {
  int digits = minimum;
  uint64_t space = 1;
  for (int i = 0; i < digits; ++i) space *= 10;
  while (digits < 18 && space / 10 < rows) {
    ++digits;
    space *= 10;
  }
  return digits;
}

CorruptionRates ScaledRates(CorruptionRates rates, const PresetOptions& options) {
  for (double& rate : rates.rate) rate = std::min(1.0, rate * options.error_scale);
  for (const auto& [kind, rate] : options.rate_overrides) rates[kind] = rate;
  return rates;
}

std::vector<ColumnSpec> Columns(std::initializer_list<std::pair<const char*, Field>> columns) {
  std::vector<ColumnSpec> out;
  for (const auto& [name, field] : columns) out.push_back({name, field});
  return out;
}

PartySpec FebrlParty(std::string name, int layout, uint64_t rows, const PresetOptions& options) {
  PartySpec party;
  party.name = std::move(name);
  party.corruption = ScaledRates(CorruptionRates::Defaults(), options);
  party.duplicate_rate = options.duplicate_rate.value_or(0.0);
  const uint64_t slots =
      rows + static_cast<uint64_t>(static_cast<double>(rows) * party.duplicate_rate + 1);
  switch (layout) {
    case 0:  // the FEBRL column order and date format
      party.columns = Columns({{"rec_id", Field::kLocalId},
                               {"given_name", Field::kGivenName},
                               {"surname", Field::kSurname},
                               {"street_number", Field::kStreetNumber},
                               {"address_1", Field::kAddress1},
                               {"address_2", Field::kAddress2},
                               {"suburb", Field::kCity},
                               {"postcode", Field::kPostcode},
                               {"state", Field::kState},
                               {"date_of_birth", Field::kDateOfBirth},
                               {"soc_sec_id", Field::kSsn}});
      party.date_format = "%Y%m%d";
      party.id_prefix = "A";
      party.id_digits = DigitsFor(slots, 10);
      break;
    case 1:
      party.columns = Columns({{"rec_id", Field::kLocalId},
                               {"surname", Field::kSurname},
                               {"given_name", Field::kGivenName},
                               {"date_of_birth", Field::kDateOfBirth},
                               {"soc_sec_id", Field::kSsn},
                               {"street_number", Field::kStreetNumber},
                               {"address_1", Field::kAddress1},
                               {"address_2", Field::kAddress2},
                               {"suburb", Field::kCity},
                               {"state", Field::kState},
                               {"postcode", Field::kPostcode}});
      party.date_format = "%m/%d/%Y";
      party.ssn_style = SsnStyle::kDashed;
      party.abbreviate_street_types = false;
      party.id_digits = DigitsFor(slots, 12);
      break;
    default:
      party.columns = Columns({{"rec_id", Field::kLocalId},
                               {"given_name", Field::kGivenName},
                               {"surname", Field::kSurname},
                               {"soc_sec_id", Field::kSsn},
                               {"date_of_birth", Field::kDateOfBirth},
                               {"postcode", Field::kPostcode},
                               {"suburb", Field::kCity},
                               {"address_1", Field::kAddress1},
                               {"street_number", Field::kStreetNumber},
                               {"address_2", Field::kAddress2},
                               {"state", Field::kState}});
      party.date_format = "%Y-%m-%d";
      party.id_prefix = "C";
      party.id_digits = DigitsFor(slots, 9);
      break;
  }
  return party;
}

// Splits `count` persons of one profile into regions by independent
// membership probabilities, rounding cumulatively so the parts sum to count.
void AddIndependentRegions(uint64_t count, Profile profile, const std::vector<double>& member,
                           std::vector<PopulationRegion>* regions) {
  const uint32_t masks = uint32_t{1} << member.size();
  double cumulative = 0.0;
  uint64_t assigned = 0;
  for (uint32_t mask = 0; mask < masks; ++mask) {
    double share = 1.0;
    for (size_t p = 0; p < member.size(); ++p)
      share *= ((mask >> p) & 1u) ? member[p] : 1.0 - member[p];
    cumulative += share;
    const uint64_t upto = std::min<uint64_t>(
        count, static_cast<uint64_t>(std::llround(cumulative * static_cast<double>(count))));
    const uint64_t part = upto > assigned ? upto - assigned : 0;
    assigned += part;
    if (mask != 0 && part > 0) regions->push_back({part, mask, profile});
  }
}

absl::StatusOr<DatasetConfig> PairOrThree(int parties, const PresetOptions& options) {
  if (!(options.overlap >= 0.0 && options.overlap <= 1.0)) {
    return absl::InvalidArgumentError("overlap: must be in [0, 1]");
  }
  DatasetConfig config;
  config.preset = parties == 2 ? "pair" : "three";
  config.seed = options.seed;
  config.crlf = options.crlf;
  const uint64_t n = options.size;
  const uint64_t shared =
      static_cast<uint64_t>(std::llround(options.overlap * static_cast<double>(n)));
  if (parties == 2) {
    config.parties = {FebrlParty("a", 0, n, options), FebrlParty("b", 1, n, options)};
    config.regions = {{shared, 0b11, Profile::kGeneral},
                      {n - shared, 0b01, Profile::kGeneral},
                      {n - shared, 0b10, Profile::kGeneral}};
  } else {
    config.parties = {FebrlParty("a", 0, n, options), FebrlParty("b", 1, n, options),
                      FebrlParty("c", 2, n, options)};
    // Everyone of a party is in each other party with probability F:
    // |a∩b∩c| = N·F², |a∩b only| = N·F(1−F); so |a∩b| = N·F exactly.
    const uint64_t all_three = static_cast<uint64_t>(
        std::llround(options.overlap * options.overlap * static_cast<double>(n)));
    const uint64_t pair_only = shared - all_three;
    const uint64_t single = n - all_three - 2 * pair_only;
    config.regions = {{all_three, 0b111, Profile::kGeneral}, {pair_only, 0b011, Profile::kGeneral},
                      {pair_only, 0b101, Profile::kGeneral}, {pair_only, 0b110, Profile::kGeneral},
                      {single, 0b001, Profile::kGeneral},    {single, 0b010, Profile::kGeneral},
                      {single, 0b100, Profile::kGeneral}};
  }
  std::erase_if(config.regions, [](const PopulationRegion& r) { return r.count == 0; });
  return config;
}

DatasetConfig Agencies(const PresetOptions& options) {
  DatasetConfig config;
  config.preset = "agencies";
  config.seed = options.seed;
  config.crlf = options.crlf;
  const uint64_t n = options.size;
  const auto share = [n](double fraction) {
    return static_cast<uint64_t>(std::llround(fraction * static_cast<double>(n)));
  };
  // Half the population graduated from an in-state high school in 2016–2018;
  // ~62% of them enrolled in college and ~82% earned wages in 2019–2021.
  // Young adults schooled elsewhere moved in for college or work; older
  // adults mostly appear in the wage records.
  const uint64_t graduates = share(0.5);
  const uint64_t young = share(0.2);
  const uint64_t older = n - graduates - young;
  AddIndependentRegions(graduates, Profile::kSchoolGraduate, {1.0, 0.62, 0.82}, &config.regions);
  AddIndependentRegions(young, Profile::kYoungAdult, {0.0, 0.40, 0.80}, &config.regions);
  AddIndependentRegions(older, Profile::kOlderAdult, {0.0, 0.06, 0.72}, &config.regions);

  PartySpec k12;
  k12.name = "k12";
  k12.columns = Columns({{"student_id", Field::kLocalId},
                         {"first_name", Field::kGivenName},
                         {"middle_name", Field::kMiddleName},
                         {"last_name", Field::kSurname},
                         {"birth_date", Field::kDateOfBirth},
                         {"sex", Field::kSex},
                         {"graduation_year", Field::kGraduationYear},
                         {"district", Field::kDistrict}});
  k12.date_format = "%m/%d/%Y";
  k12.duplicate_rate = options.duplicate_rate.value_or(0.01);
  k12.id_digits = DigitsFor(n * 2, 10);
  CorruptionRates school = CorruptionRates::Defaults();
  school[Corruption::kSurnameChange] = 0.0;  // records from school years, before marriage
  k12.corruption = ScaledRates(school, options);

  PartySpec higher_ed;
  higher_ed.name = "higher_ed";
  higher_ed.columns = Columns({{"enrollment_id", Field::kLocalId},
                               {"last_name", Field::kSurname},
                               {"first_name", Field::kGivenName},
                               {"middle_initial", Field::kMiddleInitial},
                               {"date_of_birth", Field::kDateOfBirth},
                               {"institution", Field::kInstitution},
                               {"enrollment_year", Field::kEnrollmentYear},
                               {"degree_field", Field::kDegreeField}});
  higher_ed.date_format = "%Y-%m-%d";
  higher_ed.record_kind = RecordKind::kEnrollment;
  higher_ed.duplicate_rate = options.duplicate_rate.value_or(0.0);
  higher_ed.id_prefix = "E";
  higher_ed.id_digits = DigitsFor(n * 3, 9);
  higher_ed.corruption = ScaledRates(CorruptionRates::Defaults(), options);

  PartySpec employment;
  employment.name = "employment";
  employment.columns = Columns({{"wage_record_id", Field::kLocalId},
                                {"ssn", Field::kSsn},
                                {"last_name", Field::kSurname},
                                {"first_name", Field::kGivenName},
                                {"birth_date", Field::kDateOfBirth},
                                {"naics_sector", Field::kNaicsSector},
                                {"industry", Field::kIndustry},
                                {"wage_band", Field::kWageBand},
                                {"quarter", Field::kQuarter}});
  employment.date_format = "%d-%b-%Y";
  employment.record_kind = RecordKind::kWageQuarter;
  employment.upper_case_names = true;  // a mainframe system: upper case, no accents
  employment.duplicate_rate = options.duplicate_rate.value_or(0.0);
  employment.id_prefix = "W";
  employment.id_digits = DigitsFor(n * (kWageQuarters + 1), 11);
  employment.corruption = ScaledRates(CorruptionRates::Defaults(), options);

  config.parties = {std::move(k12), std::move(higher_ed), std::move(employment)};
  return config;
}

}  // namespace

std::span<const std::string_view> PresetNames() { return kPresetNames; }

absl::StatusOr<DatasetConfig> MakePresetConfig(std::string_view preset,
                                               const PresetOptions& options) {
  if (options.size == 0) return absl::InvalidArgumentError("size: must be at least 1");
  if (!(options.error_scale >= 0.0 && options.error_scale <= 100.0)) {
    return absl::InvalidArgumentError("error_scale: must be in [0, 100]");
  }
  if (options.duplicate_rate &&
      !(*options.duplicate_rate >= 0.0 && *options.duplicate_rate <= 10.0)) {
    return absl::InvalidArgumentError("duplicate_rate: must be in [0, 10]");
  }
  for (const auto& [kind, rate] : options.rate_overrides) {
    if (!(rate >= 0.0 && rate <= 1.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("rate ", Av(CorruptionName(kind)), ": must be in [0, 1]"));
    }
  }
  absl::StatusOr<DatasetConfig> config;
  if (preset == "pair") {
    config = PairOrThree(2, options);
  } else if (preset == "three") {
    config = PairOrThree(3, options);
  } else if (preset == "agencies") {
    config = Agencies(options);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown preset '", std::string(preset), "' (known: pair, three, agencies)"));
  }
  if (!config.ok()) return config.status();
  if (options.eval_keys) {
    for (PartySpec& party : config->parties) party.columns.push_back({"eval_key", Field::kEvalKey});
  }
  if (absl::Status status = ValidateConfig(*config); !status.ok()) return status;
  return config;
}

}  // namespace fedlink::datagen
