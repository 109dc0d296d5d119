// How much a RocksDB database holds, from its properties (no file system
// walk, no lock held for long): for the daemons' store-size gauges.
#ifndef FEDLINK_PROTO_METRICS_ROCKSDB_SIZE_H_
#define FEDLINK_PROTO_METRICS_ROCKSDB_SIZE_H_

#include <cstdint>

#include "rocksdb/db.h"

namespace fedlink::metrics {

struct RocksDbSize {
  // Table files of every column family ("rocksdb.total-sst-files-size":
  // live files plus obsolete ones not deleted yet, i.e. what is on disk).
  uint64_t table_file_bytes = 0;
  // Memtables of every column family, active and immutable
  // ("rocksdb.cur-size-all-mem-tables").
  uint64_t memtable_bytes = 0;
};

// Sums the properties over all column families; a property RocksDB cannot
// give counts as 0. Thread-safe (as RocksDB's GetProperty).
RocksDbSize MeasureRocksDb(rocksdb::DB& db);

}  // namespace fedlink::metrics

#endif  // FEDLINK_PROTO_METRICS_ROCKSDB_SIZE_H_
