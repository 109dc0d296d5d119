#include "tests/datagen/config.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "tests/datagen/absl_view.h"
#include "tests/datagen/date.h"

namespace fedlink::datagen {
namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "local_id",       "given_name",   "middle_name",
    "middle_initial", "surname",      "sex",
    "date_of_birth",  "ssn",          "street_number",
    "address_1",      "address_2",    "city",
    "postcode",       "state",        "graduation_year",
    "district",       "institution",  "enrollment_year",
    "degree_field",   "naics_sector", "industry",
    "wage_band",      "quarter",      "eval_key",
};

constexpr std::array<std::string_view, kCorruptionCount> kCorruptionNames = {
    "typo",      "ocr",       "nickname",  "accent_strip", "surname_change",
    "name_swap", "date_swap", "date_typo", "missing",      "whitespace",
    "case",      "id_typo",   "moved",
};

bool IsIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsProbability(double p) { return p >= 0.0 && p <= 1.0; }

absl::Status ValidateParty(const PartySpec& party, const std::string& where) {
  if (!IsIdentifier(party.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": name must match [a-z][a-z0-9_]* (at most 64 characters)"));
  }
  if (party.columns.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": no columns"));
  std::set<std::string> names;
  int id_columns = 0;
  for (size_t c = 0; c < party.columns.size(); ++c) {
    const ColumnSpec& column = party.columns[c];
    const std::string column_where = absl::StrCat(where, ".columns[", c, "]");
    if (!IsIdentifier(column.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(column_where, ": name must match [a-z][a-z0-9_]*"));
    }
    if (!names.insert(column.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(column_where, ": duplicate column name '", column.name, "'"));
    }
    if (static_cast<int>(column.field) >= kFieldCount) {
      return absl::InvalidArgumentError(absl::StrCat(column_where, ": unknown field"));
    }
    if (column.field == Field::kLocalId) ++id_columns;
  }
  if (id_columns != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": needs exactly one local_id column, has ", id_columns));
  }
  if (absl::Status status = ValidateDateFormat(party.date_format); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".date_format: ", status.message()));
  }
  if (party.id_digits < 1 || party.id_digits > 18) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".id_digits: must be 1..18"));
  }
  for (char c : party.id_prefix) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".id_prefix: must not contain a comma, quote or line break"));
    }
  }
  if (!(party.duplicate_rate >= 0.0 && party.duplicate_rate <= 10.0)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".duplicate_rate: must be in [0, 10]"));
  }
  for (int k = 0; k < kCorruptionCount; ++k) {
    if (!IsProbability(party.corruption.rate[static_cast<size_t>(k)])) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".corruption.",
                                                     Av(kCorruptionNames[static_cast<size_t>(k)]),
                                                     ": must be in [0, 1]"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view FieldName(Field field) { return kFieldNames[static_cast<size_t>(field)]; }

std::string_view CorruptionName(Corruption kind) {
  return kCorruptionNames[static_cast<size_t>(kind)];
}

std::optional<Corruption> CorruptionFromName(std::string_view name) {
  for (size_t i = 0; i < kCorruptionNames.size(); ++i) {
    if (kCorruptionNames[i] == name) return static_cast<Corruption>(i);
  }
  return std::nullopt;
}

CorruptionRates CorruptionRates::Defaults() {
  CorruptionRates r;
  r[Corruption::kTypo] = 0.12;
  r[Corruption::kOcr] = 0.01;
  r[Corruption::kNickname] = 0.06;
  r[Corruption::kAccentStrip] = 0.30;
  r[Corruption::kSurnameChange] = 0.25;
  r[Corruption::kNameSwap] = 0.005;
  r[Corruption::kDateSwap] = 0.02;
  r[Corruption::kDateTypo] = 0.02;
  r[Corruption::kMissing] = 0.06;
  r[Corruption::kWhitespace] = 0.02;
  r[Corruption::kCase] = 0.02;
  r[Corruption::kIdTypo] = 0.01;
  r[Corruption::kMoved] = 0.08;
  return r;
}

CorruptionRates CorruptionRates::None() { return CorruptionRates{}; }

absl::Status ValidateConfig(const DatasetConfig& config) {
  if (config.parties.empty() || config.parties.size() > 16) {
    return absl::InvalidArgumentError("parties: need 1..16 parties");
  }
  std::set<std::string> names;
  for (size_t p = 0; p < config.parties.size(); ++p) {
    const std::string where = absl::StrCat("parties[", p, "] (", config.parties[p].name, ")");
    if (absl::Status status = ValidateParty(config.parties[p], where); !status.ok()) return status;
    if (!names.insert(config.parties[p].name).second) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": duplicate party name"));
    }
  }
  const uint32_t all_parties = (uint32_t{1} << config.parties.size()) - 1;
  uint64_t total = 0;
  for (size_t r = 0; r < config.regions.size(); ++r) {
    const PopulationRegion& region = config.regions[r];
    if (region.party_mask == 0 || (region.party_mask & ~all_parties) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("regions[", r, "]: party_mask must name at least one existing party"));
    }
    if (static_cast<int>(region.profile) > static_cast<int>(Profile::kOlderAdult)) {
      return absl::InvalidArgumentError(absl::StrCat("regions[", r, "]: unknown profile"));
    }
    total += region.count;
  }
  // SSNs are handed out without repetition from the 888,921,102 valid ones.
  constexpr uint64_t kMaxEntities = 888'921'102;
  if (total == 0) return absl::InvalidArgumentError("regions: the population is empty");
  if (total > kMaxEntities) {
    return absl::InvalidArgumentError(
        absl::StrCat("regions: population of ", total, " exceeds ", kMaxEntities, " persons"));
  }
  return absl::OkStatus();
}

uint64_t EntitiesHeldByAll(const DatasetConfig& config, uint32_t mask) {
  uint64_t count = 0;
  for (const PopulationRegion& region : config.regions) {
    if ((region.party_mask & mask) == mask) count += region.count;
  }
  return count;
}

}  // namespace fedlink::datagen
