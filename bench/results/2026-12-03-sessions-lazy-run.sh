#!/usr/bin/env bash
cd /tmp/jars4
out=/work/wt-sessions4/bench/results/2026-12-03-sessions-lazy.log
: > $out
run() { # jar gap label
  echo "== $3 gap $2 jar $1  $(uptime)" >> $out
  java --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 -jar /tmp/jars4/$1/seqpredict.jar \
    bench --engines flink-heap,kstreams --models lstm --repeat 2 --keys 10000 --events 300000 --latency-events 1000 --rate 500 \
    --swap-seconds 0 --session-gap-ms $2 > /tmp/jars4/last.out 2>/tmp/jars4/last.err
  grep '^| ' /tmp/jars4/last.out | grep -v -- '---' | grep -v '^| engine' >> $out
}
for r in 1 2; do
  run new 0 "round $r off"
  run new 60000 "round $r on (lazy)"
  run old 60000 "round $r on (main, eager)"
done
echo "== end $(uptime)" >> $out
