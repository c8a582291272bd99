#!/usr/bin/env bash
# CPU seconds (user+sys) of the whole bench JVM per engine, sessions off vs on, alternating; less sensitive to other
# agents' load than events/s (wall time).
cd /tmp/jars4
out=/work/wt-sessions4/bench/results/2026-12-03-sessions-lazy-cpu.log
: > $out
run() { # jar gap engine
  echo "== $1 gap $2 $3  $(uptime)" >> $out
  ( java --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 -jar /tmp/jars4/$1/seqpredict.jar \
    bench --engines $3 --models lstm --repeat 2 --keys 10000 --events 300000 --latency-events 1000 --rate 500 \
    --swap-seconds 0 --session-gap-ms $2 > /tmp/jars4/cpu.out 2>/tmp/jars4/cpu.err ; times > /tmp/jars4/times.txt )
  grep '^| ' /tmp/jars4/cpu.out | grep -v -- '---' | grep -v '^| engine' | awk '!seen[$0]++' >> $out
  echo "cpu (children user sys): $(tail -1 /tmp/jars4/times.txt)" >> $out
}
for r in 1 2; do
  for e in flink-heap kstreams; do
    run new 0 $e
    run new 60000 $e
    run old 60000 $e
  done
done
echo "== end $(uptime)" >> $out
