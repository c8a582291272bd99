#!/usr/bin/env python3
"""Per-category view of a `seqpredict nab-score --per-file` run: windows detected, false-positive detections and
the sum of the files' raw scores at the corpus threshold, for one profile.

usage: ./seqpredict nab-score --results DIR --detector NAME --labels FILE --per-file --profile standard \
         | bench/nab-categories.py
"""
import sys
from collections import defaultdict

agg = defaultdict(lambda: [0, 0, 0, 0.0])  # detected, windows, fp, raw
header = None
for line in sys.stdin:
    if ' score ' in line and header is None:
        header = line.strip()
    parts = line.split()
    if len(parts) >= 7 and parts[0].endswith('.csv') and parts[1] == 'raw':
        cat = parts[0].split('/')[0]
        found, total = parts[4].split('/')
        a = agg[cat]
        a[0] += int(found); a[1] += int(total); a[2] += int(parts[6]); a[3] += float(parts[2])
print(header)
print(f"{'category':24s} {'windows':>9s} {'FP':>4s} {'raw':>8s}")
for cat in sorted(agg):
    d, w, fp, raw = agg[cat]
    print(f"{cat:24s} {d:4d}/{w:<4d} {fp:4d} {raw:8.2f}")
