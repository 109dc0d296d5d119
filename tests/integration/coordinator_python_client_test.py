"""The Python client example (coordinator/examples/python) against a real
fedlink-coordinator on 127.0.0.1 with mutual TLS from deploy/pki.sh: a job
is accepted and followed in PENDING_APPROVAL, a cancellation is seen while
polling, and refusals end with a clear message and a non-zero exit.

Run by CTest (coordinator_python_client) with FEDLINK_COORDINATOR_BINARY,
FEDLINK_SOURCE_DIR and FEDLINK_PYTHON_STUBS (the generated fedlink.v1
modules) in the environment.
"""
import base64
import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

STUBS = os.environ["FEDLINK_PYTHON_STUBS"]
sys.path.insert(0, STUBS)
import grpc  # noqa: E402
from fedlink.v1 import coordinator_pb2, coordinator_pb2_grpc, job_pb2, registry_pb2  # noqa: E402

SOURCE_DIR = os.environ["FEDLINK_SOURCE_DIR"]
COORDINATOR = os.environ["FEDLINK_COORDINATOR_BINARY"]
EXAMPLE_DIR = os.path.join(SOURCE_DIR, "coordinator", "examples", "python")
CLIENT = os.path.join(EXAMPLE_DIR, "submit_and_poll.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fedlink-python-client-")
        cls.addClassCleanup(shutil.rmtree, cls.dir)
        pki = os.path.join(cls.dir, "pki")
        # bob has a valid analyst certificate but is not in the registry.
        run([os.path.join(SOURCE_DIR, "deploy", "pki.sh"), "--out", pki, "--coordinator", "coord",
             "--analyst", "alice", "--analyst", "bob", "--operator", "ops"])
        for agency in ("edu", "employment"):
            key = os.path.join(cls.dir, agency + ".key")
            run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key])
            run(["openssl", "pkey", "-in", key, "-pubout",
                 "-out", os.path.join(cls.dir, agency + ".pub")])
        cls.port = free_port()
        config = os.path.join(cls.dir, "coordinator.yaml")
        with open(config, "w") as f:
            f.write("version: 1\nlisten: 127.0.0.1:%d\ndata_dir: data\n"
                    "tls:\n  ca: pki/ca.crt\n  cert: pki/coordinator/coord.crt\n"
                    "  key: pki/coordinator/coord.key\n"
                    "agencies:\n  - id: edu\n    decision_key: edu.pub\n"
                    "  - id: employment\n    decision_key: employment.pub\n"
                    "analysts:\n  - name: alice\n    training_expires: 2099-12-31\n" % cls.port)
        cls.log_path = os.path.join(cls.dir, "coordinator.log")
        with open(cls.log_path, "w") as log:
            cls.daemon = subprocess.Popen([COORDINATOR, "serve", "--config", config],
                                          stdout=log, stderr=subprocess.STDOUT)
        cls.addClassCleanup(cls.stop_daemon)
        cls.channels = []
        cls.wait_until_serving()

    @classmethod
    def stop_daemon(cls):
        for channel in cls.channels:
            channel.close()
        if cls.daemon.poll() is None:
            cls.daemon.send_signal(signal.SIGTERM)
        code = cls.daemon.wait(timeout=60)
        # A SIGTERM ends it with 0; anything else (a sanitizer report) fails the run.
        if code != 0:
            raise AssertionError("the coordinator exited with %d:\n%s" % (code, cls.read_log()))

    @classmethod
    def read_log(cls):
        with open(cls.log_path) as f:
            return f.read()

    @classmethod
    def stub(cls, identity):
        def read(name):
            with open(os.path.join(cls.dir, "pki", name), "rb") as f:
                return f.read()
        credentials = grpc.ssl_channel_credentials(
            read("ca.crt"), read(identity + ".key"), read(identity + ".crt"))
        channel = grpc.secure_channel("localhost:%d" % cls.port, credentials)
        cls.channels.append(channel)
        return coordinator_pb2_grpc.CoordinatorStub(channel)

    @classmethod
    def wait_until_serving(cls):
        # First the port (a gRPC channel that failed to connect backs off for
        # seconds), then an operator call through TLS.
        for _ in range(300):
            if cls.daemon.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=1).close()
                cls.stub("operator/ops").GetStatus(registry_pb2.GetStatusRequest(),
                                                   wait_for_ready=True, timeout=10)
                return
            except (OSError, grpc.RpcError):
                time.sleep(0.1)
        raise AssertionError("the coordinator did not come up:\n" + cls.read_log())

    def client_args(self, identity="analyst/alice", port=None):
        pki = os.path.join(self.dir, "pki")
        return [sys.executable, CLIENT, "--coordinator", "localhost:%d" % (port or self.port),
                "--ca", os.path.join(pki, "ca.crt"), "--cert", os.path.join(pki, identity + ".crt"),
                "--key", os.path.join(pki, identity + ".key"), "--poll-interval", "0.2"]

    def client_env(self):
        return dict(os.environ, PYTHONPATH=STUBS)

    def run_client(self, *args, identity="analyst/alice", port=None):
        return subprocess.run(self.client_args(identity, port) + list(args), env=self.client_env(),
                              capture_output=True, text=True, timeout=60)

    def write_spec(self, name, spec):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            json.dump(spec, f)
        return path

    def example_spec(self):
        with open(os.path.join(EXAMPLE_DIR, "example-job.json")) as f:
            return json.load(f)

    def submitted_job_id(self, stdout):
        for line in stdout.splitlines():
            if line.startswith("submitted job "):
                return line.split()[2]
        self.fail("no 'submitted job' line in:\n" + stdout)

    def test_submits_the_example_and_follows_it_in_pending_approval(self):
        out = self.run_client("--spec", os.path.join(EXAMPLE_DIR, "example-job.json"),
                              "--expires-in-days", "30", "--timeout", "1")
        self.assertEqual(out.returncode, 4, out.stdout + out.stderr)
        job_id = self.submitted_job_id(out.stdout)
        self.assertIn("job %s: JOB_STATE_PENDING_APPROVAL (edu: pending, employment: pending)"
                      % job_id, out.stdout)
        self.assertIn("timed out after 1 s; job %s goes on" % job_id, out.stdout)
        self.assertEqual(out.stderr, "")
        # The coordinator holds exactly the example's spec, submitted by alice.
        job = self.stub("analyst/alice").GetJob(coordinator_pb2.GetJobRequest(job_id=job_id),
                                                timeout=10)
        self.assertEqual(job.state, job_pb2.JOB_STATE_PENDING_APPROVAL)
        self.assertEqual(job.analyst.name, "alice")
        self.assertEqual(job.spec.title, self.example_spec()["title"])
        self.assertEqual(job.spec.aggregate.min_cell_count, 11)
        # Following by id finds it again.
        again = self.run_client("--job-id", job_id, "--timeout", "0")
        self.assertEqual(again.returncode, 4, again.stdout + again.stderr)
        self.assertIn("JOB_STATE_PENDING_APPROVAL", again.stdout)

    def test_a_bloom_schema_fingerprint_computed_in_python_is_accepted(self):
        # Every branch of the canonical form: Bloom fields, a non-zero BLIP
        # probability (its IEEE 754 bits), field-level filters. The
        # coordinator recomputes the fingerprint in C++ and refuses a mismatch.
        spec = self.example_spec()
        spec["method"] = "LINKAGE_METHOD_TOKENS_AND_BLOOM"
        spec["match"] = {"minSharedTokens": 1, "bloomThreshold": 0.85}
        spec["linkageSchema"]["schema"]["bloom"] = {
            "bits": 1024, "q": 2, "padded": True,
            "fields": [{"field": "first_name", "transform": "TRANSFORM_COMPACT", "k": 20},
                       {"field": "last_name", "transform": "TRANSFORM_COMPACT", "k": 20},
                       {"field": "dob", "transform": "TRANSFORM_VALUE", "k": 15}],
            "hardening": {"balance": True, "blipFlipProbability": 0.02},
            "fieldLevel": True, "fieldLevelBits": 256}
        out = self.run_client("--spec", self.write_spec("bloom.json", spec),
                              "--expires-in-days", "1", "--timeout", "0")
        self.assertEqual(out.returncode, 4, out.stdout + out.stderr)
        self.assertIn("JOB_STATE_PENDING_APPROVAL", out.stdout)
        # The same spec with one weight changed but the old fingerprint kept
        # (JSON carries bytes as base64) is refused.
        job_id = self.submitted_job_id(out.stdout)
        job = self.stub("analyst/alice").GetJob(coordinator_pb2.GetJobRequest(job_id=job_id),
                                                timeout=10)
        tampered = copy.deepcopy(spec)
        tampered["linkageSchema"]["schema"]["bloom"]["fields"][2]["k"] = 16
        tampered["linkageSchema"]["fingerprint"] = base64.b64encode(
            job.spec.linkage_schema.fingerprint).decode()
        refused = self.run_client("--spec", self.write_spec("tampered.json", tampered),
                                  "--expires-in-days", "1", "--timeout", "0")
        self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
        self.assertIn("fingerprint: does not match the schema", refused.stderr)

    def test_reports_a_cancellation_while_polling_and_exits_3(self):
        with subprocess.Popen(
                self.client_args() + ["--spec", os.path.join(EXAMPLE_DIR, "example-job.json"),
                                      "--expires-in-days", "1", "--timeout", "20"],
                env=self.client_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True) as client:
            lines = []
            while not any("JOB_STATE_PENDING_APPROVAL" in line for line in lines):
                line = client.stdout.readline()
                if not line:
                    self.fail("the client ended early: %s%s"
                              % ("".join(lines), client.stderr.read()))
                lines.append(line)
            job_id = self.submitted_job_id("".join(lines))
            self.stub("analyst/alice").CancelJob(
                coordinator_pb2.CancelJobRequest(job_id=job_id, reason="superseded"), timeout=10)
            # Not communicate(): it would miss what readline() has buffered.
            # The client's own --timeout bounds these reads.
            rest, errors = client.stdout.read(), client.stderr.read()
        self.assertEqual(client.returncode, 3, "".join(lines) + rest + errors)
        self.assertRegex(rest, r"job %s: JOB_STATE_CANCELLED .*superseded" % job_id)

    def test_an_unregistered_analyst_is_refused(self):
        out = self.run_client("--spec", os.path.join(EXAMPLE_DIR, "example-job.json"),
                              "--expires-in-days", "1", identity="analyst/bob")
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertEqual(out.stdout, "")
        self.assertRegex(out.stderr, r"^error: SubmitJob refused \(PERMISSION_DENIED\): analyst "
                                     r".*bob.* is not in the coordinator's analyst registry\n$")

    def test_an_expired_job_is_refused(self):
        spec = self.example_spec()
        spec["expiresAt"] = "2020-01-01T00:00:00Z"
        out = self.run_client("--spec", self.write_spec("expired.json", spec))
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertEqual(out.stdout, "")
        self.assertEqual(out.stderr, "error: SubmitJob refused (INVALID_ARGUMENT): "
                                     "JobSpec.expires_at: must be in the future\n")

    def test_local_problems_are_named_before_any_call(self):
        missing_expiry = self.run_client("--spec", os.path.join(EXAMPLE_DIR, "example-job.json"))
        self.assertEqual(missing_expiry.returncode, 1)
        self.assertIn("example-job.json: no expiresAt", missing_expiry.stderr)
        bad = self.write_spec("typo.json", dict(self.example_spec(), titel="x"))
        typo = self.run_client("--spec", bad, "--expires-in-days", "1")
        self.assertEqual(typo.returncode, 1)
        self.assertIn("typo.json: not a fedlink.v1.JobSpec in JSON form", typo.stderr)
        self.assertIn("titel", typo.stderr)
        no_key = self.run_client("--spec", os.path.join(EXAMPLE_DIR, "example-job.json"),
                                 "--expires-in-days", "1", identity="analyst/nobody")
        self.assertEqual(no_key.returncode, 1)
        self.assertRegex(no_key.stderr, r"cannot read the private key .*nobody.key")

    def test_an_unreachable_coordinator_is_named(self):
        port = free_port()  # nothing listens there
        out = self.run_client("--spec", os.path.join(EXAMPLE_DIR, "example-job.json"),
                              "--expires-in-days", "1", port=port)
        self.assertEqual(out.returncode, 1, out.stdout + out.stderr)
        self.assertIn("error: cannot reach the coordinator at localhost:%d" % port, out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
