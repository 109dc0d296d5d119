// Fixtures shared by the agent daemon tests: agency "edu"'s ingest schema,
// records, policy, a job spec edu and wages both allow, and partner wages's
// signer, so that a test can produce genuine approvals of every party.
#ifndef FEDLINK_TESTS_UNIT_AGENT_DAEMON_TEST_UTIL_H_
#define FEDLINK_TESTS_UNIT_AGENT_DAEMON_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/ingest/ingest_schema.h"
#include "agent/policy/agent_policy.h"
#include "agent/policy/decision_signer.h"
#include "agent/store/stored_record.h"
#include "fedlink/v1/coordinator.pb.h"
#include "gtest/gtest.h"
#include "proto/runtime/decision_verify.h"
#include "tests/unit/agent_policy_test_util.h"

namespace fedlink::agent::daemon::testing {

using policy::testing::TestAnalyst;
using policy::testing::TestKey;
using policy::testing::TestNow;

inline constexpr const char* kEduSchemaYaml = R"(
version: 1
local_id: {column: student_id}
identifiers:
  - {column: first, role: first_name}
  - {column: last, role: last_name}
  - {column: birth, role: dob, formats: ["%Y-%m-%d"]}
  - {column: sex, role: sex}
attributes:
  - {column: program_code, sensitivity: internal}
  - {column: grad_year, sensitivity: public, type: integer}
)";

inline ingest::IngestSchema EduSchema() {
  absl::StatusOr<ingest::IngestSchema> schema =
      ingest::ParseIngestSchemaYaml(kEduSchemaYaml, "edu-schema.yaml");
  EXPECT_TRUE(schema.ok()) << schema.status();
  return *schema;
}

// Person i's identifiers: strings a test can search produced bytes for.
inline std::string LocalId(int i) { return absl::StrCat("EDU-LOCAL-", 700000 + i); }
inline std::string FirstName(int i) { return absl::StrCat("zebediah", i); }
inline std::string LastName(int i) { return absl::StrCat("quarterfield", i); }

inline StoredRecord EduPerson(int i) {
  StoredRecord record;
  record.local_id = SensitiveString(LocalId(i));
  record.identifiers = {{"first_name", SensitiveString(FirstName(i))},
                        {"last_name", SensitiveString(LastName(i))},
                        {"dob", SensitiveString(absl::StrCat(19800101 + i % 28))},
                        {"sex", SensitiveString(i % 2 == 0 ? "F" : "M")}};
  record.attributes = {{"program_code", SensitiveString(absl::StrCat("prog-", i % 7))},
                       {"grad_year", SensitiveString(absl::StrCat(2010 + i % 9))}};
  return record;
}

// The CSV form of persons 0..n-1 for EduSchema (for ingest over the socket).
inline std::string EduCsv(int n) {
  std::string csv = "student_id,first,last,birth,sex,program_code,grad_year\n";
  for (int i = 0; i < n; ++i) {
    const int day = 1 + i % 28;
    absl::StrAppend(&csv, LocalId(i), ",", FirstName(i), ",", LastName(i), ",1980-01-",
                    day < 10 ? "0" : "", day, ",", i % 2 == 0 ? "F" : "M", ",prog-", i % 7, ",",
                    2010 + i % 9, "\n");
  }
  return csv;
}

// edu's policy (policy_test_util's, with its partner wages keyed by
// TestKey(2)) and a spec both agencies allow: edu's whole store (no cohort
// condition) linked with wages, tokens and Bloom filters, microdata.
inline policy::AgentPolicy EduPolicy() { return policy::testing::TestPolicy(); }

inline v1::JobSpec LinkSpec() {
  v1::JobSpec spec = policy::testing::TestSpec();
  spec.mutable_parties(0)->clear_cohort();
  return spec;
}

inline policy::AgentPolicy WagesPolicy() {
  policy::AgentPolicy policy = policy::testing::TestPolicy();
  policy.agency = "wages";
  policy.partners = {policy::Partner{"edu", TestKey(1).public_key()}};
  policy.columns = {"industry"};
  return policy;
}

// wages's genuine approval of `job_id` with spec bytes `spec_bytes`.
inline v1::SignedDecision WagesApproval(const std::string& job_id, const std::string& spec_bytes,
                                        uint8_t key_byte = 2) {
  std::unique_ptr<policy::DecisionSigner> wages =
      policy::DecisionSigner::Create("wages", TestKey(key_byte)).value();
  policy::ColumnClasses columns = {{"industry", ingest::Sensitivity::kPublic}};
  absl::StatusOr<v1::SignedDecision> approval =
      wages->Approve(policy::ReviewedJob{job_id, spec_bytes, TestAnalyst()}, "wendy", "",
                     WagesPolicy(), columns, TestNow());
  EXPECT_TRUE(approval.ok()) << approval.status();
  return *approval;
}

inline v1::WorkItem DecideItem(const std::string& job_id, const std::string& spec_bytes) {
  v1::WorkItem item;
  item.set_job_id(job_id);
  item.mutable_decide()->set_job_spec(spec_bytes);
  item.mutable_decide()->set_job_spec_sha256(proto::JobSpecSha256(spec_bytes));
  *item.mutable_decide()->mutable_analyst() = TestAnalyst();
  return item;
}

inline v1::WorkItem EncodeItem(const std::string& job_id, const std::string& spec_bytes,
                               std::vector<v1::SignedDecision> approvals,
                               uint64_t next_sequence = 0) {
  v1::WorkItem item;
  item.set_job_id(job_id);
  v1::EncodeJob* encode = item.mutable_encode();
  encode->set_job_spec(spec_bytes);
  encode->set_job_spec_sha256(proto::JobSpecSha256(spec_bytes));
  for (v1::SignedDecision& approval : approvals) *encode->add_approvals() = std::move(approval);
  encode->set_job_nonce(std::string(32, 'n'));
  encode->set_next_sequence(next_sequence);
  return item;
}

}  // namespace fedlink::agent::daemon::testing

#endif  // FEDLINK_TESTS_UNIT_AGENT_DAEMON_TEST_UTIL_H_
