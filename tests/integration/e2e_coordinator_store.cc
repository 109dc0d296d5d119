#include "tests/integration/e2e_coordinator_store.h"

#include <memory>

#include "coordinator/rpc/coordinator_server.h"
#include "coordinator/state/coordinator_store.h"

namespace fedlink::e2e {

absl::StatusOr<JobDataByFamily> ReadStoredJobData(const std::filesystem::path& data_dir,
                                                  const std::string& job_id) {
  absl::StatusOr<crypto::SecretBytes> key =
      coordinator::LoadOrCreateStoreKey((data_dir / "store-key").string());
  if (!key.ok()) return key.status();
  absl::StatusOr<std::unique_ptr<coordinator::CoordinatorStore>> store =
      coordinator::CoordinatorStore::Open((data_dir / "db").string(), *key);
  if (!store.ok()) return store.status();
  JobDataByFamily data;
  for (coordinator::StoreFamily family :
       {coordinator::StoreFamily::kEncodings, coordinator::StoreFamily::kAssignments,
        coordinator::StoreFamily::kPayloads, coordinator::StoreFamily::kJobKeys}) {
    const std::string name(coordinator::kStoreFamilyNames[static_cast<size_t>(family)]);
    std::vector<std::string>& values = data[name];
    std::unique_ptr<rocksdb::Iterator> it(
        (*store)->db()->NewIterator(rocksdb::ReadOptions(), (*store)->family(family)));
    for (it->Seek(job_id); it->Valid() && it->key().ToStringView().starts_with(job_id);
         it->Next()) {
      values.push_back(it->value().ToString());
    }
    if (!it->status().ok()) return coordinator::FromRocksDb(it->status(), "iterate " + name);
  }
  return data;
}

}  // namespace fedlink::e2e
