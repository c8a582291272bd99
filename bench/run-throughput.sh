#!/usr/bin/env bash
# Runs the throughput tables of BENCHMARKS.md one after another; raw output in bench/results/.
# Usage: bench/run-throughput.sh [table ...]   (default: engines keys hidden; also: rocks1m, eos)
set -uo pipefail
cd "$(dirname "$0")/.."
day=$(date -u +%F)
machine() {
  echo "# machine: nproc $(nproc); cpu$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2); $(java -version 2>&1 | head -1)"
}
run() {
  local name=$1; shift
  local out=bench/results/$day-$name
  rm -f "$out.rows"
  { echo "# command: ./seqpredict bench $*"; machine; echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$out.md"
  ./seqpredict bench "$@" --out "$out.rows" > "$out.log" 2>&1
  echo "# exit code $?" >> "$out.md"
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out.md"
  grep -m1 '^| engine' "$out.log" >> "$out.md"; grep -m1 '^|---' "$out.log" >> "$out.md"
  cat "$out.rows" >> "$out.md" 2>/dev/null; rm -f "$out.rows"
}
tables=("${@:-engines keys hidden}")
for t in ${tables[@]}; do
  case $t in
    engines) run engines --engines flink-heap,flink-rocksdb,kstreams --models lstm,identity --repeat 2 --keys 10000 \
               --events 150000 --latency-events 2000 --rate 500 --swap-seconds 4 ;;
    keys)    run keys --engines flink-heap,flink-rocksdb,kstreams --models lstm --keys 1000,10000,100000,1000000 \
               --events 100000 --min-events-per-key 2 --latency-events 1000 --rate 500 --swap-seconds 0 --timeout 300 ;;
    hidden)  run hidden --engines flink-heap --models lstm,identity --repeat 2 --hidden 32,64,128 --keys 10000 \
               --events 400000 --latency-events 1000 --rate 500 --swap-seconds 0 ;;
    rocks1m) run rocks1m --engines flink-rocksdb --models lstm --keys 1000000 --events 100000 --min-events-per-key 2 \
               --incremental --latency-events 1000 --rate 500 --swap-seconds 0 --timeout 300 ;;
    eos)     run eos --engines flink-heap,kstreams --models lstm --keys 10000 --events 100000 --exactly-once \
               --checkpoint-ms 1000 --latency-events 2000 --rate 500 --swap-seconds 4 ;;
  esac
done
