// RFC 4180 CSV: a writer for the generator and a strict reader for tests and
// tools that load generated files.
#ifndef FEDLINK_TESTS_DATAGEN_CSV_H_
#define FEDLINK_TESTS_DATAGEN_CSV_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fedlink::datagen {

// Appends `field`, enclosed in double quotes (inner quotes doubled) when it
// contains a comma, a double quote, CR or LF.
void AppendCsvField(std::string_view field, std::string* out);

// Appends the fields separated by commas, then `line_end` ("\r\n" or "\n").
void AppendCsvRow(std::span<const std::string> fields, std::string_view line_end, std::string* out);

// Parses `text` strictly as RFC 4180 with records ended by `line_end`: every
// record (the last one too) ends with line_end, a quote may appear only
// around a whole field (doubled inside it), CR/LF only inside quotes, and
// every record has as many fields as the first. InvalidArgument names the
// record number (1-based) and what is wrong.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text,
                                                               std::string_view line_end);

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_CSV_H_
