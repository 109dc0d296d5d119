// Values that are valid but probably not real, counted (never listed) by the
// data-quality report. The lists are short on purpose: each entry must be far
// more likely a stand-in than a person's real value.
#ifndef FEDLINK_AGENT_INGEST_SUSPICIOUS_VALUES_H_
#define FEDLINK_AGENT_INGEST_SUSPICIOUS_VALUES_H_

#include <string_view>

namespace fedlink::agent::ingest {

// A normalised name (NormalizeName output) whose compact form is a
// stand-in: test, testing, dummy, fake, sample, noname, none, fnu, lnu, nfn,
// nln, nmn, baby, babyboy, babygirl, infant, newborn, patient, anonymous,
// xxx, zzz, asdf. ("unknown" and "n/a" never get here: the normalisers
// already treat them as missing; the report counts those as placeholders.)
bool IsPlaceholderName(std::string_view normalized_name);

// A normalised date ("YYYYMMDD") that systems write when they have none:
// 1899-12-30, 1899-12-31 (spreadsheet day 0), 1900-01-01, 1901-01-01,
// 1970-01-01 (Unix day 0).
bool IsDefaultDate(std::string_view yyyymmdd);

// A normalised SSN (letters and digits only) famous for being used as an
// example or a filler: 123456789, 987654321, 078051120 (the 1938 wallet
// card), 219099999 (an advertisement). One repeated digit ("000000000")
// never gets here: it is a placeholder, so missing.
bool IsPlaceholderSsn(std::string_view normalized_ssn);

// A nine-digit SSN that the US Social Security Administration never issues:
// area 000, 666 or 900-999, group 00, or serial 0000. Values of any other
// length (FEBRL's seven-digit ids, other countries' numbers) are not judged.
bool IsImpossibleSsn(std::string_view normalized_ssn);

}  // namespace fedlink::agent::ingest

#endif  // FEDLINK_AGENT_INGEST_SUSPICIOUS_VALUES_H_
