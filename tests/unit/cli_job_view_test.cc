// How `fedlink job status` and `job list` show jobs, as text and as JSON.
#include "coordinator/fedlink_cli/job_view.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kJobId[] = "j3f1c9a2e7b6d40158c2e9f0a1b3d5c7e";

v1::Job CompleteJob() {
  v1::Job job;
  job.set_job_id(kJobId);
  job.set_state(v1::JOB_STATE_COMPLETE);
  job.mutable_spec()->set_title("Graduates in college");
  job.mutable_submitted_at()->set_seconds(1796104800);  // 2026-12-01T06:00:00Z
  v1::PartyProgress* edu = job.add_parties();
  edu->set_agency("edu");
  edu->set_verdict(v1::VERDICT_APPROVE);
  edu->set_records_uploaded(93);
  edu->set_upload_complete(true);
  edu->set_assignments(80);
  edu->set_payload_chunks(2);
  edu->set_payload_complete(true);
  v1::PartyProgress* highered = job.add_parties();
  highered->set_agency("highered");
  highered->set_verdict(v1::VERDICT_APPROVE);
  highered->set_records_uploaded(40);
  v1::LinkageQualityReport* quality = job.mutable_quality();
  v1::PartyCount* records = quality->add_records_per_party();
  records->set_agency("edu");
  records->set_count(93);
  v1::PartyCount* linked = quality->add_linked_records_per_party();
  linked->set_agency("edu");
  linked->set_count(80);
  quality->set_clusters(82);
  return job;
}

TEST(FormatJobTest, ShowsStatePartiesAndAReadableQualityReport) {
  const std::string text = FormatJob(CompleteJob());
  EXPECT_THAT(text, HasSubstr(absl::StrCat("job ", kJobId, ": COMPLETE — complete: fetch with")));
  EXPECT_THAT(text, HasSubstr("  title: Graduates in college\n"));
  EXPECT_THAT(text, HasSubstr("submitted: 2026-12-01T06:00:00+00:00  updated: -"));
  EXPECT_THAT(text, HasSubstr("  edu                  approve   93           done     80          2 "));
  EXPECT_THAT(text, HasSubstr("  highered             approve   40           -        0           0+"));
  EXPECT_THAT(text, HasSubstr("  quality report:\n    AGENCY"));
  EXPECT_THAT(text, HasSubstr("    edu            93         80  (86.0%)\n"));
  EXPECT_THAT(text, HasSubstr("    clusters (research ids): 82\n"));
  // Not protobuf text format any more.
  EXPECT_THAT(text, Not(HasSubstr("records_per_party {")));
}

TEST(FormatJobTest, ADeniedJobShowsTheStewardsReason) {
  v1::Job job = CompleteJob();
  job.set_state(v1::JOB_STATE_DENIED);
  job.set_state_reason("denied by edu");
  job.clear_quality();
  job.mutable_parties(0)->set_verdict(v1::VERDICT_DENY);
  job.mutable_parties(0)->set_decision_reason("outside our policy");
  job.mutable_parties(1)->set_verdict(v1::VERDICT_UNSPECIFIED);
  const std::string text = FormatJob(job);
  EXPECT_THAT(text, HasSubstr(": DENIED — denied: denied by edu\n"));
  EXPECT_THAT(text, HasSubstr("  edu                  deny "));
  EXPECT_THAT(text, HasSubstr("    reason: outside our policy\n"));
  EXPECT_THAT(text, HasSubstr("  highered             pending "));
  EXPECT_THAT(text, Not(HasSubstr("quality report")));
}

TEST(JobJsonTest, CarriesTheSameContent) {
  const nlohmann::ordered_json json = JobJson(CompleteJob());
  EXPECT_EQ(json["job_id"], kJobId);
  EXPECT_EQ(json["state"], "COMPLETE");
  EXPECT_EQ(json["title"], "Graduates in college");
  EXPECT_EQ(json["submitted_at"], "2026-12-01T06:00:00+00:00");
  EXPECT_TRUE(json["updated_at"].is_null());
  ASSERT_EQ(json["parties"].size(), 2u);
  EXPECT_EQ(json["parties"][0]["agency"], "edu");
  EXPECT_EQ(json["parties"][0]["decision"], "approve");
  EXPECT_EQ(json["parties"][0]["records_uploaded"], 93);
  EXPECT_EQ(json["parties"][0]["upload_complete"], true);
  EXPECT_EQ(json["parties"][1]["payload_complete"], false);
  EXPECT_EQ(json["quality"]["clusters"], 82);
  EXPECT_EQ(json["quality"]["records_per_party"][0]["linked"], 80);

  v1::Job pending = CompleteJob();
  pending.set_state(v1::JOB_STATE_PENDING_APPROVAL);
  pending.clear_quality();
  const nlohmann::ordered_json waiting = JobJson(pending);
  EXPECT_EQ(waiting["state"], "PENDING_APPROVAL");
  EXPECT_TRUE(waiting["quality"].is_null());
}

TEST(JobListTest, TableAndJsonListEveryJob) {
  std::vector<v1::JobSummary> jobs(2);
  jobs[0].set_job_id(kJobId);
  jobs[0].set_title("Graduates in college");
  jobs[0].set_state(v1::JOB_STATE_MATCHING);
  jobs[0].set_output_mode(v1::OUTPUT_MODE_AGGREGATE);
  jobs[0].add_agencies("edu");
  jobs[0].add_agencies("highered");
  jobs[0].add_records_per_party(93);
  jobs[0].add_records_per_party(40);
  jobs[1].set_job_id("j00000000000000000000000000000001");
  jobs[1].set_title("Second");
  jobs[1].set_state(v1::JOB_STATE_PURGED);

  const std::string text = FormatJobList(jobs);
  EXPECT_THAT(text, HasSubstr("JOB "));
  EXPECT_THAT(text, HasSubstr(absl::StrCat(kJobId, "  MATCHING ")));
  EXPECT_THAT(text, HasSubstr("Graduates in college\n"));
  EXPECT_THAT(text, HasSubstr("PURGED"));

  const nlohmann::ordered_json json = JobListJson(jobs);
  ASSERT_EQ(json["jobs"].size(), 2u);
  EXPECT_EQ(json["jobs"][0]["state"], "MATCHING");
  EXPECT_EQ(json["jobs"][0]["output_mode"], "aggregate");
  EXPECT_EQ(json["jobs"][0]["parties"][1],
            nlohmann::ordered_json({{"agency", "highered"}, {"records_uploaded", 40}}));
  EXPECT_EQ(json["jobs"][1]["title"], "Second");
  EXPECT_TRUE(JobListJson({})["jobs"].empty());
}

}  // namespace
}  // namespace fedlink::cli
