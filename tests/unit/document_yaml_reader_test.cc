// The strict YAML reader that the linkage schema, ingest schema and agent
// policy readers derive from: document-level errors, number readers, key
// checks, problem lists and the quoting of outside names in messages.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linkage/document/document_problem.h"
#include "linkage/document/quote_name.h"
#include "linkage/document/yaml_reader.h"
#include "linkage/status_macros.h"

namespace fedlink::document {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A document of one key, `value`, read with each of the reader's helpers.
class ValueReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  absl::StatusOr<YAML::Node> Value(const YAML::Node& root) {
    FEDLINK_ASSIGN_OR_RETURN(YamlEntries top, GetEntries(root, "", "the document"));
    FEDLINK_RETURN_IF_ERROR(AllowOnly(top, "", {"value"}));
    FEDLINK_ASSIGN_OR_RETURN(const YAML::Node* value, Required(root, top, "", "value"));
    return *value;
  }
  absl::StatusOr<double> Decimal(const YAML::Node& root) {
    FEDLINK_ASSIGN_OR_RETURN(YAML::Node value, Value(root));
    return ReadDecimal(value, "value");
  }
  absl::StatusOr<int64_t> Int(const YAML::Node& root) {
    FEDLINK_ASSIGN_OR_RETURN(YAML::Node value, Value(root));
    return ReadInt(value, "value", -5, 5);
  }
};

template <typename T>
absl::StatusOr<T> Parse(const std::string& yaml,
                        absl::StatusOr<T> (ValueReader::*read)(const YAML::Node&)) {
  ValueReader reader("d.yaml");
  return ParseYamlDocument<T>(yaml, "d.yaml", "a test document", 64, reader,
                              [&](const YAML::Node& root) { return (reader.*read)(root); });
}

std::string ErrorOf(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

TEST(DocumentYamlReaderTest, ReadsOneDocument) {
  absl::StatusOr<int64_t> value = Parse<int64_t>("value: -5\n", &ValueReader::Int);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, -5);
}

TEST(DocumentYamlReaderTest, RejectsEmptyTooLongAndSecondDocuments) {
  EXPECT_THAT(ErrorOf(Parse<int64_t>("", &ValueReader::Int).status()),
              HasSubstr("d.yaml:1:1: the document is empty (expected a test document"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>("# a comment\n", &ValueReader::Int).status()),
              HasSubstr("the document is empty"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>("value: 1\n---\nvalue: 2\n", &ValueReader::Int).status()),
              StartsWith("d.yaml:3:1: a second YAML document"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>(std::string(65, ' '), &ValueReader::Int).status()),
              HasSubstr("d.yaml: 65 bytes (a test document may have at most 64)"));
}

TEST(DocumentYamlReaderTest, MalformedAndDeeplyNestedYamlPointAtTheLine) {
  EXPECT_THAT(ErrorOf(Parse<int64_t>("value: [1\n", &ValueReader::Int).status()),
              StartsWith("d.yaml:"));
  ValueReader reader("d.yaml");
  const absl::Status deep = ReadYamlDocument(std::string(10000, '['), "d.yaml", "a test document",
                                             1 << 20, reader, [](const YAML::Node&) {
                                               return absl::OkStatus();
                                             });
  EXPECT_THAT(ErrorOf(deep), HasSubstr("malformed YAML: nested more than"));
}

TEST(DocumentYamlReaderTest, ReadsWholeNumbersInRangeOnly) {
  EXPECT_THAT(ErrorOf(Parse<int64_t>("value: 6\n", &ValueReader::Int).status()),
              HasSubstr("d.yaml:1:8: value: expected a whole number from -5 to 5, got '6'"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>("value: \"1\"\n", &ValueReader::Int).status()),
              HasSubstr("got a quoted or tagged value"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>("value: 1.0\n", &ValueReader::Int).status()),
              HasSubstr("got '1.0'"));
}

TEST(DocumentYamlReaderTest, ReadsDecimalNotationOnly) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, double>>{
           {"0.05", 0.05}, {"+1e-3", 0.001}, {"2", 2.0}, {"-0.5", -0.5}}) {
    absl::StatusOr<double> value = Parse<double>("value: " + text + "\n", &ValueReader::Decimal);
    ASSERT_TRUE(value.ok()) << text << ": " << value.status();
    EXPECT_DOUBLE_EQ(*value, expected) << text;
  }
  for (const std::string text : {".nan", ".inf", "0x1p-3", "nan", "1.2.3", "'0.5'", "[0.5]"}) {
    EXPECT_THAT(ErrorOf(Parse<double>("value: " + text + "\n", &ValueReader::Decimal).status()),
                HasSubstr("value: expected a decimal number such as 0.05, got "))
        << text;
  }
}

TEST(DocumentYamlReaderTest, UnknownAndRepeatedKeysAreErrorsWithAHint) {
  EXPECT_THAT(ErrorOf(Parse<int64_t>("valeu: 1\n", &ValueReader::Int).status()),
              HasSubstr("d.yaml:1:1: unknown key 'valeu' (did you mean 'value'? allowed: value)"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>("value: 1\nvalue: 2\n", &ValueReader::Int).status()),
              HasSubstr("d.yaml:2:1: key 'value' appears twice (first at line 1)"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>("other: 1\n", &ValueReader::Int).status()),
              HasSubstr("(allowed: value)"));
  EXPECT_THAT(ErrorOf(Parse<int64_t>("[value]\n", &ValueReader::Int).status()),
              HasSubstr("expected a mapping for the document, got a list"));
}

TEST(DocumentProblemTest, ListsAtMostTenProblemsWithTheirPlace) {
  EXPECT_TRUE(ProblemsToStatus({}, [](const std::string&) { return std::string(); }).ok());
  std::vector<DocumentProblem> problems;
  for (int i = 0; i < 13; ++i) {
    problems.push_back({"fields[" + std::to_string(i) + "]", "bad"});
  }
  const absl::Status status =
      ProblemsToStatus(problems, [](const std::string& path) { return "f.yaml(" + path + "): "; });
  const std::string message = ErrorOf(status);
  EXPECT_THAT(message, StartsWith("f.yaml(fields[0]): fields[0]: bad; f.yaml(fields[1])"));
  EXPECT_THAT(message, HasSubstr("fields[9]: bad; and 3 more problems"));
  EXPECT_THAT(message, testing::Not(HasSubstr("fields[10]")));
}

TEST(QuoteNameTest, EscapesControlCharactersQuotesAndBackslashesAndCuts) {
  EXPECT_EQ(QuoteName("edu-agency"), "'edu-agency'");
  EXPECT_EQ(QuoteName("a'b\\c\td\n\x1b[31m"), "'a\\x27b\\x5cc\\x09d\\x0a\\x1b[31m'");
  EXPECT_EQ(QuoteName("caf\xc3\xa9"), "'caf\\xc3\\xa9'");
  EXPECT_EQ(QuoteName(std::string(70, 'x')), "'" + std::string(64, 'x') + "...'");
  EXPECT_EQ(QuoteName(""), "''");
}

}  // namespace
}  // namespace fedlink::document
