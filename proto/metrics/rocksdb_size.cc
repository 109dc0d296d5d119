#include "proto/metrics/rocksdb_size.h"

namespace fedlink::metrics {

RocksDbSize MeasureRocksDb(rocksdb::DB& db) {
  RocksDbSize size;
  uint64_t value = 0;
  if (db.GetAggregatedIntProperty("rocksdb.total-sst-files-size", &value)) {
    size.table_file_bytes = value;
  }
  value = 0;
  if (db.GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables", &value)) {
    size.memtable_bytes = value;
  }
  return size;
}

}  // namespace fedlink::metrics
