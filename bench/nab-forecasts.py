#!/usr/bin/env python3
"""One-step forecast table from `seqpredict nab --forecasts` output.

Usage: bench/nab-forecasts.py [--per-file] [--real-only] RUN_DIR [RUN_DIR ...]
  RUN_DIR holds <detector>-forecasts/<category>/<name>.csv (timestamp,value,forecast), e.g. one per seed.

Per file, over the rows NAB scores (after the probationary period, min(floor(0.15 n), 750) rows) that have
a model forecast, the mean absolute one-step error of:
  model     the forecast column (made from rows before the row only)
  last      the previous row's value
  seasonal  the value one day earlier (the last row at or before ts - 24 h; the last value when there is none)
  ses       simple exponential smoothing, factor alpha fitted on the probationary rows only (grid 0.01..1,
            least one-step MAE), level started at the first row and run over the whole file
Then per run: geometric mean of model/last MAE ratios, files where the model is better than each baseline,
files worse than 1.05x the last value; "real" = realAWSCloudwatch + realKnownCause. Files whose last-value
MAE is 0 are left out of ratios and counts (and a baseline's zero MAE out of its geometric mean).
Python 3 + numpy only.
"""
import csv
import glob
import math
import os
import sys
from datetime import datetime, timedelta

import numpy as np

REAL = ("realAWSCloudwatch", "realKnownCause")


def read(path):
    ts, x, f = [], [], []
    with open(path, newline="") as fh:
        r = csv.reader(fh)
        next(r)
        for row in r:
            ts.append(datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S"))
            x.append(float(row[1]))
            f.append(float(row[2]) if row[2] != "" else math.nan)
    return ts, np.array(x), np.array(f)


def ses_forecasts(x, alpha):
    """out[t] = forecast of x[t] from x[0..t-1]; out[0] = nan."""
    out = np.full(len(x), math.nan)
    level = x[0]
    for t in range(1, len(x)):
        out[t] = level
        level = level + alpha * (x[t] - level)
    return out


def fit_alpha(x, p):
    best, best_err = 1.0, math.inf
    for a in np.arange(0.01, 1.0001, 0.01):
        f = ses_forecasts(x[:p], a)
        err = np.nanmean(np.abs(f[1:] - x[1:p])) if p > 1 else math.inf
        if err < best_err - 1e-12:
            best, best_err = a, err
    return best


def seasonal(ts, x):
    out = np.full(len(x), math.nan)
    j = 0
    for t in range(1, len(x)):
        target = ts[t] - timedelta(days=1)
        while j + 1 < t and ts[j + 1] <= target:
            j += 1
        out[t] = x[j] if ts[j] <= target else x[t - 1]
    return out


def file_row(path, rel):
    ts, x, f = read(path)
    n = len(x)
    p = int(min(math.floor(0.15 * n), 750))
    rows = np.array([t for t in range(max(p, 1), n) if not math.isnan(f[t])])
    alpha = fit_alpha(x, p)
    s = ses_forecasts(x, alpha)
    d = seasonal(ts, x)
    err = lambda fc: float(np.mean(np.abs(fc[rows] - x[rows])))
    return {"file": rel, "rows": len(rows), "model": err(f), "last": err(np.concatenate(([math.nan], x[:-1]))),
            "seasonal": err(d), "ses": err(s), "alpha": alpha}


def summarize(rows, label):
    rows = [r for r in rows if r["last"] > 0]
    ratio = np.array([r["model"] / r["last"] for r in rows])
    # a forecaster with MAE 0 on a file (the day-before value on a noiseless daily wave) is left out of its mean
    geo = lambda a: float(np.exp(np.mean(np.log(a[a > 0]))))
    return {
        "set": label, "files": len(rows),
        "geo_model": geo(ratio),
        "geo_seasonal": geo(np.array([r["seasonal"] / r["last"] for r in rows])),
        "geo_ses": geo(np.array([r["ses"] / r["last"] for r in rows])),
        "won_last": sum(r["model"] < r["last"] for r in rows),
        "won_seasonal": sum(r["model"] < r["seasonal"] for r in rows),
        "won_ses": sum(r["model"] < r["ses"] for r in rows),
        "over_105": sum(r["model"] > 1.05 * r["last"] for r in rows),
        "worst": max(ratio), "worst_file": rows[int(np.argmax(ratio))]["file"],
    }


def main(argv):
    per_file = "--per-file" in argv
    dirs = [a for a in argv if not a.startswith("--")]
    if not dirs:
        sys.exit(__doc__)
    sums = []
    for d in dirs:
        fdirs = glob.glob(os.path.join(d, "*-forecasts"))
        if len(fdirs) != 1:
            sys.exit(f"{d}: expected one <detector>-forecasts directory, found {fdirs}")
        base = fdirs[0]
        rows = []
        for path in sorted(glob.glob(os.path.join(base, "*", "*.csv"))):
            rows.append(file_row(path, os.path.relpath(path, base)))
        if per_file:
            print(f"## {d}")
            print("| file | rows | model | last | day before | SES (alpha) | model/last |")
            print("|---|---|---|---|---|---|---|")
            for r in rows:
                ratio = r["model"] / r["last"] if r["last"] > 0 else math.nan
                print(f"| {r['file']} | {r['rows']} | {r['model']:.4g} | {r['last']:.4g} | {r['seasonal']:.4g} | "
                      f"{r['ses']:.4g} ({r['alpha']:.2f}) | {ratio:.3f} |")
        real = [r for r in rows if r["file"].split("/")[0] in REAL]
        for s in (summarize(real, "real"), summarize(rows, "all")):
            s["run"] = d
            sums.append(s)
    print("| run | set | files | geo model/last | geo day-before/last | geo SES/last | model < last | model < day before "
          "| model < SES | model > 1.05x last | worst (file) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in sums:
        print(f"| {s['run']} | {s['set']} | {s['files']} | {s['geo_model']:.3f} | {s['geo_seasonal']:.3f} | "
              f"{s['geo_ses']:.3f} | {s['won_last']} | {s['won_seasonal']} | {s['won_ses']} | {s['over_105']} | "
              f"{s['worst']:.2f} ({s['worst_file']}) |")
    if len(dirs) > 1:
        for label in ("real", "all"):
            ss = [s for s in sums if s["set"] == label]
            g = np.array([s["geo_model"] for s in ss])
            print(f"{label}: geo model/last mean {g.mean():.3f} (min {g.min():.3f}, max {g.max():.3f}) over {len(ss)} runs; "
                  + ", ".join(f"{k} {np.mean([s[k] for s in ss]):.1f} ({min(s[k] for s in ss)}..{max(s[k] for s in ss)})"
                              for k in ("won_last", "won_seasonal", "won_ses", "over_105")))


if __name__ == "__main__":
    main(sys.argv[1:])
