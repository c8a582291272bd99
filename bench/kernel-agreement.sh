#!/usr/bin/env bash
# Whether the last bits depend on the kernel: the same model over the same CSV with the Vector API
# kernels at the CPU's full width, at 8 lanes (-XX:MaxVectorSize=32) and with the scalar fallback.
# Prints, for each pair, the rows whose outputs differ, the largest difference and whether the two
# output files are the same bytes (since issue 15 they must be: 0 rows). Needs `mvn package`.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-examples/sensor-lstm.safetensors}
input=${2:-examples/sensors.csv}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { # name, jvm flags...
  local name=$1; shift
  java "$@" -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 -cp "target/seqpredict.jar:target/lib/*" \
    dev.seqpredict.cli.SeqPredictCli predict --model "$model" --input "$input" --output "$tmp/$name.csv" 2>/dev/null
}
run full --add-modules jdk.incubator.vector
run lanes8 --add-modules jdk.incubator.vector -XX:MaxVectorSize=32
run scalar
compare() {
  paste -d, "$tmp/$1.csv" "$tmp/$2.csv" | awk -F, -v a="$1" -v b="$2" '
    NR == 1 { n = NF / 2; next }
    { rows++; diff = 0; for (i = 3; i <= n; i++) { d = $i - $(i + n); if (d < 0) d = -d; if (d > 0) diff = 1; if (d > max) max = d }
      changed += diff }
    END { printf "%s vs %s: %d of %d rows differ, max |difference| %.3g", a, b, changed, rows, max }'
  if cmp -s "$tmp/$1.csv" "$tmp/$2.csv"; then echo "; identical bytes"; else echo "; files differ"; fi
}
echo "# command: bench/kernel-agreement.sh $model $input; $(java -version 2>&1 | sed -n 1p); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
compare full lanes8
compare full scalar
compare lanes8 scalar
