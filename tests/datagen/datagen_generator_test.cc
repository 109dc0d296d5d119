// End-to-end properties of generated data sets, checked on the rows in
// memory and on the files WriteDataset produces.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/datagen/csv.h"
#include "tests/datagen/date.h"
#include "tests/datagen/generator.h"
#include "tests/datagen/person.h"
#include "tests/datagen/presets.h"
#include "tests/datagen/test_util.h"
#include "tests/datagen/writer.h"

namespace fedlink::datagen {
namespace {

using ::fedlink::datagen::testing::IsValidUtf8;
using ::fedlink::datagen::testing::MakeGenerator;
using ::fedlink::datagen::testing::ReadFile;
using ::fedlink::datagen::testing::ScopedDirectory;

using Table = std::vector<std::vector<std::string>>;

// Every row of a party, in file order.
std::vector<GeneratedRecord> Rows(const DatasetGenerator& generator, size_t party) {
  std::vector<GeneratedRecord> rows;
  GeneratedRecord record;
  for (uint64_t p = 0; p < generator.PositionCount(party); ++p) {
    if (generator.Generate(party, p, &record)) rows.push_back(record);
  }
  return rows;
}

size_t ColumnOf(const PartySpec& party, Field field) {
  for (size_t c = 0; c < party.columns.size(); ++c) {
    if (party.columns[c].field == field) return c;
  }
  return party.columns.size();
}

uint64_t Fnv1a(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

struct WrittenDataset {
  DatasetSummary summary;
  std::map<std::string, Table> files;  // file name → parsed rows (header first)
  std::string bytes;                   // every file's bytes, in a fixed order
};

WrittenDataset Write(const DatasetGenerator& generator, const std::filesystem::path& dir,
                     int threads = 1) {
  WrittenDataset out;
  WriteOptions options;
  options.threads = threads;
  auto summary = WriteDataset(generator, dir.string(), options);
  EXPECT_TRUE(summary.ok()) << summary.status();
  if (!summary.ok()) return out;
  out.summary = *summary;
  const std::string_view line_end = generator.config().crlf ? "\r\n" : "\n";
  std::vector<std::string> names;
  for (const PartySpec& party : generator.config().parties) names.push_back(party.name + ".csv");
  names.emplace_back(kGroundTruthFile);
  for (const std::string& name : names) {
    const std::string text = ReadFile(dir / name);
    out.bytes += text;
    auto parsed = ParseCsv(text, line_end);
    EXPECT_TRUE(parsed.ok()) << name << ": " << parsed.status();
    if (parsed.ok()) out.files[name] = *std::move(parsed);
  }
  out.bytes += ReadFile(dir / kManifestFile);
  return out;
}

PresetOptions Options(uint64_t seed, uint64_t size) {
  PresetOptions options;
  options.seed = seed;
  options.size = size;
  return options;
}

TEST(GeneratorTest, SameSeedGivesIdenticalRows) {
  auto a = MakeGenerator("pair", Options(42, 2000));
  auto b = MakeGenerator("pair", Options(42, 2000));
  for (size_t party = 0; party < 2; ++party) {
    const auto rows_a = Rows(*a, party), rows_b = Rows(*b, party);
    ASSERT_EQ(rows_a.size(), rows_b.size());
    for (size_t i = 0; i < rows_a.size(); ++i) {
      ASSERT_EQ(rows_a[i].values, rows_b[i].values) << "row " << i;
      ASSERT_EQ(rows_a[i].entity, rows_b[i].entity);
    }
  }
}

TEST(GeneratorTest, DifferentSeedGivesDifferentRows) {
  auto a = MakeGenerator("pair", Options(42, 2000));
  auto b = MakeGenerator("pair", Options(43, 2000));
  const auto rows_a = Rows(*a, 0), rows_b = Rows(*b, 0);
  ASSERT_EQ(rows_a.size(), rows_b.size());
  size_t same = 0;
  for (size_t i = 0; i < rows_a.size(); ++i) same += rows_a[i].values == rows_b[i].values;
  EXPECT_EQ(same, 0u);
}

TEST(GeneratorTest, SameSeedGivesByteIdenticalFilesForAnyThreadCount) {
  auto generator = MakeGenerator("agencies", Options(9, 3000));
  ScopedDirectory one("threads1"), four("threads4");
  const WrittenDataset a = Write(*generator, one.path(), 1);
  const WrittenDataset b = Write(*generator, four.path(), 4);
  ASSERT_FALSE(a.bytes.empty());
  EXPECT_EQ(a.bytes, b.bytes);
}

// Guards cross-platform and cross-version stability: all randomness is
// integer SplitMix64, so these bytes must not change on any platform. A
// deliberate change to the tables or the model changes this digest; update
// it in the same commit and say so.
TEST(GeneratorTest, OutputMatchesRecordedDigestForFixedSeed) {
  ScopedDirectory pair_dir("digest_pair"), agencies_dir("digest_agencies");
  const WrittenDataset pair = Write(*MakeGenerator("pair", Options(2024, 500)), pair_dir.path());
  const WrittenDataset agencies =
      Write(*MakeGenerator("agencies", Options(2024, 500)), agencies_dir.path());
  EXPECT_EQ(Fnv1a(pair.bytes), 0xedd1ecdfddd9e0a9ULL) << std::hex << Fnv1a(pair.bytes);
  EXPECT_EQ(Fnv1a(agencies.bytes), 0x05535d21d29a84c1ULL) << std::hex << Fnv1a(agencies.bytes);
}

TEST(GeneratorTest, PairOverlapIsExactAndLocalIdsAreUnique) {
  PresetOptions options = Options(5, 4000);
  options.overlap = 0.3;
  auto generator = MakeGenerator("pair", options);
  ScopedDirectory dir("pair_overlap");
  const WrittenDataset written = Write(*generator, dir.path());
  const Table& truth = written.files.at("ground_truth.csv");
  ASSERT_EQ(truth.front(), (std::vector<std::string>{"party", "local_id", "entity_id"}));
  std::map<std::string, std::set<std::string>> entities;
  std::set<std::pair<std::string, std::string>> ids;
  for (size_t i = 1; i < truth.size(); ++i) {
    EXPECT_TRUE(ids.insert({truth[i][0], truth[i][1]}).second) << "local id twice: " << truth[i][1];
    entities[truth[i][0]].insert(truth[i][2]);
  }
  EXPECT_EQ(entities["a"].size(), 4000u);
  EXPECT_EQ(entities["b"].size(), 4000u);
  std::vector<std::string> shared;
  std::set_intersection(entities["a"].begin(), entities["a"].end(), entities["b"].begin(),
                        entities["b"].end(), std::back_inserter(shared));
  EXPECT_EQ(shared.size(), 1200u);
  ASSERT_EQ(written.summary.overlaps.size(), 1u);
  EXPECT_EQ(written.summary.overlaps[0].persons, 1200u);
}

TEST(GeneratorTest, GroundTruthListsEveryRowOfEveryFileInOrder) {
  PresetOptions options = Options(6, 1500);
  options.duplicate_rate = 0.05;
  auto generator = MakeGenerator("three", options);
  ScopedDirectory dir("truth_order");
  const WrittenDataset written = Write(*generator, dir.path());
  const Table& truth = written.files.at("ground_truth.csv");
  size_t t = 1;
  for (const PartySpec& party : generator->config().parties) {
    const Table& rows = written.files.at(party.name + ".csv");
    const size_t id = ColumnOf(party, Field::kLocalId);
    for (size_t r = 1; r < rows.size(); ++r, ++t) {
      ASSERT_LT(t, truth.size());
      EXPECT_EQ(truth[t][0], party.name);
      EXPECT_EQ(truth[t][1], rows[r][id]);
    }
  }
  EXPECT_EQ(t, truth.size());
  for (const PartySummary& party : written.summary.parties) {
    EXPECT_EQ(party.duplicate_rows, 75u) << party.name;
    EXPECT_EQ(party.rows, 1575u) << party.name;
  }
}

TEST(GeneratorTest, EvalKeysAreUniqueAndListedInTheGroundTruth) {
  PresetOptions options = Options(7, 400);
  options.eval_keys = true;
  auto with_keys = MakeGenerator("agencies", options);
  options.eval_keys = false;
  auto without_keys = MakeGenerator("agencies", options);
  ScopedDirectory dir("eval_keys"), plain_dir("no_eval_keys");
  const WrittenDataset written = Write(*with_keys, dir.path());
  const WrittenDataset plain = Write(*without_keys, plain_dir.path());
  const Table& truth = written.files.at("ground_truth.csv");
  ASSERT_FALSE(truth.empty());
  EXPECT_EQ(truth[0], (std::vector<std::string>{"party", "local_id", "entity_id", "eval_key"}));
  EXPECT_EQ(plain.files.at("ground_truth.csv")[0],
            (std::vector<std::string>{"party", "local_id", "entity_id"}));

  std::set<std::string> keys;
  size_t t = 1;
  for (size_t p = 0; p < with_keys->config().parties.size(); ++p) {
    const PartySpec& party = with_keys->config().parties[p];
    ASSERT_EQ(party.columns.back().name, "eval_key") << party.name;
    const Table& rows = written.files.at(party.name + ".csv");
    const Table& plain_rows = plain.files.at(party.name + ".csv");
    ASSERT_EQ(rows.size(), plain_rows.size()) << party.name;
    for (size_t r = 0; r < rows.size(); ++r) {
      // The other columns are those of the data set without keys.
      ASSERT_EQ(std::vector<std::string>(rows[r].begin(), rows[r].end() - 1), plain_rows[r]);
      if (r == 0) continue;
      const std::string& key = rows[r].back();
      EXPECT_EQ(key.size(), 15u);
      EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
      EXPECT_TRUE(keys.insert(key).second) << "repeated eval_key " << key;
      ASSERT_LT(t, truth.size());
      EXPECT_EQ(truth[t][0], party.name);
      EXPECT_EQ(truth[t][3], key);
      ++t;
    }
  }
  EXPECT_EQ(t, truth.size());
  EXPECT_NE(ReadFile(dir.path() / kManifestFile)
                .find("columns: [party, local_id, entity_id, eval_key]"),
            std::string::npos);
}

TEST(GeneratorTest, ThreePartyOverlapsFollowIndependentMembership) {
  PresetOptions options = Options(8, 10000);
  options.overlap = 0.4;
  auto generator = MakeGenerator("three", options);
  ScopedDirectory dir("three");
  const WrittenDataset written = Write(*generator, dir.path());
  std::map<std::string, std::set<std::string>> entities;
  const Table& truth = written.files.at("ground_truth.csv");
  for (size_t i = 1; i < truth.size(); ++i) entities[truth[i][0]].insert(truth[i][2]);
  const auto shared = [&](std::initializer_list<const char*> parties) {
    size_t count = 0;
    for (const std::string& e : entities["a"]) {
      bool all = true;
      for (const char* p : parties) all &= entities[p].count(e) > 0;
      count += all;
    }
    return count;
  };
  EXPECT_EQ(entities["a"].size(), 10000u);
  EXPECT_EQ(entities["b"].size(), 10000u);
  EXPECT_EQ(entities["c"].size(), 10000u);
  EXPECT_EQ(shared({"b"}), 4000u);
  EXPECT_EQ(shared({"c"}), 4000u);
  EXPECT_EQ(shared({"b", "c"}), 1600u);
}

TEST(GeneratorTest, RowsOrderDoesNotFollowEntityOrder) {
  auto generator = MakeGenerator("pair", Options(10, 20000));
  const auto rows = Rows(*generator, 0);
  size_t ascending = 0;
  for (size_t i = 1; i < rows.size(); ++i) ascending += rows[i].entity > rows[i - 1].entity;
  EXPECT_NEAR(static_cast<double>(ascending) / static_cast<double>(rows.size()), 0.5, 0.02);
}

// A row without corruption is exactly the clean rendering of the person, and
// a row with corruption differs from it.
TEST(GeneratorTest, CorruptionMaskExplainsEveryDifferenceFromCleanRows) {
  for (const char* preset : {"pair", "agencies"}) {
    auto noisy = MakeGenerator(preset, Options(11, 3000));
    PresetOptions clean_options = Options(11, 3000);
    clean_options.error_scale = 0.0;
    auto clean = MakeGenerator(preset, clean_options);
    for (size_t party = 0; party < noisy->config().parties.size(); ++party) {
      GeneratedRecord a, b;
      size_t corrupted = 0, rows = 0;
      for (uint64_t p = 0; p < noisy->PositionCount(party); ++p) {
        const bool has_a = noisy->Generate(party, p, &a);
        ASSERT_EQ(has_a, clean->Generate(party, p, &b));
        if (!has_a) continue;
        ++rows;
        ASSERT_EQ(a.entity, b.entity);
        EXPECT_EQ(b.corruptions, 0u);
        if (a.corruptions == 0) {
          EXPECT_EQ(a.values, b.values) << preset << " party " << party << " row " << p;
        } else {
          ++corrupted;
          EXPECT_NE(a.values, b.values)
              << preset << " party " << party << " row " << p << " corruptions " << a.corruptions;
        }
      }
      EXPECT_GT(corrupted, rows / 10) << preset << " party " << party;
    }
  }
}

// Rates of corruptions that (almost) always find something to change are
// met within 5 standard deviations; conditional ones happen, less often.
TEST(GeneratorTest, CorruptionRatesAreWithinTolerance) {
  PresetOptions options = Options(12, 20000);
  options.rate_overrides = {{Corruption::kTypo, 0.2}, {Corruption::kMissing, 0.1}};
  auto generator = MakeGenerator("pair", options);
  const CorruptionRates& rates = generator->config().parties[0].corruption;
  ASSERT_EQ(rates[Corruption::kTypo], 0.2);
  for (size_t party = 0; party < 2; ++party) {
    std::array<size_t, kCorruptionCount> counts{};
    const auto rows = Rows(*generator, party);
    for (const GeneratedRecord& row : rows) {
      for (int k = 0; k < kCorruptionCount; ++k)
        counts[static_cast<size_t>(k)] += row.Has(static_cast<Corruption>(k));
    }
    const double n = static_cast<double>(rows.size());
    for (Corruption kind :
         {Corruption::kTypo, Corruption::kMissing, Corruption::kMoved, Corruption::kWhitespace,
          Corruption::kCase, Corruption::kIdTypo, Corruption::kNameSwap, Corruption::kOcr}) {
      const double p = rates[kind];
      const double sigma = std::sqrt(n * p * (1 - p));
      EXPECT_NEAR(static_cast<double>(counts[static_cast<size_t>(kind)]), n * p, 5 * sigma + 2)
          << CorruptionName(kind) << " party " << party;
    }
    // Date typos rarely fail to find a valid alternative.
    const double date_typo = rates[Corruption::kDateTypo] * n;
    EXPECT_NEAR(static_cast<double>(counts[static_cast<size_t>(Corruption::kDateTypo)]), date_typo,
                5 * std::sqrt(date_typo) + 2);
    for (Corruption kind : {Corruption::kNickname, Corruption::kAccentStrip,
                            Corruption::kSurnameChange, Corruption::kDateSwap}) {
      const size_t count = counts[static_cast<size_t>(kind)];
      EXPECT_GT(count, 0u) << CorruptionName(kind);
      EXPECT_LT(static_cast<double>(count), rates[kind] * n) << CorruptionName(kind);
    }
  }
}

TEST(GeneratorTest, MostTruePairsDifferInAtMostTwoPlaces) {
  auto generator = MakeGenerator("pair", Options(13, 20000));
  std::map<uint64_t, int> errors;  // entity → corruptions summed over both parties
  std::map<uint64_t, int> parties;
  for (size_t party = 0; party < 2; ++party) {
    for (const GeneratedRecord& row : Rows(*generator, party)) {
      errors[row.entity] += std::popcount(row.corruptions);
      ++parties[row.entity];
    }
  }
  size_t pairs = 0, at_most_two = 0, none = 0;
  for (const auto& [entity, count] : parties) {
    if (count != 2) continue;
    ++pairs;
    at_most_two += errors[entity] <= 2;
    none += errors[entity] == 0;
  }
  ASSERT_EQ(pairs, 10000u);
  EXPECT_GT(static_cast<double>(at_most_two) / static_cast<double>(pairs), 0.9);
  EXPECT_GT(static_cast<double>(none) / static_cast<double>(pairs), 0.25);
  EXPECT_LT(static_cast<double>(none) / static_cast<double>(pairs), 0.75);
}

// Every file of every preset: well-formed CSV (checked by Write), valid
// UTF-8, header = declared columns, dates in the declared format or blank,
// SSNs valid or blank.
TEST(GeneratorTest, EveryWrittenValueHasItsDeclaredFormat) {
  for (std::string_view preset : PresetNames()) {
    PresetOptions options = Options(14, 3000);
    options.error_scale = 3.0;  // many corruptions, to exercise their formats
    auto generator = MakeGenerator(preset, options);
    ScopedDirectory dir(preset);
    const WrittenDataset written = Write(*generator, dir.path());
    EXPECT_TRUE(IsValidUtf8(written.bytes)) << preset;
    size_t dates = 0, blanks = 0;
    for (const PartySpec& party : generator->config().parties) {
      const Table& rows = written.files.at(party.name + ".csv");
      ASSERT_FALSE(rows.empty());
      std::vector<std::string> header;
      for (const ColumnSpec& column : party.columns) header.push_back(column.name);
      EXPECT_EQ(rows.front(), header);
      const size_t dob = ColumnOf(party, Field::kDateOfBirth);
      const size_t ssn = ColumnOf(party, Field::kSsn);
      for (size_t r = 1; r < rows.size(); ++r) {
        if (dob < header.size()) {
          const std::string& value = rows[r][dob];
          if (value.empty()) {
            ++blanks;
          } else {
            ++dates;
            EXPECT_TRUE(ParseDate(value, party.date_format).has_value())
                << preset << "/" << party.name << " row " << r << ": " << value;
          }
        }
        if (ssn < header.size() && !rows[r][ssn].empty()) {
          std::string digits = rows[r][ssn];
          if (party.ssn_style == SsnStyle::kDashed) {
            ASSERT_EQ(digits.size(), 11u) << digits;
            EXPECT_TRUE(digits[3] == '-' && digits[6] == '-') << digits;
            digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
          }
          ASSERT_EQ(digits.size(), 9u) << digits;
          EXPECT_TRUE(IsValidSsn(static_cast<uint32_t>(std::stoul(digits)))) << digits;
        }
      }
    }
    EXPECT_GT(dates, 1000u) << preset;
    EXPECT_GT(blanks, 0u) << preset;  // some dates are intentionally missing
  }
}

TEST(GeneratorTest, CleanSsnsAreUniquePerPerson) {
  PresetOptions options = Options(15, 20000);
  options.error_scale = 0.0;
  auto generator = MakeGenerator("pair", options);
  std::map<std::string, uint64_t> owner;
  const size_t ssn = ColumnOf(generator->config().parties[0], Field::kSsn);
  for (const GeneratedRecord& row : Rows(*generator, 0)) {
    const auto [it, inserted] = owner.emplace(row.values[ssn], row.entity);
    EXPECT_TRUE(inserted || it->second == row.entity) << "SSN shared by two persons";
  }
}

TEST(GeneratorTest, AgenciesTellAConsistentStory) {
  PresetOptions options = Options(16, 20000);
  options.error_scale = 0.0;
  auto generator = MakeGenerator("agencies", options);
  const DatasetConfig& config = generator->config();
  ASSERT_EQ(config.parties.size(), 3u);
  std::map<uint64_t, int> k12, higher_ed, wages;
  std::map<uint64_t, std::set<std::string>> quarters;

  const PartySpec& school = config.parties[0];
  for (const GeneratedRecord& row : Rows(*generator, 0)) {
    ++k12[row.entity];
    const int year = std::stoi(row.values[ColumnOf(school, Field::kGraduationYear)]);
    EXPECT_GE(year, 2016);
    EXPECT_LE(year, 2018);
    const auto dob =
        ParseDate(row.values[ColumnOf(school, Field::kDateOfBirth)], school.date_format);
    ASSERT_TRUE(dob.has_value());
    EXPECT_GE(year - dob->year, 17);  // graduates are 17–20 in June of the year
    EXPECT_LE(year - dob->year, 20);
    EXPECT_FALSE(row.values[ColumnOf(school, Field::kDistrict)].empty());
  }
  const PartySpec& college = config.parties[1];
  for (const GeneratedRecord& row : Rows(*generator, 1)) {
    ++higher_ed[row.entity];
    EXPECT_FALSE(row.values[ColumnOf(college, Field::kInstitution)].empty());
  }
  const PartySpec& employment = config.parties[2];
  for (const GeneratedRecord& row : Rows(*generator, 2)) {
    ++wages[row.entity];
    const std::string& quarter = row.values[ColumnOf(employment, Field::kQuarter)];
    EXPECT_TRUE(quarters[row.entity].insert(quarter).second) << "quarter twice for one person";
    ASSERT_EQ(quarter.size(), 6u);
    EXPECT_GE(quarter, "2019Q1");
    EXPECT_LE(quarter, "2021Q4");
    const std::string& surname = row.values[ColumnOf(employment, Field::kSurname)];
    for (char c : surname) EXPECT_FALSE(c >= 'a' && c <= 'z') << surname;  // upper-case system
  }
  for (const auto& [entity, count] : higher_ed) EXPECT_LE(count, 2);
  for (const auto& [entity, count] : wages) EXPECT_LE(count, kWageQuarters);

  // Graduates: all in k12 (plus 1% duplicate rows); ~62% enrolled, ~82% employed.
  size_t graduates = 0, enrolled = 0, employed = 0;
  for (const auto& [entity, count] : k12) {
    ++graduates;
    enrolled += higher_ed.count(entity);
    employed += wages.count(entity);
  }
  EXPECT_EQ(graduates, 10000u);
  EXPECT_NEAR(static_cast<double>(enrolled) / static_cast<double>(graduates), 0.62, 0.005);
  EXPECT_NEAR(static_cast<double>(employed) / static_cast<double>(graduates), 0.82, 0.005);
  size_t k12_rows = 0;
  for (const auto& [entity, count] : k12) k12_rows += static_cast<size_t>(count);
  EXPECT_EQ(k12_rows, 10100u);
  // People only in higher education or employment exist too.
  size_t outsiders = 0;
  for (const auto& [entity, count] : wages) outsiders += k12.count(entity) == 0;
  EXPECT_GT(outsiders, 5000u);
}

TEST(GeneratorTest, EmploymentDatesUseMonthAbbreviations) {
  auto generator = MakeGenerator("agencies", Options(17, 500));
  const PartySpec& employment = generator->config().parties[2];
  ASSERT_EQ(employment.date_format, "%d-%b-%Y");
  GeneratedRecord row;
  uint64_t p = 0;
  while (!generator->Generate(2, p, &row)) ++p;
  const std::string& date = row.values[ColumnOf(employment, Field::kDateOfBirth)];
  if (!date.empty()) {
    EXPECT_TRUE(ParseDate(date, "%d-%b-%Y").has_value()) << date;
  }
}

TEST(WriterTest, RefusesToOverwriteUnlessAsked) {
  auto generator = MakeGenerator("pair", Options(18, 50));
  ScopedDirectory dir("overwrite");
  ASSERT_TRUE(WriteDataset(*generator, dir.path().string()).ok());
  const auto again = WriteDataset(*generator, dir.path().string());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  WriteOptions options;
  options.overwrite = true;
  EXPECT_TRUE(WriteDataset(*generator, dir.path().string(), options).ok());
  // No temporary files are left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST(WriterTest, LfOptionChangesOnlyLineEnds) {
  PresetOptions options = Options(19, 200);
  auto crlf = MakeGenerator("pair", options);
  options.crlf = false;
  auto lf = MakeGenerator("pair", options);
  ScopedDirectory a("crlf"), b("lf");
  ASSERT_TRUE(WriteDataset(*crlf, a.path().string()).ok());
  ASSERT_TRUE(WriteDataset(*lf, b.path().string()).ok());
  std::string with_crlf = ReadFile(a.path() / "a.csv");
  with_crlf.erase(std::remove(with_crlf.begin(), with_crlf.end(), '\r'), with_crlf.end());
  EXPECT_EQ(with_crlf, ReadFile(b.path() / "a.csv"));
}

TEST(WriterTest, SummaryNamesPartiesAndCorruptions) {
  auto generator = MakeGenerator("pair", Options(20, 300));
  ScopedDirectory dir("summary");
  const auto summary = WriteDataset(*generator, dir.path().string());
  ASSERT_TRUE(summary.ok());
  const std::string text = FormatSummary(generator->config(), *summary);
  EXPECT_NE(text.find("a & b"), std::string::npos) << text;
  EXPECT_NE(text.find("surname_change"), std::string::npos) << text;
  EXPECT_NE(text.find("ground_truth.csv"), std::string::npos) << text;
  const std::string manifest = ReadFile(dir.path() / kManifestFile);
  EXPECT_NE(manifest.find("date_format: \"%m/%d/%Y\""), std::string::npos) << manifest;
}

TEST(ConfigTest, RejectsInvalidConfigsNamingTheCulprit) {
  auto config = MakePresetConfig("pair", Options(1, 20));
  ASSERT_TRUE(config.ok());
  DatasetConfig two_ids = *config;
  two_ids.parties[1].columns.push_back({"other_id", Field::kLocalId});
  EXPECT_NE(ValidateConfig(two_ids).message().find("parties[1] (b)"), std::string::npos)
      << ValidateConfig(two_ids);
  DatasetConfig bad_date = *config;
  bad_date.parties[0].date_format = "%Y-%m";
  EXPECT_NE(ValidateConfig(bad_date).message().find("date_format"), std::string::npos);
  DatasetConfig bad_mask = *config;
  bad_mask.regions[0].party_mask = 0b100;
  EXPECT_FALSE(ValidateConfig(bad_mask).ok());
  DatasetConfig bad_rate = *config;
  bad_rate.parties[0].corruption[Corruption::kTypo] = 1.5;
  EXPECT_NE(ValidateConfig(bad_rate).message().find("typo"), std::string::npos);
  DatasetConfig short_ids = *config;
  short_ids.parties[0].id_digits = 1;  // 10 ids for 20 rows
  EXPECT_FALSE(DatasetGenerator::Create(short_ids).ok());
  EXPECT_FALSE(MakePresetConfig("four", Options(1, 10)).ok());
  PresetOptions bad_overlap = Options(1, 10);
  bad_overlap.overlap = 1.5;
  EXPECT_FALSE(MakePresetConfig("pair", bad_overlap).ok());
}

}  // namespace
}  // namespace fedlink::datagen
