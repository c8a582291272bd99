#!/usr/bin/env python3
"""Per NAB file: scores at or above a threshold outside the labelled windows, and per window its largest
score (and where in the window, 0..1) and its first score at or above the threshold ('-' = never).

  bench/nab-windows.py RESULTS THRESHOLD LABELS [DETECTOR]
  e.g. bench/nab-windows.py /tmp/nq/f1 0.5023 ../shared/data/nab-dev/labels/combined_windows.json

RESULTS is a `nab --out` directory; THRESHOLD the one `nab-score` prints. Rows at or above the threshold are
counted as they are: NAB's scorer counts the result files' detections the same way, since `nab` writes the
scores after alarm suppression.
"""
import csv
import json
import sys

if len(sys.argv) < 4:
    sys.exit(__doc__)
res, thr, labels = sys.argv[1], float(sys.argv[2]), sys.argv[3]
det = sys.argv[4] if len(sys.argv) > 4 else 'seqpredict'
windows = json.load(open(labels))
total_fp = 0
for f in sorted(windows):
    cat, name = f.split('/')
    rows = list(csv.DictReader(open(f'{res}/{det}/{cat}/{det}_{name}')))
    ts = [r['timestamp'] for r in rows]
    sc = [float(r['anomaly_score']) for r in rows]
    idx = []
    for a, b in ((w[0][:19], w[1][:19]) for w in windows[f]):
        i = next(k for k, t in enumerate(ts) if t >= a)
        j = max(k for k, t in enumerate(ts) if t <= b)
        idx.append((i, j))
    fp = sum(1 for k, s in enumerate(sc) if s >= thr and not any(i <= k <= j for i, j in idx))
    total_fp += fp
    out = []
    for n, (i, j) in enumerate(idx):
        seg = sc[i:j + 1]
        top = max(seg)
        first = next((k for k, s in enumerate(seg) if s >= thr), None)
        where = '-' if first is None else f'{first / (j - i + 1):.2f}'
        out.append(f'w{n}[{i}-{j}] max {top:.3f}@{seg.index(top) / (j - i + 1):.2f} first {where}')
    print(f'{f:60s} n={len(rows):5d} fp={fp:3d} ' + ' | '.join(out))
print('total fp', total_fp)
