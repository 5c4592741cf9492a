#!/usr/bin/env python3
"""Compare `policyscan scan` on tests/data/phrasings with its EXPECTED.toml.

Usage: scripts/eval_phrasings.py [--bin target/release/policyscan] [--verbose]

Prints every disagreement (stance, reasons, criteria, parity) and a summary
line: PHRASINGS stance_acc=... ketamine=... esketamine=... reasons_f1=...
criteria_f1=... parity_acc=... Python 3.11 standard library only.
"""
import argparse, json, os, subprocess, sys, tomllib

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
data = os.path.join(root, "tests", "data", "phrasings")

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=os.path.join(root, "target", "release", "policyscan"))
ap.add_argument("--verbose", action="store_true")
args = ap.parse_args()

with open(os.path.join(data, "EXPECTED.toml"), "rb") as f:
    expected = tomllib.load(f)
out = subprocess.run([args.bin, "scan", data, "--format", "json", "--no-cache", "-q"],
                     capture_output=True, check=False)
report = json.loads(out.stdout)
docs = {os.path.splitext(os.path.basename(d["path"]))[0]: d for d in report["documents"]}

def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0

ok = {"ketamine": 0, "esketamine": 0}
counts = {"reasons": [0, 0, 0], "criteria": [0, 0, 0]}
parity_ok = 0
for name in sorted(expected):
    e = expected[name]
    d = docs.get(name)
    if d is None:
        print(f"MISSING {name}")
        continue
    for t in ("ketamine", "esketamine"):
        got = d["topics"][t]
        if got["stance"] == e[t]:
            ok[t] += 1
            for k in ("reasons", "criteria"):
                g, x = set(got[k]), set(e[f"{t}_{k}"])
                c = counts[k]
                c[0] += len(g & x); c[1] += len(g - x); c[2] += len(x - g)
                if g != x and args.verbose:
                    print(f"  {name} {t} {k}: got {sorted(g)} want {sorted(x)}")
        else:
            print(f"{name} {t}: got {got['stance']} {got['reasons']} want {e[t]}  -- {e['why'][:140]}")
    if d["topics"]["mental_health_parity"]["mentioned"] == e["parity"]:
        parity_ok += 1
    else:
        print(f"{name} parity: got {d['topics']['mental_health_parity']['mentioned']} want {e['parity']}")
n = len(expected)
print(f"PHRASINGS n={n} stance_acc={(ok['ketamine'] + ok['esketamine']) / (2 * n):.3f} "
      f"ketamine={ok['ketamine'] / n:.3f} esketamine={ok['esketamine'] / n:.3f} "
      f"reasons_f1={f1(*counts['reasons']):.3f} criteria_f1={f1(*counts['criteria']):.3f} "
      f"parity_acc={parity_ok / n:.3f}")
