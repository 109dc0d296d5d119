// Embedded reference tables for the synthetic population: frequency-weighted
// given names and surnames reflecting the diversity of a US state (Virginia),
// nicknames, streets, localities with ZIP ranges and school divisions,
// higher-education institutions, fields of study, NAICS sectors and wage
// bands. The weights are rough relative frequencies, not census figures. All
// functions return views of static data and are thread-safe.
#ifndef FEDLINK_TESTS_DATAGEN_TABLES_H_
#define FEDLINK_TESTS_DATAGEN_TABLES_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace fedlink::datagen {

// Where a name is common; a person's given name is often drawn from the same
// origin as the surname, so "Nguyễn" goes with "Thảo" more often than chance.
enum class Origin : uint8_t {
  kGeneral,
  kHispanic,
  kVietnamese,
  kKorean,
  kChinese,
  kSouthAsian,
  kArabic,
  kAfrican,
};
inline constexpr int kOriginCount = 8;

struct NameEntry {
  std::string_view name;
  uint32_t weight;
  Origin origin;
};

std::span<const NameEntry> FemaleGivenNames();
std::span<const NameEntry> MaleGivenNames();
std::span<const NameEntry> Surnames();

// Nicknames of a formal given name (exact, case-sensitive match); empty when
// it has none. "William" → {"Bill", "Will", "Billy", "Liam"}.
std::span<const std::string_view> NicknamesOf(std::string_view given_name);

// Every formal name with nicknames (for tests).
std::span<const std::string_view> NicknameFormalNames();

struct StreetType {
  std::string_view full;         // "Avenue"
  std::string_view abbreviated;  // "Ave"
  uint32_t weight;
};

std::span<const std::string_view> StreetNames();
std::span<const StreetType> StreetTypes();

struct Locality {
  std::string_view name;             // city or town
  std::string_view school_division;  // the K-12 district serving it
  uint32_t zip_low;                  // ZIP codes are drawn from [zip_low, zip_high]
  uint32_t zip_high;
  uint32_t weight;  // roughly population in thousands
};

std::span<const Locality> Localities();
inline constexpr std::string_view kStateCode = "VA";

struct Institution {
  std::string_view name;
  uint32_t weight;  // roughly headcount in hundreds
};

std::span<const Institution> Institutions();

struct WeightedLabel {
  std::string_view label;
  uint32_t weight;
};

// Fields of study (CIP 2-digit family titles, several contain commas).
std::span<const WeightedLabel> DegreeFields();

struct NaicsSector {
  std::string_view code;   // "44-45"
  std::string_view title;  // "Retail Trade"
  uint32_t young_weight;   // share among workers under 26
  uint32_t adult_weight;   // share among older workers
};

std::span<const NaicsSector> NaicsSectors();

// Quarterly wage bands, lowest first ("$0-$2,499" … "$25,000+").
std::span<const std::string_view> WageBands();

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_TABLES_H_
