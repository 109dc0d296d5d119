#include "agent/ingest/suspicious_values.h"

#include <algorithm>

namespace fedlink::agent::ingest {
namespace {

template <size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view value) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

constexpr std::string_view kPlaceholderNames[] = {
    "test",      "testing", "dummy",    "fake",   "sample",  "noname",
    "none",      "fnu",     "lnu",      "nfn",    "nln",     "nmn",
    "baby",      "babyboy", "babygirl", "infant", "newborn", "patient",
    "anonymous", "xxx",     "zzz",      "asdf",
};

constexpr std::string_view kDefaultDates[] = {
    "18991230", "18991231", "19000101", "19010101", "19700101",
};

constexpr std::string_view kPlaceholderSsns[] = {
    "123456789",
    "987654321",
    "078051120",
    "219099999",
};

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool IsPlaceholderName(std::string_view normalized_name) {
  // Compared as CompactName would write it, without copying the name.
  for (std::string_view candidate : kPlaceholderNames) {
    size_t i = 0;
    bool equal = true;
    for (char c : normalized_name) {
      if (c == ' ' || c == '-' || c == '\'') continue;
      if (i == candidate.size() || candidate[i] != c) {
        equal = false;
        break;
      }
      ++i;
    }
    if (equal && i == candidate.size()) return true;
  }
  return false;
}

bool IsDefaultDate(std::string_view yyyymmdd) {
  return Contains(kDefaultDates, yyyymmdd);
}

bool IsPlaceholderSsn(std::string_view normalized_ssn) {
  return Contains(kPlaceholderSsns, normalized_ssn);
}

bool IsImpossibleSsn(std::string_view ssn) {
  if (ssn.size() != 9 || !AllDigits(ssn)) return false;
  const std::string_view area = ssn.substr(0, 3);
  return area == "000" || area == "666" || area[0] == '9' ||
         ssn.substr(3, 2) == "00" || ssn.substr(5, 4) == "0000";
}

}  // namespace fedlink::agent::ingest
