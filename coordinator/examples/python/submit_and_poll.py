#!/usr/bin/env python3
"""Submit a linkage job to a fedlink coordinator and follow it to its end.

A small analyst client written against the gRPC contract in proto/fedlink/v1
alone, to show that the API is usable from a language other than C++. It
needs Debian's python3-grpcio and python3-protobuf and stubs generated from
proto/ (see README.md next to this file).

The job spec is a JSON file in protobuf's JSON mapping of fedlink.v1.JobSpec
(example-job.json). The client fills in what the analyst should not have to
compute by hand: the linkage schema's fingerprint and, with
--expires-in-days, the expiry time.

Exit codes: 0 the job is COMPLETE (fetch results with `fedlink job results`);
1 an error (bad input, coordinator unreachable, job refused); 2 bad usage;
3 the job ended without results (DENIED, FAILED, CANCELLED or PURGED);
4 --timeout passed while the job was still running (it goes on: follow it
again with --job-id).
"""
import argparse
import datetime
import hashlib
import struct
import sys
import time
import uuid

try:
    import grpc
    from google.protobuf import json_format
except ImportError as e:
    sys.exit("error: %s: install python3-grpcio and python3-protobuf (Debian's /usr/bin/python3)"
             % e)
try:
    from fedlink.v1 import coordinator_pb2, coordinator_pb2_grpc, job_pb2, linkage_schema_pb2
except ImportError as e:
    sys.exit("error: %s: generate the fedlink.v1 modules from proto/ and put their directory on "
             "PYTHONPATH (README.md next to this script)" % e)

FINAL_STATES = {job_pb2.JOB_STATE_COMPLETE, job_pb2.JOB_STATE_DENIED, job_pb2.JOB_STATE_FAILED,
                job_pb2.JOB_STATE_CANCELLED, job_pb2.JOB_STATE_PURGED}
CALL_TIMEOUT_S = 10


class ClientError(Exception):
    """An error to print as it is and exit 1 with."""


def schema_fingerprint(schema):
    """SHA-256 of the schema's canonical form (linkage/schema/README.md).

    The coordinator and every agent recompute it and refuse a job whose
    fingerprint differs, so this must match the C++ CanonicalSerialization
    byte for byte."""
    lines = ["fedlink.linkage_schema.canonical/1"]

    def put(key, value):
        if isinstance(value, bool):
            value = "true" if value else "false"
        lines.append("%s=%s" % (key, value))

    def text(value):  # length-prefixed: unambiguous whatever the bytes
        return "%d:%s" % (len(value.encode()), value)

    def enum_name(enum, prefix, value):  # "name"; an unknown value as "#<number>"
        try:
            return enum.Name(value).removeprefix(prefix).lower()
        except ValueError:
            return "#%d" % value

    def kind(v):
        return enum_name(linkage_schema_pb2.FieldKind, "FIELD_KIND_", v)

    def transform(v):
        return enum_name(linkage_schema_pb2.Transform, "TRANSFORM_", v)

    put("version", schema.version)
    put("fields.count", len(schema.fields))
    for i, field in enumerate(schema.fields):
        put("fields[%d].name" % i, text(field.name))
        put("fields[%d].kind" % i, kind(field.kind))
    put("token_recipes.count", len(schema.token_recipes))
    for i, recipe in enumerate(schema.token_recipes):
        p = "token_recipes[%d]" % i
        put(p + ".id", recipe.id)
        put(p + ".name", text(recipe.name))
        put(p + ".blocking_only", recipe.blocking_only)
        put(p + ".parts.count", len(recipe.parts))
        for j, part in enumerate(recipe.parts):
            put("%s.parts[%d].field" % (p, j), text(part.field))
            put("%s.parts[%d].transform" % (p, j), transform(part.transform))
    put("bloom.present", schema.HasField("bloom"))
    if schema.HasField("bloom"):
        bloom = schema.bloom
        put("bloom.bits", bloom.bits)
        put("bloom.q", bloom.q)
        put("bloom.padded", bloom.padded)
        put("bloom.fields.count", len(bloom.fields))
        for i, field in enumerate(bloom.fields):
            put("bloom.fields[%d].field" % i, text(field.field))
            put("bloom.fields[%d].transform" % i, transform(field.transform))
            put("bloom.fields[%d].k" % i, field.k)
        put("bloom.hardening.balance", bloom.hardening.balance)
        put("bloom.hardening.xor_fold", bloom.hardening.xor_fold)
        # The IEEE 754 bit pattern; -0 counts as +0.
        blip = bloom.hardening.blip_flip_probability or 0.0
        put("bloom.hardening.blip_flip_probability",
            "f64:%016x" % struct.unpack("<Q", struct.pack("<d", blip))[0])
        put("bloom.field_level", bloom.field_level)
        if bloom.field_level:  # 0 is proto3's "unset": the C++ default is 512
            put("bloom.field_level_bits", bloom.field_level_bits or 512)
    lines.append("end")
    return hashlib.sha256(("\n".join(lines) + "\n").encode()).digest()


def read_file(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise ClientError("cannot read %s %s: %s" % (what, path, e.strerror))


def load_spec(path, expires_in_days):
    spec = job_pb2.JobSpec()
    try:
        json_format.Parse(read_file(path, "the job spec").decode("utf-8"), spec)
    except (json_format.ParseError, UnicodeDecodeError) as e:
        raise ClientError("%s: not a fedlink.v1.JobSpec in JSON form: %s" % (path, e))
    if expires_in_days is not None:
        spec.expires_at.FromDatetime(datetime.datetime.now(datetime.timezone.utc)
                                     + datetime.timedelta(days=expires_in_days))
    elif not spec.HasField("expires_at"):
        raise ClientError("%s: no expiresAt; add one (RFC 3339) or pass --expires-in-days" % path)
    if not spec.linkage_schema.fingerprint:
        spec.linkage_schema.fingerprint = schema_fingerprint(spec.linkage_schema.schema)
    return spec


def explain(call, error, coordinator):
    """A one-line message for a failed RPC; never a stack trace."""
    code, details = error.code(), error.details()
    if code == grpc.StatusCode.UNAVAILABLE:
        return "cannot reach the coordinator at %s: %s" % (coordinator, details)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return "%s: the coordinator at %s did not answer within %d s" % (call, coordinator,
                                                                        CALL_TIMEOUT_S)
    return "%s refused (%s): %s" % (call, code.name, details)


def describe(job):
    text = job_pb2.JobState.Name(job.state)
    verdicts = ["%s: %s" % (p.agency, job_pb2.Verdict.Name(p.verdict)
                            .removeprefix("VERDICT_").lower().replace("unspecified", "pending"))
                for p in job.parties]
    if verdicts:
        text += " (" + ", ".join(verdicts) + ")"
    if job.state_reason:
        text += ": " + job.state_reason
    return text


def follow(stub, job_id, args):
    """Polls GetJob, printing each change, until a final state or the timeout."""
    deadline = time.monotonic() + args.timeout
    last = None
    while True:
        try:
            job = stub.GetJob(coordinator_pb2.GetJobRequest(job_id=job_id), timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.UNAVAILABLE:
                raise ClientError(explain("GetJob", e, args.coordinator))
            # The coordinator restarting is no reason to give up on a job.
            print("coordinator unavailable, retrying: %s" % e.details(), flush=True)
        else:
            text = describe(job)
            if text != last:
                print("%s job %s: %s" % (time.strftime("%H:%M:%S"), job_id, text), flush=True)
                last = text
            if job.state in FINAL_STATES:
                return 0 if job.state == job_pb2.JOB_STATE_COMPLETE else 3
        if time.monotonic() >= deadline:
            print("timed out after %g s; job %s goes on (follow it with --job-id %s)"
                  % (args.timeout, job_id, job_id), flush=True)
            return 4
        time.sleep(min(args.poll_interval, max(0.0, deadline - time.monotonic())))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coordinator", required=True, metavar="HOST:PORT",
                        help="the coordinator's address")
    parser.add_argument("--ca", required=True, metavar="FILE",
                        help="the deployment CA certificate (PEM)")
    parser.add_argument("--cert", required=True, metavar="FILE",
                        help="your analyst certificate (PEM)")
    parser.add_argument("--key", required=True, metavar="FILE", help="its private key (PEM)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--spec", metavar="FILE",
                      help="job spec to submit (JSON form of fedlink.v1.JobSpec)")
    what.add_argument("--job-id", metavar="ID", help="follow this job instead of submitting one")
    parser.add_argument("--expires-in-days", type=float, metavar="DAYS",
                        help="set the spec's expiresAt to now plus this many days")
    parser.add_argument("--request-id", default=uuid.uuid4().hex, metavar="R",
                        help="idempotency key: resubmitting with the same one returns the same job")
    parser.add_argument("--timeout", type=float, default=600, metavar="S",
                        help="stop following after S seconds (default 600)")
    parser.add_argument("--poll-interval", type=float, default=5, metavar="S",
                        help="seconds between polls (default 5)")
    args = parser.parse_args()

    try:
        spec = load_spec(args.spec, args.expires_in_days) if args.spec else None
        credentials = grpc.ssl_channel_credentials(
            root_certificates=read_file(args.ca, "the CA certificate"),
            private_key=read_file(args.key, "the private key"),
            certificate_chain=read_file(args.cert, "the certificate"))
        with grpc.secure_channel(args.coordinator, credentials) as channel:
            stub = coordinator_pb2_grpc.CoordinatorStub(channel)
            job_id = args.job_id
            if spec is not None:
                try:
                    job = stub.SubmitJob(coordinator_pb2.SubmitJobRequest(
                        spec=spec, request_id=args.request_id), timeout=CALL_TIMEOUT_S)
                except grpc.RpcError as e:
                    raise ClientError(explain("SubmitJob", e, args.coordinator))
                job_id = job.job_id
                print("submitted job %s (spec sha256 %s)" % (job_id, job.job_spec_sha256.hex()),
                      flush=True)
            return follow(stub, job_id, args)
    except ClientError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; a submitted job goes on (follow it with --job-id)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
