#include "tests/integration/e2e_test_data.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/integration/e2e_cluster.h"

namespace fedlink::e2e {
namespace {

namespace fs = std::filesystem;

// Letters of a seeded pseudo-random walk: distinct made-up words per seed,
// nothing a real name, a log line or a file format would contain.
std::string Word(uint32_t seed, int length) {
  std::string word;
  for (int k = 0; k < length; ++k) {
    seed = seed * 1103515245u + 12345u;
    word.push_back(static_cast<char>('a' + (seed >> 16) % 26));
  }
  return word;
}

}  // namespace

fs::path FebrlLinkageSchemaPath() {
  return fs::path(FEDLINK_SOURCE_DIR) / "deploy/examples/febrl-linkage-schema.yaml";
}

fs::path DefaultLinkageSchemaPath() {
  return fs::path(FEDLINK_SOURCE_DIR) / "deploy/examples/linkage-schema.yaml";
}

absl::StatusOr<std::string> FebrlIngestSchemaWithTruth() {
  const fs::path path = fs::path(FEDLINK_SOURCE_DIR) / "deploy/examples/febrl-ingest-schema.yaml";
  std::string schema = ReadFileBytes(path);
  if (schema.empty()) return absl::NotFoundError(path.string() + " is missing or empty");
  absl::StrAppend(&schema,
                  "\n# Test only: the FEBRL entity number as a releasable attribute (ground truth).\n"
                  "attributes:\n"
                  "  - {column: truth_entity, sensitivity: public, type: integer, min: 0,"
                  " max: 100000000}\n");
  return schema;
}

std::string FebrlCsv(const std::vector<testing::FebrlRecord>& records,
                     const std::string& local_id_prefix) {
  std::string csv =
      "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,"
      "date_of_birth,soc_sec_id,truth_entity\n";
  for (const testing::FebrlRecord& r : records) {
    for (const std::string* field :
         {&r.given_name, &r.surname, &r.street_number, &r.address_1, &r.address_2, &r.suburb,
          &r.postcode, &r.state, &r.date_of_birth, &r.soc_sec_id}) {
      if (field == &r.given_name) absl::StrAppend(&csv, CsvField(local_id_prefix + r.rec_id), ",");
      absl::StrAppend(&csv, CsvField(*field), ",");
    }
    absl::StrAppend(&csv, r.entity, "\n");
  }
  return csv;
}

absl::StatusOr<FebrlPairs> LoadFebrl4Pairs(size_t count) {
  absl::StatusOr<std::vector<testing::FebrlRecord>> a =
      testing::LoadFebrl(testing::FebrlPath("dataset4a.csv"));
  if (!a.ok()) return a.status();
  absl::StatusOr<std::vector<testing::FebrlRecord>> b =
      testing::LoadFebrl(testing::FebrlPath("dataset4b.csv"));
  if (!b.ok()) return b.status();
  std::map<std::string, const testing::FebrlRecord*> duplicate_of;
  for (const testing::FebrlRecord& r : *b) duplicate_of[r.entity] = &r;
  FebrlPairs pairs;
  for (const testing::FebrlRecord& r : *a) {
    if (pairs.originals.size() == count) break;
    auto it = duplicate_of.find(r.entity);
    if (it == duplicate_of.end()) continue;
    pairs.originals.push_back(r);
    pairs.duplicates.push_back(*it->second);
  }
  if (pairs.originals.size() != count) {
    return absl::NotFoundError(absl::StrCat("FEBRL4 holds only ", pairs.originals.size(),
                                            " pairs, ", count, " wanted"));
  }
  return pairs;
}

SyntheticPerson MakeSyntheticPerson(int number) {
  SyntheticPerson p;
  const auto n = static_cast<uint32_t>(number);
  p.number = number;
  p.given_name = Word(n * 2 + 1, 9);
  p.surname = Word(n * 2 + 100001, 11);
  const int year = 1930 + number % 70, month = 1 + number % 12, day = 1 + (number / 12) % 28;
  p.date_of_birth = absl::StrFormat("%04d-%02d-%02d", year, month, day);
  p.dob_normalised = absl::StrFormat("%04d%02d%02d", year, month, day);
  p.sex = std::string(1, number % 2 == 0 ? 'F' : 'M');
  const int ssn = 600000000 + number * 1013;
  p.ssn_normalised = absl::StrCat(ssn);
  p.ssn = absl::StrCat(p.ssn_normalised.substr(0, 3), "-", p.ssn_normalised.substr(3, 2), "-",
                       p.ssn_normalised.substr(5));
  p.postcode = absl::StrCat(10000 + (number * 37) % 89999);
  return p;
}

std::string SyntheticLocalId(const std::string& id_prefix, int number) {
  return absl::StrFormat("%s%07d", id_prefix, number * 7 + 3);
}

std::string SyntheticCsv(const std::vector<int>& people, const std::string& id_prefix) {
  static const char* const kPrograms[] = {"alpha", "beta", "gamma"};
  std::string csv = "RECORD_ID,FIRST_NAME,LAST_NAME,BIRTH_DATE,GENDER,SSN,ZIP,PROGRAM,TRUTH_PERSON\n";
  for (int number : people) {
    const SyntheticPerson p = MakeSyntheticPerson(number);
    absl::StrAppend(&csv, SyntheticLocalId(id_prefix, number), ",", p.given_name, ",", p.surname,
                    ",", p.date_of_birth, ",", p.sex, ",", p.ssn, ",", p.postcode, ",",
                    kPrograms[number % 3], ",", number, "\n");
  }
  return csv;
}

std::string SyntheticIngestSchema() {
  return R"(version: 1
local_id: {column: RECORD_ID}
identifiers:
  - {column: FIRST_NAME, role: first_name, required: true}
  - {column: LAST_NAME, role: last_name, required: true}
  - {column: BIRTH_DATE, role: dob, formats: ["%Y-%m-%d"], required: true}
  - {column: GENDER, role: sex}
  - {column: SSN, role: ssn}
  - {column: ZIP, role: postcode}
attributes:
  - {column: PROGRAM, name: program, sensitivity: internal, type: category,
     values: [alpha, beta, gamma]}
  # Test only: the person's number, the ground truth of the linkage.
  - {column: TRUTH_PERSON, name: truth_person, sensitivity: public, type: integer,
     min: 0, max: 1000000}
)";
}

std::vector<CanaryValue> SyntheticCanaries(const std::vector<int>& people,
                                           const std::string& id_prefix) {
  std::vector<CanaryValue> values;
  for (int number : people) {
    const SyntheticPerson p = MakeSyntheticPerson(number);
    for (const std::string& text : {p.given_name, p.surname, p.date_of_birth, p.ssn,
                                    SyntheticLocalId(id_prefix, number)}) {
      values.push_back({text, false});
    }
    values.push_back({p.dob_normalised, true});
    values.push_back({p.ssn_normalised, true});
  }
  return values;
}

absl::StatusOr<std::unique_ptr<E2eCluster>> StartSyntheticCluster(
    const std::vector<Holding>& holdings, ClusterOptions options) {
  options.agencies.clear();
  for (const Holding& holding : holdings) {
    options.agencies.emplace_back(holding.agency, SyntheticIngestSchema(),
                                  std::vector<std::string>{"program", "truth_person"});
  }
  absl::StatusOr<std::unique_ptr<E2eCluster>> cluster = E2eCluster::Create(options);
  if (!cluster.ok()) return cluster.status();
  for (const Holding& holding : holdings) {
    CommandResult ingest =
        (*cluster)->Ingest(holding.agency, SyntheticCsv(holding.people, holding.agency + "-"));
    if (ingest.exit_code != 0) {
      return absl::InternalError(absl::StrCat("ingest at ", holding.agency, ": ", ingest.Describe()));
    }
  }
  if (absl::Status s = (*cluster)->StartCoordinator(); !s.ok()) return s;
  if (absl::Status s = (*cluster)->StartAllAgents(); !s.ok()) return s;
  return cluster;
}

std::vector<int> Range(int from, int to) {
  std::vector<int> numbers;
  for (int i = from; i < to; ++i) numbers.push_back(i);
  return numbers;
}

}  // namespace fedlink::e2e
