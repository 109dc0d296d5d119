// Synthetic persons, derived on demand: a person is a pure function of
// (seed, entity index, profile), so the population is never stored and any
// party can regenerate any person's true attributes in O(1).
#ifndef FEDLINK_TESTS_DATAGEN_PERSON_H_
#define FEDLINK_TESTS_DATAGEN_PERSON_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tests/datagen/config.h"
#include "tests/datagen/date.h"
#include "tests/datagen/permutation.h"
#include "tests/datagen/tables.h"

namespace fedlink::datagen {

// Ages are counted at this date, so output does not depend on the clock.
inline constexpr Date kReferenceDate{2024, 6, 30};

struct Address {
  uint16_t locality = 0;    // index into Localities()
  uint16_t street = 0;      // index into StreetNames()
  uint8_t street_type = 0;  // index into StreetTypes()
  uint8_t unit_kind = 0;    // 0: no unit; else index+1 into the unit labels
  uint16_t house_number = 1;
  uint16_t unit_number = 0;
  char unit_letter = 0;  // 0: none
  uint32_t zip = 0;
};

// The unit label for Address::unit_kind (1-based): "Apt", "Unit", …
std::string_view UnitLabel(uint8_t unit_kind);

struct Person {
  uint64_t entity = 0;
  Profile profile = Profile::kGeneral;
  bool female = false;
  Origin origin = Origin::kGeneral;
  std::string_view given;
  std::string_view middle;           // may be empty
  std::string_view surname;          // at birth
  std::string_view married_surname;  // empty unless the person took a spouse's name
  Date dob;
  uint32_t ssn = 0;  // 9 digits as a number; area never 000, 666 or 9xx
  Address home;
  int graduation_year = 0;  // kSchoolGraduate only
};

struct Enrollment {
  uint16_t institution = 0;   // index into Institutions()
  uint16_t degree_field = 0;  // index into DegreeFields()
  int year = 0;
};

inline constexpr int kWageQuarters = 12;  // 2019Q1 … 2021Q4
inline constexpr int kFirstWageYear = 2019;

struct WageQuarter {
  bool employed = false;
  uint16_t naics = 0;  // index into NaicsSectors()
  uint8_t band = 0;    // index into WageBands()
};

// Makes persons for one seed. Immutable after construction; thread-safe.
class PersonFactory {
 public:
  explicit PersonFactory(uint64_t seed);

  Person Make(uint64_t entity, Profile profile) const;

  // An earlier address of the person (the "moved" corruption); computed on
  // demand because few records need it.
  Address PreviousAddressOf(const Person& person) const;

  // The person's enrolments: copy 0 always exists; copy 1 (a transfer to a
  // second institution) for about 15% of persons.
  std::optional<Enrollment> EnrollmentOf(const Person& person, int copy) const;

  // The person's quarterly employment 2019Q1–2021Q4, with at least one
  // employed quarter. `enrolled`: the person is also a college student.
  std::array<WageQuarter, kWageQuarters> WageHistoryOf(const Person& person, bool enrolled) const;

 private:
  uint64_t seed_;
  Permutation ssn_permutation_;
};

// The SSN as 9 digits, optionally dashed (123-45-6789).
void AppendSsn(uint32_t ssn, bool dashed, std::string* out);

// True for 9-digit numbers whose area is not 000, 666 or 9xx, group not 00
// and serial not 0000.
bool IsValidSsn(uint32_t ssn);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_PERSON_H_
