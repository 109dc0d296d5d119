// The quarantine file: mode 0600 whatever the umask, no overwrite, no
// symbolic links or FIFOs, and rows that read back exactly with the CSV
// reader.
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "agent/ingest/csv_reader.h"
#include "agent/ingest/quarantine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fedlink::agent::ingest {
namespace {

using ::testing::HasSubstr;

class QuarantineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "quarantine-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  static mode_t ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::string dir_;
};

TEST_F(QuarantineTest, CreatesAPrivateFileWithAHeader) {
  const mode_t old_umask = ::umask(0);  // even a permissive umask
  auto writer = QuarantineWriter::Create(Path("q.csv"));
  ::umask(old_umask);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_EQ(ModeOf(Path("q.csv")), 0600u);
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ(ReadFile(Path("q.csv")), "line,reasons,details,raw\n");
}

TEST_F(QuarantineTest, RowsReadBackExactly) {
  auto writer = QuarantineWriter::Create(Path("q.csv"));
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::string raw1 = "s1,\"O'Brien, \"\"Pat\"\"\",2001-02-30";
  const std::string raw2 = "s2,\"two\r\nlines\",\xFF";
  ASSERT_TRUE((*writer)
                  ->Write(7,
                          {Problem{"dob", Reason::kImpossibleDate,
                                   "date: day does not exist"}},
                          raw1)
                  .ok());
  ASSERT_TRUE((*writer)
                  ->Write(9,
                          {Problem{"", Reason::kWrongColumnCount, "3 fields"},
                           Problem{"note", Reason::kInvalidUtf8, "not UTF-8"}},
                          raw2)
                  .ok());
  EXPECT_EQ((*writer)->rows_written(), 2u);
  ASSERT_TRUE((*writer)->Close().ok());

  std::ifstream in(Path("q.csv"), std::ios::binary);
  auto reader = CsvReader::Create(&in, {});
  ASSERT_TRUE(reader.ok());
  CsvRecord record;
  ASSERT_TRUE(*(*reader)->Next(&record));
  ASSERT_EQ(record.size(), 4u);
  EXPECT_EQ(record[0], "line");
  ASSERT_TRUE(*(*reader)->Next(&record));
  ASSERT_EQ(record.size(), 4u);
  EXPECT_EQ(record[0], "7");
  EXPECT_EQ(record[1], "dob:impossible_date");
  EXPECT_EQ(record[2], "dob: date: day does not exist");
  EXPECT_EQ(record[3], raw1);
  ASSERT_TRUE(*(*reader)->Next(&record));
  ASSERT_EQ(record.size(), 4u);
  EXPECT_EQ(record[0], "9");
  EXPECT_EQ(record[1], "wrong_column_count|note:invalid_utf8");
  EXPECT_EQ(record[2], "3 fields; note: not UTF-8");
  EXPECT_EQ(record[3], raw2);
  EXPECT_FALSE(*(*reader)->Next(&record));
}

TEST_F(QuarantineTest, FlushWritesThrough) {
  auto writer = QuarantineWriter::Create(Path("q.csv"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Write(2, {}, "a,b").ok());
  ASSERT_TRUE((*writer)->Flush().ok());
  EXPECT_THAT(ReadFile(Path("q.csv")), HasSubstr("2,,,\"a,b\"\n"));
}

TEST_F(QuarantineTest, RefusesAnExistingFileUnlessReplacing) {
  { std::ofstream(Path("q.csv")) << "old contents\n"; }
  ::chmod(Path("q.csv").c_str(), 0644);
  auto refused = QuarantineWriter::Create(Path("q.csv"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(refused.status().message(), HasSubstr(Path("q.csv")));
  EXPECT_EQ(ReadFile(Path("q.csv")), "old contents\n");

  auto replaced = QuarantineWriter::Create(
      Path("q.csv"), QuarantineWriter::IfExists::kReplace);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  ASSERT_TRUE((*replaced)->Close().ok());
  EXPECT_EQ(ModeOf(Path("q.csv")), 0600u);  // narrowed from 0644
  EXPECT_EQ(ReadFile(Path("q.csv")), "line,reasons,details,raw\n");
}

TEST_F(QuarantineTest, RefusesSymbolicLinksAndFifos) {
  { std::ofstream(Path("target")) << "keep\n"; }
  ASSERT_EQ(::symlink(Path("target").c_str(), Path("link").c_str()), 0);
  for (auto mode : {QuarantineWriter::IfExists::kFail,
                    QuarantineWriter::IfExists::kReplace}) {
    EXPECT_FALSE(QuarantineWriter::Create(Path("link"), mode).ok());
  }
  EXPECT_EQ(QuarantineWriter::Create(Path("link"),
                                     QuarantineWriter::IfExists::kReplace)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(Path("target")), "keep\n");

  ASSERT_EQ(::mkfifo(Path("fifo").c_str(), 0600), 0);
  auto fifo = QuarantineWriter::Create(Path("fifo"),
                                       QuarantineWriter::IfExists::kReplace);
  EXPECT_FALSE(fifo.ok());  // and did not hang waiting for a reader
}

TEST_F(QuarantineTest, MissingDirectoryAndWritesAfterClose) {
  EXPECT_EQ(QuarantineWriter::Create(Path("no/such/dir/q.csv")).status().code(),
            absl::StatusCode::kNotFound);
  auto writer = QuarantineWriter::Create(Path("q.csv"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ((*writer)->Write(1, {}, "x").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(AppendCsvFieldTest, QuotesOnlyWhenNeeded) {
  std::string out;
  AppendCsvField("plain", &out);
  EXPECT_EQ(out, "plain");
  for (const auto& [in, expected] :
       std::vector<std::pair<std::string, std::string>>{
           {"a,b", "\"a,b\""},
           {"say \"hi\"", "\"say \"\"hi\"\"\""},
           {"two\nlines", "\"two\nlines\""},
           {"cr\r", "\"cr\r\""},
           {" padded", "\" padded\""},
           {"", ""}}) {
    out.clear();
    AppendCsvField(in, &out);
    EXPECT_EQ(out, expected);
  }
}

}  // namespace
}  // namespace fedlink::agent::ingest
