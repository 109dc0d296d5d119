// Turns a DatasetConfig into rows. Every row is a pure function of (seed,
// party, position), computed in O(1) time and memory: persons are derived on
// demand (person.h), the row order and the local ids come from keyed
// permutations, so nothing grows with the number of rows and any slice of a
// party's file can be produced independently (e.g. by several threads).
#ifndef FEDLINK_TESTS_DATAGEN_GENERATOR_H_
#define FEDLINK_TESTS_DATAGEN_GENERATOR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/datagen/config.h"
#include "tests/datagen/permutation.h"
#include "tests/datagen/person.h"
#include "tests/datagen/rng.h"

namespace fedlink::datagen {

// One row of a party's file. Reuse one object across calls: the strings keep
// their capacity, so steady-state generation does not allocate.
struct GeneratedRecord {
  uint64_t entity = 0;              // ground truth: the person behind the row
  bool duplicate = false;           // an extra within-party row for the same person
  uint32_t corruptions = 0;         // bit k set: Corruption k was applied
  std::vector<std::string> values;  // one per column, in the party's column order

  bool Has(Corruption kind) const { return (corruptions >> static_cast<int>(kind)) & 1u; }
};

class DatasetGenerator {
 public:
  // Validates the config (ValidateConfig) and checks that each party's
  // id_digits can number its rows.
  static absl::StatusOr<std::unique_ptr<DatasetGenerator>> Create(DatasetConfig config);

  const DatasetConfig& config() const { return config_; }

  // Row positions of party p are [0, PositionCount(p)); a position may yield
  // no row (see Generate).
  uint64_t PositionCount(size_t party) const { return parties_[party].slots; }

  // Distinct persons party p holds.
  uint64_t MemberCount(size_t party) const { return parties_[party].members; }

  // Fills *record with the row at `position` of party p's file. Returns false
  // when that position yields no row: a quarter in which the person had no
  // wages, or a second enrolment the person does not have. Thread-safe.
  bool Generate(size_t party, uint64_t position, GeneratedRecord* record) const;

  // The local id of the row at `position` (also in record->values).
  std::string LocalId(size_t party, uint64_t position) const;

 private:
  struct MemberRange {
    uint64_t first_member;  // members [first_member, next range's first_member)
    uint64_t first_entity;
    uint32_t party_mask;
    Profile profile;
  };

  struct ColumnTargets {  // columns a string-level corruption may hit
    std::vector<size_t> columns;
    WeightedTable table;
  };

  struct PartyPlan {
    uint64_t members = 0;
    uint32_t copies = 1;
    uint64_t base_slots = 0;
    uint64_t slots = 0;
    std::vector<MemberRange> ranges;
    Permutation order{1, 0};
    Permutation ids{1, 0};
    std::array<int, kFieldCount> column_of{};  // -1 when absent
    std::array<ColumnTargets, kCorruptionCount> targets;
  };

  explicit DatasetGenerator(DatasetConfig config);

  void AppendLocalId(size_t party, uint64_t slot, std::string* out) const;
  void AppendEvalKey(size_t party, uint64_t slot, std::string* out) const;
  bool ApplyStringCorruption(const PartyPlan& plan, Corruption kind, GeneratedRecord* record,
                             Rng& rng) const;

  DatasetConfig config_;
  PersonFactory persons_;
  Permutation eval_keys_;  // Field::kEvalKey values
  std::vector<PartyPlan> parties_;
  uint32_t enrollment_parties_ = 0;  // mask of parties with RecordKind::kEnrollment
};

}  // namespace fedlink::datagen

#endif  // FEDLINK_TESTS_DATAGEN_GENERATOR_H_
