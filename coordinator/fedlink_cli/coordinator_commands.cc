#include "coordinator/fedlink_cli/coordinator_commands.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <openssl/crypto.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "proto/audit/audit_archive.h"
#include "proto/audit/audit_verifier.h"
#include "coordinator/fedlink_cli/job_view.h"
#include "coordinator/fedlink_cli/quality_report_view.h"
#include "coordinator/fedlink_cli/results_table.h"
#include "linkage/crypto/merkle.h"
#include "linkage/crypto/x25519.h"
#include "proto/runtime/limits.h"
#include "proto/runtime/status_convert.h"
#include "proto/runtime/payload_crypto.h"
#include "proto/runtime/tls_credentials.h"

namespace fedlink::cli {
namespace {

constexpr auto kUnaryDeadline = std::chrono::seconds(60);
constexpr auto kStreamDeadline = std::chrono::minutes(30);

void SetDeadline(grpc::ClientContext& context, std::chrono::seconds after) {
  context.set_deadline(std::chrono::system_clock::now() + after);
}

// The coordinator's refusal in words (its messages never carry data
// values); kExitUnreachable when it could not be reached or did not answer
// in time, kExitFailed when it answered no.
int RpcFailed(std::string_view what, const grpc::Status& status, std::ostream& err) {
  const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  err << "fedlink: " << what << (unreachable ? ": the coordinator could not be reached ("
                                             : " refused (")
      << status.error_code() << "): " << status.error_message() << "\n";
  return unreachable ? kExitUnreachable : kExitFailed;
}

// The coordinator's stub, or nullptr once `err` says why there is none (the
// caller exits kExitError).
std::unique_ptr<v1::Coordinator::Stub> ConnectOrReport(const ClientConfig& config,
                                                       std::ostream& err) {
  absl::StatusOr<std::unique_ptr<v1::Coordinator::Stub>> stub = ConnectToCoordinator(config);
  if (!stub.ok()) {
    err << "fedlink: " << stub.status().message() << "\n";
    return nullptr;
  }
  return *std::move(stub);
}

// One unary call, `rpc` in messages, with the usual deadline: kExitOk, or
// RpcFailed's exit code once `err` says what went wrong.
template <typename Request, typename Response>
int CallUnary(v1::Coordinator::Stub& stub, std::string_view rpc,
              grpc::Status (v1::Coordinator::Stub::*method)(grpc::ClientContext*, const Request&,
                                                            Response*),
              const Request& request, Response* response, std::ostream& err) {
  grpc::ClientContext context;
  SetDeadline(context, kUnaryDeadline);
  const grpc::Status status = (stub.*method)(&context, request, response);
  return status.ok() ? kExitOk : RpcFailed(rpc, status, err);
}

// Connects, then makes the one unary call of a command: kExitOk, or the
// exit code once `err` says what went wrong.
template <typename Request, typename Response>
int CallCoordinator(const ClientConfig& config, std::string_view rpc,
                    grpc::Status (v1::Coordinator::Stub::*method)(grpc::ClientContext*,
                                                                  const Request&, Response*),
                    const Request& request, Response* response, std::ostream& err) {
  std::unique_ptr<v1::Coordinator::Stub> stub = ConnectOrReport(config, err);
  if (!stub) return kExitError;
  return CallUnary(*stub, rpc, method, request, response, err);
}

std::string Json(const nlohmann::ordered_json& value) {
  return value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// `job submit` and `job cancel` with --output json: the job's id and state.
std::string JobStateJson(const v1::Job& job) {
  return Json({{"job_id", job.job_id()}, {"state", JobStateName(job.state())}});
}

// The head signed at exactly `tree_size` (NotFound if none was), for
// locating the first bad entry.
absl::StatusOr<v1::SignedTreeHead> FetchHeadAtSize(v1::Coordinator::Stub& stub,
                                                   uint64_t tree_size) {
  grpc::ClientContext context;
  SetDeadline(context, kUnaryDeadline);
  v1::GetSignedTreeHeadRequest request;
  request.set_tree_size(tree_size);
  v1::SignedTreeHead head;
  const grpc::Status status = stub.GetSignedTreeHead(&context, request, &head);
  if (!status.ok()) return proto::FromGrpcStatus(status);
  return head;
}

absl::StatusOr<v1::SignedTreeHead> FetchHead(v1::Coordinator::Stub& stub, std::ostream& err,
                                             int& exit_code) {
  grpc::ClientContext context;
  SetDeadline(context, kUnaryDeadline);
  v1::SignedTreeHead head;
  const grpc::Status status = stub.GetSignedTreeHead(&context, {}, &head);
  if (!status.ok()) {
    exit_code = RpcFailed("GetSignedTreeHead", status, err);
    return absl::UnavailableError("no head");
  }
  return head;
}

// Streams entries [0, to) (to = 0: the whole log) through `visit`; false
// from visit stops early. The call's exit code on failure.
template <typename Visit>
int StreamEntries(v1::Coordinator::Stub& stub, const v1::ListAuditEntriesRequest& request,
                  Visit visit, std::ostream& err) {
  grpc::ClientContext context;
  SetDeadline(context, std::chrono::duration_cast<std::chrono::seconds>(kStreamDeadline));
  std::unique_ptr<grpc::ClientReader<v1::LoggedEntry>> reader =
      stub.ListAuditEntries(&context, request);
  v1::LoggedEntry entry;
  bool stopped = false;
  while (reader->Read(&entry)) {
    if (!visit(entry)) {
      stopped = true;
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok() && !stopped) return RpcFailed("ListAuditEntries", status, err);
  return kExitOk;
}

}  // namespace

absl::StatusOr<std::unique_ptr<v1::Coordinator::Stub>> ConnectToCoordinator(
    const ClientConfig& config) {
  const std::pair<const std::string*, const char*> required[] = {
      {&config.coordinator, "coordinator (--coordinator HOST:PORT)"},
      {&config.ca_file, "ca (--ca)"},
      {&config.cert_file, "cert (--cert)"},
      {&config.key_file, "key (--key)"}};
  for (const auto& [value, name] : required) {
    if (value->empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("no ", name, " given: set it in the client configuration or on the "
                                    "command line"));
    }
  }
  absl::StatusOr<proto::TlsCredentials<grpc::ChannelCredentials>> credentials =
      proto::MakeChannelCredentials({config.ca_file, config.cert_file, config.key_file});
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments arguments;
  proto::ApplyMessageSizeLimits(arguments);
  return v1::Coordinator::NewStub(
      grpc::CreateCustomChannel(config.coordinator, credentials->credentials, arguments));
}

int VerifyLiveLogCommand(const ClientConfig& config, const std::string& state_path,
                         std::ostream& out, std::ostream& err, bool json) {
  absl::StatusOr<std::optional<v1::SignedTreeHead>> saved = LoadSavedHead(state_path);
  if (!saved.ok()) {
    err << "fedlink: " << saved.status().message() << "\n";
    return kExitError;
  }
  absl::StatusOr<audit::AuditVerifyOptions> options = MakeVerifyOptions(config, *saved);
  if (!options.ok()) {
    err << "fedlink: " << options.status().message() << "\n";
    return kExitError;
  }
  std::unique_ptr<v1::Coordinator::Stub> stub = ConnectOrReport(config, err);
  if (!stub) return kExitError;
  int exit_code = kExitOk;
  absl::StatusOr<v1::SignedTreeHead> head = FetchHead(*stub, err, exit_code);
  if (!head.ok()) return exit_code;
  // The verifier trusts nothing but signatures: a head it cannot verify is
  // a verdict (reported below), not a transport error.
  absl::StatusOr<std::unique_ptr<audit::AuditVerifier>> verifier =
      audit::AuditVerifier::Create(*options, {*head});
  if (!verifier.ok()) {
    err << "fedlink: " << verifier.status().message() << "\n";
    return kExitError;
  }
  v1::ListAuditEntriesRequest request;
  request.set_to_index(head->head().tree_size());
  // The leaf hashes (32 bytes an entry) let a root mismatch be bisected
  // down to the first bad entry with heads of smaller sizes.
  std::vector<audit::MerkleHash> leaf_hashes;
  exit_code = StreamEntries(
      *stub, request,
      [&](const v1::LoggedEntry& entry) {
        leaf_hashes.push_back(crypto::MerkleLeafHash(absl::MakeConstSpan(
            reinterpret_cast<const uint8_t*>(entry.entry().data()), entry.entry().size())));
        return (*verifier)->AddEntry(entry);
      },
      err);
  if (exit_code != kExitOk) return exit_code;
  const audit::AuditVerdict verdict = LocateFirstBadEntry(
      (*verifier)->Finish(), leaf_hashes, *options,
      [&](uint64_t tree_size) { return FetchHeadAtSize(*stub, tree_size); });
  return ReportVerdict(verdict, state_path, out, err, json);
}

int PrintLiveEntriesCommand(const ClientConfig& config, const EntryFilter& filter, bool json,
                            std::ostream& out, std::ostream& err) {
  std::unique_ptr<v1::Coordinator::Stub> stub = ConnectOrReport(config, err);
  if (!stub) return kExitError;
  v1::ListAuditEntriesRequest request;
  request.set_job_id(filter.job_id);
  request.set_since_unix_ms(filter.since_unix_ms);
  if (!json) out << EntryTableHeader() << "\n";
  return StreamEntries(
      *stub, request,
      [&](const v1::LoggedEntry& entry) {
        if (EntryMatches(entry, filter)) {
          out << (json ? EntryJsonLine(entry) : EntryTableRow(entry)) << "\n";
        }
        return true;
      },
      err);
}

int ExportLiveLogCommand(const ClientConfig& config, const std::string& out_path,
                         std::ostream& out, std::ostream& err) {
  std::unique_ptr<v1::Coordinator::Stub> stub = ConnectOrReport(config, err);
  if (!stub) return kExitError;
  int exit_code = kExitOk;
  absl::StatusOr<v1::SignedTreeHead> head = FetchHead(*stub, err, exit_code);
  if (!head.ok()) return exit_code;
  audit::AuditLogExport log;
  log.heads.push_back(*head);
  v1::ListAuditEntriesRequest request;
  request.set_to_index(head->head().tree_size());
  exit_code = StreamEntries(
      *stub, request,
      [&](const v1::LoggedEntry& entry) {
        log.entries.push_back(entry);
        return true;
      },
      err);
  if (exit_code != kExitOk) return exit_code;
  std::ofstream file(out_path, std::ios::binary | std::ios::trunc);
  if (!file) {
    err << "fedlink: " << out_path << ": cannot write\n";
    return kExitError;
  }
  absl::Status written = audit::WriteAuditArchive(log, file);
  file.flush();
  if (!written.ok() || !file) {
    err << "fedlink: " << out_path << ": cannot write the archive\n";
    return kExitError;
  }
  out << "exported " << log.entries.size() << " entries and the head of size "
      << head->head().tree_size() << " to " << out_path
      << " (check it with `fedlink audit verify --archive " << out_path << "`)\n";
  return kExitOk;
}

int SubmitJobCommand(const ClientConfig& config, const v1::JobSpec& spec,
                     const std::string& request_id, std::ostream& out, std::ostream& err,
                     bool json) {
  v1::SubmitJobRequest request;
  *request.mutable_spec() = spec;
  request.set_request_id(request_id);
  v1::Job job;
  if (const int code = CallCoordinator(config, "SubmitJob", &v1::Coordinator::Stub::SubmitJob,
                                       request, &job, err);
      code != kExitOk) {
    return code;
  }
  if (json) {
    out << JobStateJson(job);
  } else {
    out << "submitted job " << job.job_id() << " (" << JobStateName(job.state()) << ")\n";
  }
  return kExitOk;
}

int JobStatusCommand(const ClientConfig& config, const std::string& job_id, std::ostream& out,
                     std::ostream& err, bool json) {
  v1::GetJobRequest request;
  request.set_job_id(job_id);
  v1::Job job;
  if (const int code = CallCoordinator(config, "GetJob", &v1::Coordinator::Stub::GetJob,
                                       request, &job, err);
      code != kExitOk) {
    return code;
  }
  out << (json ? Json(JobJson(job)) : FormatJob(job));
  return kExitOk;
}

int JobListCommand(const ClientConfig& config, std::ostream& out, std::ostream& err, bool json) {
  std::unique_ptr<v1::Coordinator::Stub> stub = ConnectOrReport(config, err);
  if (!stub) return kExitError;
  std::vector<v1::JobSummary> jobs;
  v1::ListJobsRequest request;
  do {
    v1::ListJobsResponse response;
    if (const int code = CallUnary(*stub, "ListJobs", &v1::Coordinator::Stub::ListJobs,
                                   request, &response, err);
        code != kExitOk) {
      return code;
    }
    jobs.insert(jobs.end(), response.jobs().begin(), response.jobs().end());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  out << (json ? Json(JobListJson(jobs)) : FormatJobList(jobs));
  return kExitOk;
}

int CancelJobCommand(const ClientConfig& config, const std::string& job_id,
                     const std::string& reason, std::ostream& out, std::ostream& err,
                     bool json) {
  v1::CancelJobRequest request;
  request.set_job_id(job_id);
  request.set_reason(reason);
  v1::Job job;
  if (const int code = CallCoordinator(config, "CancelJob", &v1::Coordinator::Stub::CancelJob,
                                       request, &job, err);
      code != kExitOk) {
    return code;
  }
  if (json) {
    out << JobStateJson(job);
  } else {
    out << "job " << job.job_id() << ": " << JobStateName(job.state()) << "\n";
  }
  return kExitOk;
}

int JobResultsCommand(const ClientConfig& config, const std::string& job_id,
                      const std::string& out_path, const std::string& key_path,
                      std::ostream& out, std::ostream& err, bool json) {
  std::unique_ptr<v1::Coordinator::Stub> stub = ConnectOrReport(config, err);
  if (!stub) return kExitError;
  v1::Job job;
  {
    v1::GetJobRequest request;
    request.set_job_id(job_id);
    if (const int code = CallUnary(*stub, "GetJob", &v1::Coordinator::Stub::GetJob,
                                   request, &job, err);
        code != kExitOk) {
      return code;
    }
  }
  if (job.state() != v1::JOB_STATE_COMPLETE) {
    err << "fedlink: job " << job_id << " has no results: " << JobStateName(job.state()) << " — "
        << JobStateAdvice(job) << "\n";
    return kExitFailed;
  }
  const bool microdata = job.spec().output_mode() == v1::OUTPUT_MODE_LINKED_MICRODATA;
  // A breakdown's labels come encrypted to the analyst, like rows.
  const bool breakdown = !microdata && job.spec().aggregate().has_category();
  std::optional<crypto::X25519PrivateKey> key;
  if (microdata || breakdown) {
    if (microdata && (key_path.empty() || out_path.empty())) {
      err << "fedlink: a linked-microdata job needs --key (your analyst private key) and --out\n";
      return kExitError;
    }
    if (key_path.empty()) {
      err << "fedlink: an aggregate job broken down by category needs --key (your analyst "
             "private key) to read the category labels\n";
      return kExitError;
    }
    absl::StatusOr<std::string> pem = ReadWholeFile(key_path);
    if (!pem.ok()) {
      err << "fedlink: " << pem.status().message() << "\n";
      return kExitError;
    }
    absl::StatusOr<crypto::X25519PrivateKey> parsed = crypto::X25519PrivateKey::FromPem(*pem);
    OPENSSL_cleanse(pem->data(), pem->size());
    if (!parsed.ok()) {
      err << "fedlink: " << key_path << ": " << parsed.status().message() << "\n";
      return kExitError;
    }
    key.emplace(*std::move(parsed));
  }

  v1::FetchResultsRequest request;
  request.set_job_id(job_id);
  grpc::ClientContext context;
  SetDeadline(context, std::chrono::duration_cast<std::chrono::seconds>(kStreamDeadline));
  std::unique_ptr<grpc::ClientReader<v1::ResultsItem>> reader =
      stub->FetchResults(&context, request);
  v1::ResultsItem item;
  std::vector<std::string> agencies;  // ROWS payloads, header order
  std::map<std::string, std::vector<v1::PayloadChunk>> chunks;
  std::optional<std::string> legend_agency;  // the CATEGORY_LEGEND payload's
  std::vector<v1::PayloadChunk> legend_chunks;
  std::optional<v1::AggregateTable> aggregate;
  std::optional<v1::LinkageQualityReport> quality;
  while (reader->Read(&item)) {
    if (item.has_header()) {
      for (const v1::PayloadExtent& extent : item.header().payloads()) {
        if (extent.kind() == v1::PAYLOAD_KIND_ROWS) agencies.push_back(extent.agency());
        if (extent.kind() == v1::PAYLOAD_KIND_CATEGORY_LEGEND) legend_agency = extent.agency();
      }
    } else if (item.has_chunk()) {
      if (item.chunk().kind() == v1::PAYLOAD_KIND_ROWS) {
        chunks[item.chunk().agency()].push_back(item.chunk());
      } else if (item.chunk().kind() == v1::PAYLOAD_KIND_CATEGORY_LEGEND) {
        legend_chunks.push_back(item.chunk());
      }
    } else if (item.has_aggregate()) {
      aggregate = item.aggregate();
    } else if (item.has_quality()) {
      quality = item.quality();
    }
  }
  const grpc::Status status = reader->Finish();
  if (!status.ok()) return RpcFailed("FetchResults", status, err);

  if (!microdata) {
    if (!aggregate) {
      err << "fedlink: job " << job_id << ": the coordinator sent no aggregate table\n";
      return kExitFailed;
    }
    std::optional<CategoryLabels> labels;
    if (breakdown) {
      if (!legend_agency.has_value() || *legend_agency != job.spec().aggregate().category().agency()) {
        err << "fedlink: job " << job_id << ": the coordinator sent no category legend from "
            << job.spec().aggregate().category().agency() << "\n";
        return kExitFailed;
      }
      absl::StatusOr<v1::CategoryLegend> legend = proto::DecryptCategoryLegend(
          job_id, *legend_agency, job.spec().analyst_key().aead(), *key, legend_chunks);
      if (!legend.ok()) {
        err << "fedlink: job " << job_id << ", category legend of " << *legend_agency << ": "
            << legend.status().message() << "\n";
        return kExitFailed;
      }
      labels = LabelsFromLegend(*legend_agency, *legend);
    }
    const CategoryLabels* shown = labels.has_value() ? &*labels : nullptr;
    if (json) {
      nlohmann::ordered_json table = AggregateTableJsonObject(*aggregate, shown);
      table["quality"] = quality ? QualityReportJson(*quality) : nullptr;
      out << Json(table);
      return kExitOk;
    }
    out << FormatAggregateTable(*aggregate, shown);
    if (quality) out << "quality report:\n" << FormatQualityReport(*quality, "  ");
    return kExitOk;
  }
  std::vector<PartyRows> parties;
  for (const std::string& agency : agencies) {
    absl::StatusOr<v1::ReleasedRows> rows = proto::DecryptReleasedRows(
        job_id, agency, job.spec().analyst_key().aead(), *key, chunks[agency]);
    if (!rows.ok()) {
      err << "fedlink: job " << job_id << ", rows of " << agency << ": " << rows.status().message()
          << "\n";
      return kExitFailed;
    }
    parties.push_back({agency, *std::move(rows)});
  }
  // The file holds released attribute values: only the analyst may read it.
  const std::string temporary = absl::StrCat(out_path, ".part");
  uint64_t lines = 0;
  {
    const mode_t old_mask = umask(0077);
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    umask(old_mask);
    if (!file) {
      err << "fedlink: " << temporary << ": cannot write\n";
      return kExitError;
    }
    lines = WriteJoinedCsv(parties, file);
    file.flush();
    if (!file) {
      err << "fedlink: " << temporary << ": cannot write\n";
      return kExitError;
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, out_path, error);
  if (error) {
    err << "fedlink: " << out_path << ": " << error.message() << "\n";
    return kExitError;
  }
  if (json) {
    nlohmann::ordered_json written;
    written["job_id"] = job_id;
    written["file"] = out_path;
    written["rows"] = lines;
    written["parties"] = agencies;
    out << Json(written);
    return kExitOk;
  }
  out << "wrote " << lines << " linked rows from " << parties.size() << " parties to " << out_path
      << "\n";
  return kExitOk;
}

}  // namespace fedlink::cli
