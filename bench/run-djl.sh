#!/usr/bin/env bash
# DJL per-event call vs our step, same weights: for each (cell, H, layers) both benchmarks run back to back
# (two forks, ~20 s apart), so each ratio compares numbers taken under the same machine load.
# Sample mode: the p50 of single calls is far less disturbed by other processes than the average.
set -uo pipefail
cd "$(dirname "$0")/.."
out=bench/results/$(date -u +%F)-djl-vs-seqpredict-sample.txt
{ echo "# command: bench/run-djl.sh  (per cell/H/layers: java -jar target/benchmarks.jar DjlStepBenchmark -p cell=C -p hidden=H -p layers=L -bm sample -tu ns -f 1 -wi 3 -w 1s -i 3 -r 1s -prof gc)"
  echo "# machine: nproc $(nproc); cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2); $(java -version 2>&1 | head -1)"; } > "$out"
for cell in lstm gru rnn_tanh; do for h in 32 64 128; do for l in 1 2; do
  echo "# load average before $cell H=$h L=$l: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
  java -jar target/benchmarks.jar DjlStepBenchmark -p cell=$cell -p hidden=$h -p layers=$l -bm sample -tu ns \
    -f 1 -wi 3 -w 1s -i 3 -r 1s -prof gc 2>&1 | grep -E '^parity|^DjlStepBenchmark' | grep -vE 'gc.count|gc.time|alloc.rate |p0.00|p0.90|p0.999|p1.00' >> "$out"
done; done; done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
