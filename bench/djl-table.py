#!/usr/bin/env python3
"""Turns bench/results/*-djl-vs-seqpredict-sample.txt into the Markdown table of BENCHMARKS.md."""
import re, sys
rows, load, cur = {}, {}, None
for line in open(sys.argv[1]):
    m = re.match(r"# load average before (\S+) H=(\d+) L=(\d+): (\S+)", line)
    if m:
        cur = (m[1], int(m[2]), int(m[3])); load[cur] = m[4]; continue
    m = re.match(r"DjlStepBenchmark\.(djl|seqpredict)(:\S+)?\s+(\S+)\s+(\d+)\s+(\d+)\s+sample\s+(?:\d+\s+)?([\d.]+)", line)
    if m:
        key = (m[3], int(m[4]), int(m[5])); r = rows.setdefault(key, {})
        r[(m[1], m[2] or "mean")] = float(m[6])
print("| cell | H | layers | DJL p50 ns | seqpredict p50 ns | ratio p50 | DJL mean ns | seqpredict mean ns | ratio mean | DJL B/op | seqpredict B/op | load (1 min) |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(rows, key=lambda k: (["lstm", "gru", "rnn_tanh"].index(k[0]), k[1], k[2])):
    r = rows[key]
    try:
        d50, s50 = r[("djl", ":p0.50")], r[("seqpredict", ":p0.50")]
        dm, sm = r[("djl", "mean")], r[("seqpredict", "mean")]
        da, sa = r[("djl", ":gc.alloc.rate.norm")], r[("seqpredict", ":gc.alloc.rate.norm")]
    except KeyError:
        continue
    print(f"| {key[0]} | {key[1]} | {key[2]} | {d50:,.0f} | {s50:,.0f} | **{d50/s50:,.0f}×** | {dm:,.0f} | {sm:,.0f} | {dm/sm:,.0f}× | {da:,.0f} | {sa:.2f} | {load.get(key,'?')} |")
