#!/usr/bin/env python3
"""What deploy/demo.sh prints about the analyst's linked data set.

  linked_report.py preview LINKED.csv [--rows N]
      the first rows as a table (eval_key columns left out: they mean
      nothing to a reader)

  linked_report.py evaluate LINKED.csv --data DIR --party AGENCY=FILE ...
                   [--cohort AGENCY.COLUMN=V1,V2 ...]
      precision and recall of the linkage against the generator's ground
      truth (DIR/ground_truth.csv with its eval_key column)

The evaluation is the demo's own check, outside the federation: only the
generator knows who is who. The linked data set carries, per agency, the
`eval_key` column — a random key per source row that fedlink-datagen
--eval-column wrote and that the agencies release like any attribute — and
ground_truth.csv maps each key to the person behind the row. No identifier,
local id or pseudonym is needed.

Measures, for every pair of agencies and over all pairs:
  precision  of the record pairs the linked rows join (one pair per linked
             row and pair of agencies holding a row in it), the share that
             are one person;
  recall     of the persons both agencies hold in the job's cohorts, the
             share that some linked row joins (a person counts once per
             pair of agencies, even with two enrolments or a duplicate
             student record, since a job links one record per agency).
"""
import argparse
import csv
import itertools
import sys
from collections import defaultdict

EVAL_COLUMN = "eval_key"


def read_linked(path):
    """Rows of the linked CSV and, per agency, the index of its eval_key."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or not header or header[0] != "research_id":
            sys.exit(f"{path}: not a `fedlink job results` CSV (no research_id column)")
        rows = list(reader)
    key_columns = {}
    for index, name in enumerate(header):
        agency, _, column = name.partition(".")
        if column == EVAL_COLUMN:
            key_columns[agency] = index
    return header, rows, key_columns


def preview(args):
    header, rows, _ = read_linked(args.linked)
    keep = [i for i, name in enumerate(header) if not name.endswith("." + EVAL_COLUMN)]
    table = [[header[i] for i in keep]]
    for row in rows[: args.rows]:
        table.append([row[i][:10] + "…" if i == 0 else row[i] for i in keep])
    widths = [min(max(len(r[c]) for r in table), 28) for c in range(len(keep))]
    for r in table:
        cells = [(v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(r, widths)]
        print("  " + "  ".join(cells).rstrip())
    print(f"  … {len(rows)} linked rows in all")


def parse_assignments(values, what):
    out = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key or not rest:
            sys.exit(f"--{what} {value}: expected NAME=VALUE")
        out.setdefault(key, []).append(rest)
    return out


def cohort_keys(data_dir, party_file, conditions):
    """eval_key → True for the rows of one agency's file its cohort selects."""
    path = f"{data_dir}/{party_file}.csv"
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if EVAL_COLUMN not in (reader.fieldnames or []):
            sys.exit(f"{path}: no {EVAL_COLUMN} column (generate with --eval-column)")
        for column, _ in conditions:
            if column not in reader.fieldnames:
                sys.exit(f"{path}: no column {column}")
        return {row[EVAL_COLUMN] for row in reader
                if all(row[column] in allowed for column, allowed in conditions)}


def evaluate(args):
    _, rows, key_columns = read_linked(args.linked)
    parties = {agency: files[0] for agency, files in parse_assignments(args.party, "party").items()}
    cohorts = defaultdict(list)
    for target, values in parse_assignments(args.cohort, "cohort").items():
        agency, _, column = target.partition(".")
        if agency not in parties or not column:
            sys.exit(f"--cohort {target}: expected AGENCY.COLUMN with an AGENCY given by --party")
        cohorts[agency].append((column, set(",".join(values).split(","))))
    missing = sorted(set(parties) - set(key_columns))
    if missing:
        sys.exit(f"{args.linked}: no {EVAL_COLUMN} column for {', '.join(missing)}")

    # entity of every row in the ground truth, by (file party, eval_key)
    entity = {}
    with open(f"{args.data}/ground_truth.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if EVAL_COLUMN not in (reader.fieldnames or []):
            sys.exit(f"{args.data}/ground_truth.csv: no {EVAL_COLUMN} column")
        for row in reader:
            entity[(row["party"], row[EVAL_COLUMN])] = row["entity_id"]

    # persons each agency holds in its cohort
    persons = {}
    for agency, party_file in parties.items():
        keys = cohort_keys(args.data, party_file, cohorts.get(agency, []))
        persons[agency] = {entity[(party_file, k)] for k in keys}

    agencies = list(parties)
    stats = {pair: {"predicted": 0, "correct": 0, "found": set()}
             for pair in itertools.combinations(agencies, 2)}
    for row in rows:
        held = {}
        for agency in agencies:
            key = row[key_columns[agency]]
            if key:
                person = entity.get((parties[agency], key))
                if person is None:
                    sys.exit(f"{args.linked}: an {agency} eval_key is not in the ground truth")
                held[agency] = person
        for pair, s in stats.items():
            a, b = pair
            if a in held and b in held:
                s["predicted"] += 1
                if held[a] == held[b]:
                    s["correct"] += 1
                    s["found"].add(held[a])

    def ratio(n, d):
        return n / d if d else 0.0

    print(f"  {'agencies':<24} {'linked pairs':>12} {'correct':>8} {'persons in both':>16}"
          f" {'found':>7} {'precision':>9} {'recall':>7}")
    total = {"predicted": 0, "correct": 0, "truth": 0, "found": 0}
    for (a, b), s in stats.items():
        truth = len(persons[a] & persons[b])
        found = len(s["found"])
        total["predicted"] += s["predicted"]
        total["correct"] += s["correct"]
        total["truth"] += truth
        total["found"] += found
        print(f"  {a + ' - ' + b:<24} {s['predicted']:>12} {s['correct']:>8} {truth:>16}"
              f" {found:>7} {ratio(s['correct'], s['predicted']):>9.4f}"
              f" {ratio(found, truth):>7.4f}")
    precision = ratio(total["correct"], total["predicted"])
    recall = ratio(total["found"], total["truth"])
    print(f"  {'all pairs':<24} {total['predicted']:>12} {total['correct']:>8}"
          f" {total['truth']:>16} {total['found']:>7} {precision:>9.4f} {recall:>7.4f}")
    print(f"PRECISION {precision:.4f} RECALL {recall:.4f}")
    if args.min is not None and (precision < args.min or recall < args.min):
        print(f"below the expected {args.min}")
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("preview", help="the first linked rows as a table")
    p.add_argument("linked")
    p.add_argument("--rows", type=int, default=8)
    e = commands.add_parser("evaluate", help="precision and recall against the ground truth")
    e.add_argument("linked")
    e.add_argument("--data", required=True, help="the fedlink-datagen output directory")
    e.add_argument("--party", action="append", required=True,
                   help="AGENCY=FILE: the agency's data is FILE.csv (repeat per agency)")
    e.add_argument("--cohort", action="append",
                   help="AGENCY.COLUMN=V1,V2: the job's cohort keeps rows with these values")
    e.add_argument("--min", type=float, help="exit 1 if precision or recall is below this")
    args = parser.parse_args()
    if args.command == "preview":
        preview(args)
        return 0
    return evaluate(args)


if __name__ == "__main__":
    sys.exit(main())
