// Fixtures shared by the agent policy tests: a policy for agency "edu", the
// column classes of its ingest schema and a job spec that satisfies both.
#ifndef FEDLINK_TESTS_UNIT_AGENT_POLICY_TEST_UTIL_H_
#define FEDLINK_TESTS_UNIT_AGENT_POLICY_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agent/policy/agent_policy.h"
#include "agent/policy/policy_check.h"
#include "fedlink/v1/common.pb.h"
#include "fedlink/v1/job.pb.h"
#include "linkage/crypto/ed25519.h"
#include "linkage/crypto/secret_bytes.h"
#include "linkage/schema/linkage_schema.h"
#include "proto/runtime/linkage_schema_proto.h"

namespace fedlink::agent::policy::testing {

// A deterministic key: the seed is 32 copies of `b`.
inline crypto::Ed25519PrivateKey TestKey(uint8_t b) {
  const std::vector<uint8_t> seed(crypto::kEd25519PrivateKeySize, b);
  return crypto::Ed25519PrivateKey::FromBytes(crypto::SecretBytes(seed)).value();
}

// The decision time of every test.
inline absl::Time TestNow() { return absl::FromUnixSeconds(1893456000); }  // 2030-01-01

inline AgentPolicy TestPolicy() {
  AgentPolicy policy;
  policy.agency = "edu";
  policy.partners.push_back(Partner{"wages", TestKey(2).public_key()});
  policy.partners.push_back(Partner{"health", TestKey(3).public_key()});
  policy.analysts = {"alice", "carol"};
  policy.columns = {"program_code", "grad_year", "gpa"};
  policy.max_sensitivity = ingest::Sensitivity::kInternal;
  policy.methods = {v1::LINKAGE_METHOD_TOKENS, v1::LINKAGE_METHOD_TOKENS_AND_BLOOM};
  policy.output_modes = {v1::OUTPUT_MODE_LINKED_MICRODATA, v1::OUTPUT_MODE_AGGREGATE};
  policy.max_cohort_size = 100000;
  policy.min_cell_count = 20;
  policy.max_job_duration = absl::Hours(24 * 365);
  return policy;
}

// edu's ingest schema attributes: gpa is allowed by name but confidential,
// iep_status is restricted and not allowed.
inline ColumnClasses TestColumns() {
  return {{"program_code", ingest::Sensitivity::kInternal},
          {"grad_year", ingest::Sensitivity::kPublic},
          {"gpa", ingest::Sensitivity::kConfidential},
          {"iep_status", ingest::Sensitivity::kRestricted}};
}

inline v1::Identity TestAnalyst(const std::string& name = "alice") {
  v1::Identity analyst;
  analyst.set_role(v1::ROLE_ANALYST);
  analyst.set_name(name);
  return analyst;
}

// A valid spec (proto/runtime limits) that TestPolicy allows at TestNow().
inline v1::JobSpec TestSpec() {
  v1::JobSpec spec;
  spec.set_title("Post-secondary outcomes of 2015 graduates");
  spec.set_purpose("Employment outcomes by programme.");
  spec.set_irb_reference("IRB-2024-017");
  spec.set_data_sharing_agreement("DSA-7");
  spec.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(TestNow() + absl::Hours(24 * 90)));
  v1::Party* edu = spec.add_parties();
  edu->set_agency("edu");
  edu->add_columns("program_code");
  edu->add_columns("grad_year");
  v1::CohortCondition* condition = edu->mutable_cohort()->add_all_of();
  condition->set_column("grad_year");
  condition->set_comparison(v1::COMPARISON_EQUAL);
  condition->set_compare_as(v1::VALUE_TYPE_NUMBER);
  condition->add_values("2015");
  v1::Party* wages = spec.add_parties();
  wages->set_agency("wages");
  wages->add_columns("industry");
  spec.set_method(v1::LINKAGE_METHOD_TOKENS_AND_BLOOM);
  *spec.mutable_linkage_schema() = proto::MakeLinkageSchemaSpec(schema::DefaultLinkageSchema());
  spec.mutable_match()->set_bloom_threshold(0.8);
  spec.set_output_mode(v1::OUTPUT_MODE_LINKED_MICRODATA);
  spec.mutable_analyst_key()->set_x25519_public_key(std::string(32, 'k'));
  spec.mutable_analyst_key()->set_aead(v1::HPKE_AEAD_AES_128_GCM);
  return spec;
}

}  // namespace fedlink::agent::policy::testing

#endif  // FEDLINK_TESTS_UNIT_AGENT_POLICY_TEST_UTIL_H_
