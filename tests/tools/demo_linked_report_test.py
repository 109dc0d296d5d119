#!/usr/bin/env python3
"""Tests of deploy/demo/linked_report.py, the demo's preview and
precision/recall evaluation (run by CTest as demo_linked_report)."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "..", "deploy", "demo", "linked_report.py")


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(textwrap.dedent(text).lstrip())


def run(*args, stdin=None):
    return subprocess.run([sys.executable, SCRIPT, *args], input=stdin, capture_output=True,
                          text=True, check=False)


class EvaluateTest(unittest.TestCase):
    """Persons 1-4. Agency a holds 1, 2, 3 (and a duplicate row of 1); b holds
    1 (two rows: a transfer), 2, 4 and, outside the cohort, 3."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        d = self.dir.name
        write(f"{d}/ground_truth.csv", """\
            party,local_id,entity_id,eval_key
            pa,a1,1,ka1
            pa,a1dup,1,ka1dup
            pa,a2,2,ka2
            pa,a3,3,ka3
            pb,b1,1,kb1
            pb,b1again,1,kb1again
            pb,b2,2,kb2
            pb,b3,3,kb3
            pb,b4,4,kb4
            """)
        write(f"{d}/pa.csv", "id,eval_key\na1,ka1\na1dup,ka1dup\na2,ka2\na3,ka3\n")
        write(f"{d}/pb.csv", "id,year,eval_key\nb1,2021,kb1\nb1again,2021,kb1again\n"
                             "b2,2021,kb2\nb3,2019,kb3\nb4,2021,kb4\n")
        self.data = d

    def tearDown(self):
        self.dir.cleanup()

    def evaluate(self, linked_rows, *extra):
        path = f"{self.data}/linked.csv"
        write(path, "research_id,a.x,a.eval_key,b.eval_key\n" + linked_rows)
        return run("evaluate", path, "--data", self.data, "--party", "a=pa", "--party", "b=pb",
                   "--cohort", "b.year=2021", *extra)

    def test_persons_count_once_and_false_links_lower_precision(self):
        # Person 1 linked twice (duplicate and transfer rows), person 2 found,
        # a false link a3-b4; person 3 is outside b's cohort, so only 1 and 2
        # are persons in both.
        result = self.evaluate("r1,x,ka1,kb1\nr2,x,ka1dup,kb1again\nr3,x,ka2,kb2\nr4,x,ka3,kb4\n"
                               "r5,x,,kb3\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("PRECISION 0.7500 RECALL 1.0000", result.stdout)

    def test_missed_person_lowers_recall_and_min_fails(self):
        result = self.evaluate("r1,x,ka1,kb1\n", "--min", "0.98")
        self.assertEqual(result.returncode, 1)
        self.assertIn("PRECISION 1.0000 RECALL 0.5000", result.stdout)
        self.assertIn("below the expected 0.98", result.stdout)

    def test_unknown_key_is_an_error(self):
        result = self.evaluate("r1,x,nosuchkey,kb1\n")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("not in the ground truth", result.stderr)

    def test_missing_eval_column_is_named(self):
        path = f"{self.data}/linked.csv"
        write(path, "research_id,a.x,a.eval_key\nr1,x,ka1\n")
        result = run("evaluate", path, "--data", self.data, "--party", "a=pa", "--party", "b=pb")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no eval_key column for b", result.stderr)


class PreviewTest(unittest.TestCase):
    def test_leaves_out_eval_keys(self):
        with tempfile.TemporaryDirectory() as d:
            write(f"{d}/linked.csv", 'research_id,a.district,a.eval_key,b.industry\n'
                                     '0123456789abcdef,North,ka1,"Retail, Trade"\n')
            result = run("preview", f"{d}/linked.csv")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("a.district", result.stdout)
        self.assertIn("Retail, Trade", result.stdout)
        self.assertNotIn("eval_key", result.stdout)
        self.assertNotIn("ka1", result.stdout)
        self.assertIn("1 linked rows in all", result.stdout)


if __name__ == "__main__":
    unittest.main()
