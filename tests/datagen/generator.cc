#include "tests/datagen/generator.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "tests/datagen/absl_view.h"
#include "tests/datagen/corrupt.h"
#include "tests/datagen/rng.h"
#include "tests/datagen/tables.h"
#include "tests/datagen/text.h"

namespace fedlink::datagen {
namespace {

enum Stream : uint64_t {
  kOrderStream = 101,
  kIdStream = 102,
  kDuplicateStream = 103,
  kDecisionStream = 104,
  kOperationStream = 105,
  kEvalKeyStream = 106,
};

// Evaluation keys are a keyed permutation of [0, 2^60) applied to
// slot·16 + party (at most 16 parties): unique across the data set, written
// as 15 hex digits.
constexpr uint64_t kEvalKeySpace = uint64_t{1} << 60;

// How often each field is the one left blank by the kMissing corruption.
uint32_t MissingWeight(Field field) {
  switch (field) {
    case Field::kGivenName:
      return 2;
    case Field::kMiddleName:
      return 6;
    case Field::kMiddleInitial:
      return 6;
    case Field::kSurname:
      return 1;
    case Field::kSex:
      return 2;
    case Field::kDateOfBirth:
      return 3;
    case Field::kSsn:
      return 6;
    case Field::kStreetNumber:
      return 4;
    case Field::kAddress1:
      return 2;
    case Field::kAddress2:
      return 1;
    case Field::kCity:
      return 2;
    case Field::kPostcode:
      return 4;
    case Field::kState:
      return 1;
    case Field::kGraduationYear:
      return 1;
    case Field::kDistrict:
      return 2;
    case Field::kEnrollmentYear:
      return 1;
    case Field::kDegreeField:
      return 2;
    case Field::kNaicsSector:
      return 1;
    case Field::kIndustry:
      return 1;
    default:
      return 0;
  }
}

// Which columns each string-level corruption may hit, and how often.
uint32_t TargetWeight(Corruption kind, Field field) {
  const bool name = field == Field::kGivenName || field == Field::kSurname;
  switch (kind) {
    case Corruption::kTypo:
    case Corruption::kWhitespace:
    case Corruption::kCase:
      if (name) return 3;
      if (field == Field::kMiddleName || field == Field::kAddress1 || field == Field::kCity)
        return 1;
      return 0;
    case Corruption::kOcr:
      if (name) return 2;
      if (field == Field::kMiddleName || field == Field::kAddress1 || field == Field::kCity ||
          field == Field::kPostcode || field == Field::kStreetNumber) {
        return 1;
      }
      return 0;
    case Corruption::kAccentStrip:
      return name || field == Field::kMiddleName ? 1 : 0;
    case Corruption::kMissing:
      return MissingWeight(field);
    default:
      return 0;
  }
}

bool IsNameField(Field field) {
  return field == Field::kGivenName || field == Field::kSurname || field == Field::kMiddleName ||
         field == Field::kMiddleInitial;
}

void AppendNumber(uint64_t value, std::string* out) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
}

void AppendPadded(uint64_t value, int width, std::string* out) {
  char buffer[24];
  for (int i = width - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buffer, static_cast<size_t>(width));
}

uint64_t PowerOfTen(int digits) {
  uint64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

enum class SurnameForm { kBirth, kMarried, kHyphenated, kSpaced };

// The person as this record states it, after the semantic corruptions.
struct RecordTruth {
  std::string_view given;
  bool nickname_with_formal = false;  // 'William "Bill"'
  std::string_view formal_given;
  SurnameForm surname_form = SurnameForm::kBirth;
  bool names_swapped = false;
  Date dob;
  uint32_t ssn = 0;
  const Address* address = nullptr;
};

void AppendSurname(const Person& person, const RecordTruth& truth, std::string* out) {
  switch (truth.surname_form) {
    case SurnameForm::kBirth:
      out->append(person.surname);
      break;
    case SurnameForm::kMarried:
      out->append(person.married_surname);
      break;
    case SurnameForm::kHyphenated:
      out->append(person.surname).append("-").append(person.married_surname);
      break;
    case SurnameForm::kSpaced:
      out->append(person.surname).append(" ").append(person.married_surname);
      break;
  }
}

void AppendGiven(const RecordTruth& truth, std::string* out) {
  if (truth.nickname_with_formal) {
    out->append(truth.formal_given).append(" \"").append(truth.given).append("\"");
  } else {
    out->append(truth.given);
  }
}

}  // namespace

DatasetGenerator::DatasetGenerator(DatasetConfig config)
    : config_(std::move(config)),
      persons_(config_.seed),
      eval_keys_(kEvalKeySpace, HashWords({config_.seed, kEvalKeyStream})) {}

absl::StatusOr<std::unique_ptr<DatasetGenerator>> DatasetGenerator::Create(DatasetConfig config) {
  if (absl::Status status = ValidateConfig(config); !status.ok()) return status;
  std::unique_ptr<DatasetGenerator> generator(new DatasetGenerator(std::move(config)));
  const DatasetConfig& cfg = generator->config_;

  for (size_t p = 0; p < cfg.parties.size(); ++p) {
    if (cfg.parties[p].record_kind == RecordKind::kEnrollment) {
      generator->enrollment_parties_ |= uint32_t{1} << p;
    }
  }
  generator->parties_.resize(cfg.parties.size());
  for (size_t p = 0; p < cfg.parties.size(); ++p) {
    const PartySpec& spec = cfg.parties[p];
    PartyPlan& plan = generator->parties_[p];
    uint64_t first_entity = 0;
    for (const PopulationRegion& region : cfg.regions) {
      if ((region.party_mask >> p) & 1u) {
        plan.ranges.push_back({plan.members, first_entity, region.party_mask, region.profile});
        plan.members += region.count;
      }
      first_entity += region.count;
    }
    switch (spec.record_kind) {
      case RecordKind::kPerson:
        plan.copies = 1;
        break;
      case RecordKind::kEnrollment:
        plan.copies = 2;
        break;
      case RecordKind::kWageQuarter:
        plan.copies = kWageQuarters;
        break;
    }
    plan.base_slots = plan.members * plan.copies;
    const uint64_t duplicates =
        plan.members == 0
            ? 0
            : static_cast<uint64_t>(static_cast<double>(plan.members) * spec.duplicate_rate + 0.5);
    plan.slots = plan.base_slots + duplicates;
    if (spec.id_digits < 19 && plan.slots > PowerOfTen(spec.id_digits)) {
      return absl::InvalidArgumentError(
          absl::StrCat("parties[", p, "] (", spec.name, "): ", spec.id_digits,
                       "-digit local ids cannot number ", plan.slots, " rows; raise id_digits"));
    }
    plan.order =
        Permutation(std::max<uint64_t>(plan.slots, 1), HashWords({cfg.seed, kOrderStream, p}));
    plan.ids = Permutation(PowerOfTen(spec.id_digits), HashWords({cfg.seed, kIdStream, p}));
    plan.column_of.fill(-1);
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      plan.column_of[static_cast<size_t>(spec.columns[c].field)] = static_cast<int>(c);
    }
    for (int k = 0; k < kCorruptionCount; ++k) {
      ColumnTargets& targets = plan.targets[static_cast<size_t>(k)];
      std::vector<uint32_t> weights;
      for (size_t c = 0; c < spec.columns.size(); ++c) {
        const uint32_t w = TargetWeight(static_cast<Corruption>(k), spec.columns[c].field);
        if (w > 0) {
          targets.columns.push_back(c);
          weights.push_back(w);
        }
      }
      targets.table = WeightedTable(weights);
    }
  }
  return generator;
}

void DatasetGenerator::AppendLocalId(size_t party, uint64_t slot, std::string* out) const {
  const PartySpec& spec = config_.parties[party];
  out->append(spec.id_prefix);
  AppendPadded(parties_[party].ids(slot), spec.id_digits, out);
}

void DatasetGenerator::AppendEvalKey(size_t party, uint64_t slot, std::string* out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t key = eval_keys_(slot * 16 + party);
  for (int shift = 56; shift >= 0; shift -= 4) out->push_back(kHex[(key >> shift) & 0xF]);
}

std::string DatasetGenerator::LocalId(size_t party, uint64_t position) const {
  std::string id;
  AppendLocalId(party, parties_[party].order(position), &id);
  return id;
}

bool DatasetGenerator::ApplyStringCorruption(const PartyPlan& plan, Corruption kind,
                                             GeneratedRecord* record, Rng& rng) const {
  const ColumnTargets& targets = plan.targets[static_cast<size_t>(kind)];
  if (targets.columns.empty()) return false;
  // A few tries, because the first column picked may offer nothing to
  // corrupt (no accent, already blank…).
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string& value = record->values[targets.columns[targets.table.Pick(rng)]];
    bool changed = false;
    switch (kind) {
      case Corruption::kTypo:
        changed = ApplyTypo(&value, rng);
        break;
      case Corruption::kOcr:
        changed = ApplyOcrError(&value, rng);
        break;
      case Corruption::kAccentStrip:
        changed = StripAccents(&value);
        break;
      case Corruption::kWhitespace:
        changed = ApplyWhitespace(&value, rng);
        break;
      case Corruption::kCase:
        changed = ApplyCaseChange(&value, rng);
        break;
      case Corruption::kMissing:
        changed = !value.empty();
        value.clear();
        break;
      default:
        break;
    }
    if (changed) return true;
  }
  return false;
}

bool DatasetGenerator::Generate(size_t party, uint64_t position, GeneratedRecord* record) const {
  const PartySpec& spec = config_.parties[party];
  const PartyPlan& plan = parties_[party];
  const uint64_t slot = plan.order(position);

  uint64_t member;
  int copy = 0;
  record->duplicate = slot >= plan.base_slots;
  if (!record->duplicate) {
    member = slot / plan.copies;
    copy = static_cast<int>(slot % plan.copies);
  } else {
    member = HashWords({config_.seed, kDuplicateStream, party, slot}) % plan.members;
  }
  const auto range = std::prev(
      std::upper_bound(plan.ranges.begin(), plan.ranges.end(), member,
                       [](uint64_t m, const MemberRange& r) { return m < r.first_member; }));
  const uint64_t entity = range->first_entity + (member - range->first_member);
  const Person person = persons_.Make(entity, range->profile);

  // What the row is about, beyond the person: an enrolment or a wage quarter.
  std::optional<Enrollment> enrollment;
  WageQuarter wage;
  int wage_quarter = 0;
  switch (spec.record_kind) {
    case RecordKind::kPerson:
      break;
    case RecordKind::kEnrollment:
      enrollment = persons_.EnrollmentOf(person, copy);
      if (!enrollment) return false;
      break;
    case RecordKind::kWageQuarter: {
      const auto history =
          persons_.WageHistoryOf(person, (range->party_mask & enrollment_parties_) != 0);
      if (record->duplicate) {
        // A duplicate wage row repeats one of the person's employed quarters.
        std::array<int, kWageQuarters> employed;
        int count = 0;
        for (int q = 0; q < kWageQuarters; ++q) {
          if (history[static_cast<size_t>(q)].employed) employed[static_cast<size_t>(count++)] = q;
        }
        copy = employed[HashWords({config_.seed, kDuplicateStream, party, slot, 1}) %
                        static_cast<uint64_t>(count)];
      }
      wage = history[static_cast<size_t>(copy)];
      wage_quarter = copy;
      if (!wage.employed) return false;
      break;
    }
  }
  record->entity = entity;

  // Decide every corruption up front with a fixed number of draws, so that
  // changing one rate never changes which records get another corruption.
  const uint64_t record_key = HashWords({config_.seed, party, slot});
  Rng decide(HashWords({record_key, kDecisionStream}));
  Rng rng(HashWords({record_key, kOperationStream}));
  std::array<bool, kCorruptionCount> wanted{};
  for (int k = 0; k < kCorruptionCount; ++k) {
    wanted[static_cast<size_t>(k)] = decide.Chance(spec.corruption.rate[static_cast<size_t>(k)]);
  }
  const auto want = [&](Corruption kind) { return wanted[static_cast<size_t>(kind)]; };
  const auto has = [&](Field field) { return plan.column_of[static_cast<size_t>(field)] >= 0; };
  uint32_t applied = 0;
  const auto mark = [&](Corruption kind) { applied |= uint32_t{1} << static_cast<int>(kind); };

  // Semantic corruptions change what the record says about the person.
  RecordTruth truth;
  Address previous_address;
  truth.given = person.given;
  truth.dob = person.dob;
  truth.ssn = person.ssn;
  truth.address = &person.home;
  if (want(Corruption::kNickname) && has(Field::kGivenName)) {
    const auto nicknames = NicknamesOf(person.given);
    if (!nicknames.empty()) {
      truth.formal_given = person.given;
      truth.given = nicknames[rng.Below(nicknames.size())];
      truth.nickname_with_formal = rng.Chance(0.15);
      mark(Corruption::kNickname);
    }
  }
  if (want(Corruption::kSurnameChange) && has(Field::kSurname) && !person.married_surname.empty()) {
    const uint64_t r = rng.Below(100);
    truth.surname_form =
        r < 70 ? SurnameForm::kMarried : (r < 90 ? SurnameForm::kHyphenated : SurnameForm::kSpaced);
    mark(Corruption::kSurnameChange);
  }
  if (want(Corruption::kNameSwap) && has(Field::kGivenName) && has(Field::kSurname) &&
      truth.given != person.surname) {
    truth.names_swapped = true;
    mark(Corruption::kNameSwap);
  }
  if (has(Field::kDateOfBirth)) {
    if (want(Corruption::kDateSwap) && ApplyDateSwap(&truth.dob)) mark(Corruption::kDateSwap);
    if (want(Corruption::kDateTypo) && ApplyDateTypo(&truth.dob, kReferenceDate.year, rng)) {
      mark(Corruption::kDateTypo);
    }
  }
  if (want(Corruption::kIdTypo) && has(Field::kSsn) && ApplySsnTypo(&truth.ssn, rng)) {
    mark(Corruption::kIdTypo);
  }
  if (want(Corruption::kMoved) &&
      (has(Field::kAddress1) || has(Field::kPostcode) || has(Field::kCity))) {
    previous_address = persons_.PreviousAddressOf(person);
    truth.address = &previous_address;
    mark(Corruption::kMoved);
  }

  // Render every column.
  record->values.resize(spec.columns.size());
  const Address& address = *truth.address;
  for (size_t c = 0; c < spec.columns.size(); ++c) {
    std::string& out = record->values[c];
    out.clear();
    const Field field = spec.columns[c].field;
    switch (field) {
      case Field::kLocalId:
        AppendLocalId(party, slot, &out);
        break;
      case Field::kGivenName:
        if (truth.names_swapped)
          AppendSurname(person, truth, &out);
        else
          AppendGiven(truth, &out);
        break;
      case Field::kSurname:
        if (truth.names_swapped)
          AppendGiven(truth, &out);
        else
          AppendSurname(person, truth, &out);
        break;
      case Field::kMiddleName:
        out.append(person.middle);
        break;
      case Field::kMiddleInitial:
        out.append(FirstCodePoint(person.middle));
        break;
      case Field::kSex:
        if (spec.sex_style == SexStyle::kLetter)
          out.append(person.female ? "F" : "M");
        else
          out.append(person.female ? "female" : "male");
        break;
      case Field::kDateOfBirth:
        AppendDate(truth.dob, spec.date_format, &out);
        break;
      case Field::kSsn:
        AppendSsn(truth.ssn, spec.ssn_style == SsnStyle::kDashed, &out);
        break;
      case Field::kStreetNumber:
        AppendNumber(address.house_number, &out);
        break;
      case Field::kAddress1: {
        const StreetType& type = StreetTypes()[address.street_type];
        out.append(StreetNames()[address.street])
            .append(" ")
            .append(spec.abbreviate_street_types ? type.abbreviated : type.full);
        break;
      }
      case Field::kAddress2:
        if (address.unit_kind != 0) {
          out.append(UnitLabel(address.unit_kind)).append(" ");
          AppendNumber(address.unit_number, &out);
          if (address.unit_letter != 0) out.push_back(address.unit_letter);
        }
        break;
      case Field::kCity:
        out.append(Localities()[address.locality].name);
        break;
      case Field::kPostcode:
        AppendPadded(address.zip, 5, &out);
        break;
      case Field::kState:
        out.append(kStateCode);
        break;
      case Field::kGraduationYear:
        if (person.graduation_year != 0)
          AppendNumber(static_cast<uint64_t>(person.graduation_year), &out);
        break;
      case Field::kDistrict:
        if (person.graduation_year != 0)
          out.append(Localities()[person.home.locality].school_division);
        break;
      case Field::kInstitution:
        if (enrollment) out.append(Institutions()[enrollment->institution].name);
        break;
      case Field::kEnrollmentYear:
        if (enrollment) AppendNumber(static_cast<uint64_t>(enrollment->year), &out);
        break;
      case Field::kDegreeField:
        if (enrollment) out.append(DegreeFields()[enrollment->degree_field].label);
        break;
      case Field::kNaicsSector:
        if (spec.record_kind == RecordKind::kWageQuarter)
          out.append(NaicsSectors()[wage.naics].code);
        break;
      case Field::kIndustry:
        if (spec.record_kind == RecordKind::kWageQuarter)
          out.append(NaicsSectors()[wage.naics].title);
        break;
      case Field::kWageBand:
        if (spec.record_kind == RecordKind::kWageQuarter) out.append(WageBands()[wage.band]);
        break;
      case Field::kQuarter:
        if (spec.record_kind == RecordKind::kWageQuarter) {
          AppendNumber(static_cast<uint64_t>(kFirstWageYear + wage_quarter / 4), &out);
          out.push_back('Q');
          out.push_back(static_cast<char>('1' + wage_quarter % 4));
        }
        break;
      case Field::kEvalKey:
        AppendEvalKey(party, slot, &out);
        break;
    }
    if (spec.upper_case_names && IsNameField(field)) {
      StripAccents(&out);
      ToUpperCase(&out);
    }
  }

  // String-level corruptions change how the record spells things. Blanking
  // comes last so that it is never undone.
  for (Corruption kind : {Corruption::kTypo, Corruption::kOcr, Corruption::kAccentStrip,
                          Corruption::kWhitespace, Corruption::kCase, Corruption::kMissing}) {
    if (want(kind) && ApplyStringCorruption(plan, kind, record, rng)) mark(kind);
  }
  record->corruptions = applied;
  return true;
}

}  // namespace fedlink::datagen
