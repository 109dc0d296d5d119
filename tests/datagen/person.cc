#include "tests/datagen/person.h"

#include <vector>

#include "tests/datagen/rng.h"

namespace fedlink::datagen {
namespace {

// Stream identifiers, so that each aspect of a person draws from its own
// independent stream and adding a draw to one aspect leaves the others as
// they were.
enum Stream : uint64_t {
  kPersonStream = 1,
  kEnrollmentStream = 2,
  kWageStream = 3,
  kSsnStream = 4,
  kPreviousAddressStream = 5,
};

constexpr uint64_t kSsnSlots = 888'921'102;  // 898 areas × 99 groups × 9999 serials
constexpr std::string_view kUnitLabels[] = {"Apt", "Unit", "Suite", "#", "Lot"};
constexpr uint32_t kUnitWeights[] = {60, 20, 5, 10, 5};

// US population by five-year age band (roughly the 2020 census, per 10k).
constexpr uint32_t kAgeBandWeights[] = {190, 200, 210, 215, 215, 225, 225, 215, 205, 200,
                                        205, 215, 205, 175, 145, 95,  65,  40,  20,  5};

template <typename Entry, typename WeightOf>
WeightedTable TableOf(std::span<const Entry> entries, WeightOf weight_of) {
  std::vector<uint32_t> weights;
  weights.reserve(entries.size());
  for (const Entry& entry : entries) weights.push_back(weight_of(entry));
  return WeightedTable(weights);
}

// Given names of one sex: the whole table, and per origin the subset.
struct GivenNameTables {
  std::span<const NameEntry> names;
  WeightedTable all;
  std::array<std::vector<uint16_t>, kOriginCount> by_origin;
  std::array<WeightedTable, kOriginCount> by_origin_table;

  explicit GivenNameTables(std::span<const NameEntry> entries) : names(entries) {
    all = TableOf(entries, [](const NameEntry& e) { return e.weight; });
    std::array<std::vector<uint32_t>, kOriginCount> weights;
    for (size_t i = 0; i < entries.size(); ++i) {
      const size_t origin = static_cast<size_t>(entries[i].origin);
      by_origin[origin].push_back(static_cast<uint16_t>(i));
      weights[origin].push_back(entries[i].weight);
    }
    for (size_t o = 0; o < kOriginCount; ++o) by_origin_table[o] = WeightedTable(weights[o]);
  }

  // Often (60%) a name of the surname's origin, else any name.
  std::string_view Pick(Rng& rng, Origin origin) const {
    const size_t o = static_cast<size_t>(origin);
    const bool same_origin = rng.Chance(0.6);
    if (origin != Origin::kGeneral && same_origin && by_origin_table[o].total() > 0) {
      return names[by_origin[o][by_origin_table[o].Pick(rng)]].name;
    }
    return names[all.Pick(rng)].name;
  }
};

struct Tables {
  GivenNameTables female{FemaleGivenNames()};
  GivenNameTables male{MaleGivenNames()};
  WeightedTable surnames = TableOf(Surnames(), [](const NameEntry& e) { return e.weight; });
  WeightedTable localities = TableOf(Localities(), [](const Locality& l) { return l.weight; });
  WeightedTable street_types = TableOf(StreetTypes(), [](const StreetType& t) { return t.weight; });
  WeightedTable units{kUnitWeights};
  WeightedTable age_bands{kAgeBandWeights};
  WeightedTable institutions =
      TableOf(Institutions(), [](const Institution& i) { return i.weight; });
  WeightedTable degree_fields =
      TableOf(DegreeFields(), [](const WeightedLabel& l) { return l.weight; });
  WeightedTable naics_young =
      TableOf(NaicsSectors(), [](const NaicsSector& s) { return s.young_weight; });
  WeightedTable naics_adult =
      TableOf(NaicsSectors(), [](const NaicsSector& s) { return s.adult_weight; });
};

const Tables& GetTables() {
  static const Tables* const tables = new Tables();
  return *tables;
}

Address MakeAddress(Rng& rng, const Tables& tables) {
  Address address;
  address.locality = static_cast<uint16_t>(tables.localities.Pick(rng));
  const Locality& locality = Localities()[address.locality];
  address.zip = static_cast<uint32_t>(rng.Between(locality.zip_low, locality.zip_high));
  address.street = static_cast<uint16_t>(rng.Below(StreetNames().size()));
  address.street_type = static_cast<uint8_t>(tables.street_types.Pick(rng));
  // House numbers: mostly 2–4 digits, as in US addresses.
  static constexpr uint32_t kDigitWeights[] = {12, 28, 32, 24, 4};
  static const WeightedTable digit_table{kDigitWeights};
  const int digits = static_cast<int>(digit_table.Pick(rng)) + 1;
  int64_t low = 1;
  for (int i = 1; i < digits; ++i) low *= 10;
  address.house_number =
      static_cast<uint16_t>(rng.Between(low, std::min<int64_t>(low * 10 - 1, 65000)));
  if (rng.Chance(0.22)) {
    address.unit_kind = static_cast<uint8_t>(tables.units.Pick(rng) + 1);
    address.unit_number = static_cast<uint16_t>(rng.Between(1, 450));
    if (rng.Chance(0.2)) address.unit_letter = static_cast<char>('A' + rng.Below(6));
  }
  return address;
}

// Date of birth by profile, relative to kReferenceDate.
Date MakeDateOfBirth(Rng& rng, Profile profile, const Tables& tables, int* graduation_year) {
  const int64_t reference = DaysFromCivil(kReferenceDate);
  switch (profile) {
    case Profile::kSchoolGraduate: {
      // On-time graduates of June G were born Sep (G-19) … Aug (G-18); some
      // were held back a year, a few skipped one.
      const int year = 2016 + static_cast<int>(rng.Below(3));
      *graduation_year = year;
      const uint64_t r = rng.Below(100);
      const int shift = r < 8 ? 1 : (r < 10 ? -1 : 0);
      const int64_t start = DaysFromCivil(Date{year - 19 - shift, 9, 1});
      const int64_t end = DaysFromCivil(Date{year - 18 - shift, 9, 1});
      return CivilFromDays(start +
                           static_cast<int64_t>(rng.Below(static_cast<uint64_t>(end - start))));
    }
    case Profile::kYoungAdult: {
      const int64_t start = DaysFromCivil(Date{1996, 1, 1});
      const int64_t end = DaysFromCivil(Date{2002, 1, 1});
      return CivilFromDays(start +
                           static_cast<int64_t>(rng.Below(static_cast<uint64_t>(end - start))));
    }
    case Profile::kOlderAdult:
    case Profile::kGeneral: {
      int age;
      if (profile == Profile::kOlderAdult) {
        // Bands 25–29 … 65–69 of the same pyramid.
        do {
          age = static_cast<int>(tables.age_bands.Pick(rng)) * 5 + static_cast<int>(rng.Below(5));
        } while (age < 25 || age > 69);
      } else {
        age = static_cast<int>(tables.age_bands.Pick(rng)) * 5 + static_cast<int>(rng.Below(5));
      }
      // Born within the year before the (age)th birthday on the reference date.
      const int64_t latest = reference - (static_cast<int64_t>(age) * 36525) / 100;
      return CivilFromDays(latest - static_cast<int64_t>(rng.Below(365)));
    }
  }
  return kReferenceDate;
}

uint32_t SsnFromSlot(uint64_t slot) {
  const uint32_t serial = static_cast<uint32_t>(slot % 9999) + 1;
  slot /= 9999;
  const uint32_t group = static_cast<uint32_t>(slot % 99) + 1;
  uint32_t area = static_cast<uint32_t>(slot / 99) + 1;  // 1..898
  if (area >= 666) ++area;                               // skip 666: 1..899
  return area * 1'000'000 + group * 10'000 + serial;
}

}  // namespace

std::string_view UnitLabel(uint8_t unit_kind) {
  return unit_kind == 0 ? std::string_view() : kUnitLabels[unit_kind - 1];
}

bool IsValidSsn(uint32_t ssn) {
  const uint32_t area = ssn / 1'000'000;
  const uint32_t group = (ssn / 10'000) % 100;
  const uint32_t serial = ssn % 10'000;
  return ssn <= 999'999'999 && area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

void AppendSsn(uint32_t ssn, bool dashed, std::string* out) {
  char digits[9];
  for (int i = 8; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + ssn % 10);
    ssn /= 10;
  }
  if (!dashed) {
    out->append(digits, 9);
    return;
  }
  out->append(digits, 3);
  out->push_back('-');
  out->append(digits + 3, 2);
  out->push_back('-');
  out->append(digits + 5, 4);
}

PersonFactory::PersonFactory(uint64_t seed)
    : seed_(seed), ssn_permutation_(kSsnSlots, HashWords({seed, kSsnStream})) {
  GetTables();  // build the tables now rather than on the first record
}

Person PersonFactory::Make(uint64_t entity, Profile profile) const {
  const Tables& tables = GetTables();
  Rng rng(HashWords({seed_, kPersonStream, entity}));
  Person person;
  person.entity = entity;
  person.profile = profile;
  person.female = rng.Below(1000) < 505;

  const NameEntry& surname = Surnames()[tables.surnames.Pick(rng)];
  person.surname = surname.name;
  person.origin = surname.origin;
  const GivenNameTables& given_names = person.female ? tables.female : tables.male;
  person.given = given_names.Pick(rng, person.origin);

  // Vietnamese middle names are very often Thị (women) or Văn (men).
  const bool vietnamese_middle = person.origin == Origin::kVietnamese && rng.Chance(0.55);
  const bool has_middle = rng.Chance(0.8);
  if (vietnamese_middle) {
    person.middle = person.female ? "Thị" : "Văn";
  } else if (has_middle) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      person.middle = given_names.Pick(rng, person.origin);
      if (person.middle != person.given) break;
    }
    if (person.middle == person.given) person.middle = {};
  }

  person.dob = MakeDateOfBirth(rng, profile, tables, &person.graduation_year);
  const int age = kReferenceDate.year - person.dob.year;
  const double married = age < 20 ? 0.0 : age < 25 ? 0.15 : age < 30 ? 0.40 : 0.60;
  if (rng.Chance(married) && rng.Chance(person.female ? 0.8 : 0.03)) {
    for (int attempt = 0; attempt < 4 && person.married_surname.empty(); ++attempt) {
      const std::string_view spouse = Surnames()[tables.surnames.Pick(rng)].name;
      if (spouse != person.surname) person.married_surname = spouse;
    }
  }

  person.ssn = SsnFromSlot(ssn_permutation_(entity));
  person.home = MakeAddress(rng, tables);
  return person;
}

Address PersonFactory::PreviousAddressOf(const Person& person) const {
  Rng rng(HashWords({seed_, kPreviousAddressStream, person.entity}));
  return MakeAddress(rng, GetTables());
}

std::optional<Enrollment> PersonFactory::EnrollmentOf(const Person& person, int copy) const {
  const Tables& tables = GetTables();
  Rng rng(HashWords({seed_, kEnrollmentStream, person.entity}));
  Enrollment first;
  first.institution = static_cast<uint16_t>(tables.institutions.Pick(rng));
  first.degree_field = static_cast<uint16_t>(tables.degree_fields.Pick(rng));
  switch (person.profile) {
    case Profile::kSchoolGraduate: {
      const uint64_t r = rng.Below(100);
      first.year = person.graduation_year + (r < 75 ? 0 : r < 90 ? 1 : 2);
      break;
    }
    case Profile::kYoungAdult:
      first.year = 2015 + static_cast<int>(rng.Below(6));
      break;
    case Profile::kOlderAdult:
    case Profile::kGeneral:
      first.year = 2012 + static_cast<int>(rng.Below(11));
      break;
  }
  const bool transfers = rng.Chance(0.15);
  if (copy == 0) return first;
  if (copy != 1 || !transfers) return std::nullopt;
  Enrollment second = first;
  for (int attempt = 0; attempt < 4 && second.institution == first.institution; ++attempt) {
    second.institution = static_cast<uint16_t>(tables.institutions.Pick(rng));
  }
  second.year = first.year + 1 + static_cast<int>(rng.Below(2));
  if (rng.Chance(0.3)) second.degree_field = static_cast<uint16_t>(tables.degree_fields.Pick(rng));
  return second;
}

std::array<WageQuarter, kWageQuarters> PersonFactory::WageHistoryOf(const Person& person,
                                                                    bool enrolled) const {
  const Tables& tables = GetTables();
  Rng rng(HashWords({seed_, kWageStream, person.entity}));
  const bool young =
      person.profile == Profile::kSchoolGraduate || person.profile == Profile::kYoungAdult;
  const WeightedTable& sectors = young ? tables.naics_young : tables.naics_adult;

  int band;
  if (young) {
    band = enrolled ? static_cast<int>(rng.Below(2)) : 1 + static_cast<int>(rng.Below(3));
  } else {
    static constexpr uint32_t kAdultBands[] = {0, 0, 20, 30, 30, 20};
    static const WeightedTable adult_bands{kAdultBands};
    band = static_cast<int>(adult_bands.Pick(rng));
  }
  uint16_t naics = static_cast<uint16_t>(sectors.Pick(rng));
  bool employed = rng.Chance(young ? 0.6 : 0.75);

  std::array<WageQuarter, kWageQuarters> history{};
  bool ever_employed = false;
  for (int q = 0; q < kWageQuarters; ++q) {
    if (q > 0) {
      // 2020Q2 (q = 5) and 2020Q3 saw mass lay-offs and few hires.
      const bool pandemic = q == 5 || q == 6;
      if (employed) {
        employed = rng.Chance(q == 5 ? 0.75 : 0.92);
      } else {
        employed = rng.Chance(pandemic ? 0.15 : 0.35);
        if (employed && rng.Chance(0.35)) naics = static_cast<uint16_t>(sectors.Pick(rng));
      }
    }
    if (employed) {
      const double raise = rng.Unit();
      if (raise < 0.08 && band < 5)
        ++band;
      else if (raise > 0.95 && band > 0)
        --band;
      ever_employed = true;
    }
    history[static_cast<size_t>(q)] = WageQuarter{employed, naics, static_cast<uint8_t>(band)};
  }
  if (!ever_employed) {
    history[rng.Below(kWageQuarters)] = WageQuarter{true, naics, static_cast<uint8_t>(band)};
  }
  return history;
}

}  // namespace fedlink::datagen
