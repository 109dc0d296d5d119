// What to generate: the population (regions of entities, each held by a set
// of parties) and, per party, its file layout, formats and corruption rates.
// Presets (presets.h) build these; tests and benchmarks may build their own.
#ifndef FEDLINK_TESTS_DATAGEN_CONFIG_H_
#define FEDLINK_TESTS_DATAGEN_CONFIG_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace fedlink::datagen {

// Which kind of person a region holds; it sets the age range and the
// education/employment story (see person.h).
enum class Profile : uint8_t {
  kGeneral,         // any age, US age pyramid
  kSchoolGraduate,  // in-state high-school graduate of 2016–2018
  kYoungAdult,      // born 1996–2001, schooled elsewhere
  kOlderAdult,      // aged 25–69
};

// The meaning of one column of a party's file.
enum class Field : uint8_t {
  kLocalId,  // the party's own record id (random-looking, unique)
  kGivenName,
  kMiddleName,
  kMiddleInitial,
  kSurname,
  kSex,
  kDateOfBirth,  // written in the party's date_format
  kSsn,
  kStreetNumber,
  kAddress1,  // street name and type
  kAddress2,  // apartment/unit, often empty
  kCity,
  kPostcode,
  kState,
  kGraduationYear,  // K-12 graduation year
  kDistrict,        // K-12 school division
  kInstitution,     // higher-education institution
  kEnrollmentYear,
  kDegreeField,
  kNaicsSector,  // NAICS sector code, e.g. "44-45"
  kIndustry,     // NAICS sector title
  kWageBand,
  kQuarter,  // e.g. "2020Q3"
  // Evaluation only: a random key per row (15 hex digits, unique across the
  // data set), unrelated to the person; ground_truth.csv maps it to the
  // entity. Lets a demo or test score linked output that carries this column
  // as a released attribute, without any identifier or local id leaving an
  // agency.
  kEvalKey,
};
inline constexpr int kFieldCount = 24;

std::string_view FieldName(Field field);

// Kinds of corruption applied to a party's copy of a person. Each is applied
// at most once per record.
enum class Corruption : uint8_t {
  kTypo,           // keyboard typo in a name/address: insert, delete, substitute, transpose
  kOcr,            // OCR confusion: rn↔m, l↔1, O↔0, 5↔S …
  kNickname,       // given name → nickname (William → Bill), sometimes 'William "Bill"'
  kAccentStrip,    // accents dropped: García → Garcia
  kSurnameChange,  // married surname, or hyphenated birth-married surname
  kNameSwap,       // given name and surname exchanged
  kDateSwap,       // day and month exchanged (only when still a valid date)
  kDateTypo,       // one digit of the date changed (still a valid date)
  kMissing,        // one optional field left blank
  kWhitespace,     // extra leading/trailing/inner space
  kCase,           // field in upper or lower case
  kIdTypo,         // one SSN digit changed or two adjacent digits swapped
  kMoved,          // the person's previous address instead of the current one
};
inline constexpr int kCorruptionCount = 13;

std::string_view CorruptionName(Corruption kind);
std::optional<Corruption> CorruptionFromName(std::string_view name);

// Probability, per record, that each corruption is attempted. Kinds that need
// something the record lacks (a nickname, an accent, a married surname, a day
// <= 12) are attempted but do nothing, so their effective rate is lower.
struct CorruptionRates {
  std::array<double, kCorruptionCount> rate{};

  double& operator[](Corruption kind) { return rate[static_cast<size_t>(kind)]; }
  double operator[](Corruption kind) const { return rate[static_cast<size_t>(kind)]; }

  // Defaults giving "realistic" difficulty: about a third of records carry
  // an error, so most true pairs differ in 0–2 places.
  static CorruptionRates Defaults();
  static CorruptionRates None();
};

// How a party writes each row.
enum class RecordKind : uint8_t {
  kPerson,       // one row per person held
  kEnrollment,   // one row per enrolment (some persons transfer: two rows)
  kWageQuarter,  // one row per quarter employed, 2019Q1–2021Q4
};

enum class SsnStyle : uint8_t { kDigits, kDashed };  // 123456789 | 123-45-6789
enum class SexStyle : uint8_t { kLetter, kWord };    // F/M | female/male

struct ColumnSpec {
  std::string name;  // header; [a-z][a-z0-9_]*, unique in the party
  Field field = Field::kLocalId;
};

struct PartySpec {
  std::string name;                    // [a-z][a-z0-9_]*, unique; the file is <name>.csv
  std::vector<ColumnSpec> columns;     // exactly one kLocalId column
  std::string date_format = "%Y%m%d";  // see date.h
  SsnStyle ssn_style = SsnStyle::kDigits;
  SexStyle sex_style = SexStyle::kLetter;
  bool upper_case_names = false;        // legacy systems: "GARCIA", accents dropped
  bool abbreviate_street_types = true;  // "Ave" rather than "Avenue"
  std::string id_prefix;                // local ids are id_prefix + id_digits digits
  int id_digits = 10;
  RecordKind record_kind = RecordKind::kPerson;
  // Extra rows for persons the party already holds, as a fraction of the
  // persons held (within-party duplicates), each corrupted independently.
  double duplicate_rate = 0.0;
  CorruptionRates corruption = CorruptionRates::Defaults();
};

// `count` entities of `profile`, each held by every party whose bit is set
// in `party_mask` (bit i = parties[i]).
struct PopulationRegion {
  uint64_t count = 0;
  uint32_t party_mask = 0;
  Profile profile = Profile::kGeneral;
};

struct DatasetConfig {
  std::string preset;  // for the manifest and summary only
  uint64_t seed = 1;
  std::vector<PartySpec> parties;  // at most 16
  std::vector<PopulationRegion> regions;
  bool crlf = true;  // RFC 4180 line ends; false writes "\n"
};

// Checks every rule stated above; the error names the party, column or
// region at fault.
absl::Status ValidateConfig(const DatasetConfig& config);

// Number of entities held by every party in `mask` (and maybe others).
uint64_t EntitiesHeldByAll(const DatasetConfig& config, uint32_t mask);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_CONFIG_H_
