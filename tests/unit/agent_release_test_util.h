// Fixtures shared by the release tests: agency "edu"'s ingest schema (with
// identifiers whose values are easy to search for in produced bytes) and
// its records.
#ifndef FEDLINK_TESTS_UNIT_AGENT_RELEASE_TEST_UTIL_H_
#define FEDLINK_TESTS_UNIT_AGENT_RELEASE_TEST_UTIL_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/store/stored_record.h"
#include "gtest/gtest.h"

namespace fedlink::agent::release::testing {

// gpa is confidential (above the test policy's internal ceiling), iep_status
// restricted and not on the policy's list.
inline constexpr const char* kEduSchema = R"(
version: 1
local_id: {column: student_id}
identifiers:
  - {column: first, role: first_name}
  - {column: last, role: last_name}
  - {column: birth, role: dob, formats: ["%Y-%m-%d"]}
  - {column: ssn, role: ssn}
attributes:
  - {column: program_code, sensitivity: internal}
  - {column: grad_year, sensitivity: public, type: integer}
  - {column: gpa, sensitivity: confidential}
  - {column: iep_status, sensitivity: restricted}
)";

inline ingest::IngestSchema EduSchema() {
  absl::StatusOr<ingest::IngestSchema> schema =
      ingest::ParseIngestSchemaYaml(kEduSchema, "edu-schema.yaml");
  EXPECT_TRUE(schema.ok()) << schema.status();
  return *schema;
}

// Identifier values of person i: distinctive strings no attribute contains.
inline std::string LocalId(int i) {
  return absl::StrCat("EDU-LOCAL-", 700000 + i);
}
inline std::string FirstName(int i) { return absl::StrCat("zebediah", i); }
inline std::string LastName(int i) { return absl::StrCat("quarterfield", i); }
inline std::string Dob(int i) { return absl::StrCat(19500101 + i); }
inline std::string Ssn(int i) { return absl::StrCat(987650000 + i); }

// Attribute values of person i.
inline std::string ProgramCode(int i) { return absl::StrCat("prog-", i % 7); }
inline std::string GradYear(int i) { return absl::StrCat(2010 + i % 9); }

inline StoredRecord EduPerson(int i) {
  StoredRecord record;
  record.local_id = SensitiveString(LocalId(i));
  record.identifiers = {{"first_name", SensitiveString(FirstName(i))},
                        {"last_name", SensitiveString(LastName(i))},
                        {"dob", SensitiveString(Dob(i))},
                        {"ssn", SensitiveString(Ssn(i))}};
  record.attributes = {{"program_code", SensitiveString(ProgramCode(i))},
                       {"gpa", SensitiveString("3.9")},
                       {"iep_status", SensitiveString("secret-iep")}};
  // Every third person has no grad_year (released as blank).
  if (i % 3 != 0)
    record.attributes.push_back({"grad_year", SensitiveString(GradYear(i))});
  return record;
}

// Every identifier value (and the local id) of person i.
inline std::vector<std::string> IdentifierValues(int i) {
  return {LocalId(i), FirstName(i), LastName(i), Dob(i), Ssn(i)};
}

}  // namespace fedlink::agent::release::testing

#endif  // FEDLINK_TESTS_UNIT_AGENT_RELEASE_TEST_UTIL_H_
