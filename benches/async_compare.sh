#!/usr/bin/env bash
# Benchmarks of the async runtime: the programs in benches/programs/async run with `gene run`
# (release build) beside node and python3 (asyncio), best-of-N wall time each, with the ratios
# gene/node and gene/python; peak memory of the 100,000-task program; concurrent against
# sequential reads of 100 files; and fib(30) inside `(await (async ...))` against plain fib(30).
# A runtime that is not installed is skipped with a note.
#
#   benches/async_compare.sh            # 3 runs each (10 for the fib comparison)
#   RUNS=5 benches/async_compare.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs/async"
RUNS="${RUNS:-3}"
FIB_RUNS="${FIB_RUNS:-10}"
GENE="$ROOT/target/release/gene"

echo "Building gene (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"

declare -A CMD=([gene]="$GENE run" [node]="node" [python3]="python3")
declare -A EXT=([gene]="gene" [node]="js" [python3]="py")
RUNTIMES=()
for r in gene node python3; do
  if command -v "${CMD[$r]%% *}" >/dev/null 2>&1; then
    RUNTIMES+=("$r")
  else
    echo "note: $r is not installed; its column is skipped"
  fi
done
has() { [[ " ${RUNTIMES[*]} " == *" $1 "* ]]; }

# Best wall time in seconds of N runs of a command (output discarded).
best_time() {
  local n=$1
  shift
  local best=""
  for _ in $(seq "$n"); do
    local start end t
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "FAILED"; return; }
    end=$(date +%s%N)
    t=$(( (end - start) / 1000 ))
    if [[ -z "$best" || "$t" -lt "$best" ]]; then best=$t; fi
  done
  awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }'; }

# Peak resident memory in KB of one run.
peak_kb() {
  local out
  out=$(mktemp)
  /usr/bin/time -o "$out" -f "%M" "$@" >/dev/null 2>&1 || true
  tail -1 "$out"
  rm -f "$out"
}

# CPU time (user + system) in seconds of one run.
cpu_s() {
  local out
  out=$(mktemp)
  /usr/bin/time -o "$out" -f "%U %S" "$@" >/dev/null 2>&1 || true
  tail -1 "$out" | awk '{ printf "%.3f", $1 + $2 }'
  rm -f "$out"
}

printf "\n%-24s" "benchmark"
for r in "${RUNTIMES[@]}"; do printf " %9s" "$r"; done
printf " %10s %12s\n" "gene/node" "gene/python"
for bench in sleeps3 sleeps1000 tasks100k; do
  case $bench in
    sleeps3) label="3 sleeps of 100 ms" ;;
    sleeps1000) label="1000 sleeps of 100 ms" ;;
    tasks100k) label="100k tasks, 10 ms sleep" ;;
  esac
  printf "%-24s" "$label"
  declare -A T=()
  for r in "${RUNTIMES[@]}"; do
    T[$r]=$(best_time "$RUNS" ${CMD[$r]} "$PROGRAMS/$bench.${EXT[$r]}")
    printf " %8ss" "${T[$r]}"
  done
  printf " %10s" "$(has node && ratio "${T[gene]}" "${T[node]}" || echo -)"
  printf " %12s\n" "$(has python3 && ratio "${T[gene]}" "${T[python3]}" || echo -)"
  unset T
done

echo
echo "CPU time (user + system) of the 3 sleeps, which mostly wait: gene $(cpu_s $GENE run "$PROGRAMS/sleeps3.gene")s"

echo
echo "Peak memory (max RSS) of 100k tasks:"
for r in "${RUNTIMES[@]}"; do
  printf "  %-8s %8s KB\n" "$r" "$(peak_kb ${CMD[$r]} "$PROGRAMS/tasks100k.${EXT[$r]}")"
done

echo
echo "Reads of 100 files of 240 KB (page cache warm):"
DATA="$(mktemp -d)"
trap 'rm -rf "$DATA"' EXIT
for i in $(seq 0 99); do
  awk -v i="$i" 'BEGIN { for (k = 0; k < 5000; k++) print "line " i " of a file to read, with some more text" }' > "$DATA/file$i.txt"
done
cat "$DATA"/* >/dev/null
conc=$(best_time "$RUNS" $GENE run "$PROGRAMS/reads_concurrent.gene" "$DATA")
seq_t=$(best_time "$RUNS" $GENE run "$PROGRAMS/reads_sequential.gene" "$DATA")
printf "  gene concurrent  %ss\n  gene sequential  %ss  (concurrent/sequential: %s)\n" "$conc" "$seq_t" "$(ratio "$conc" "$seq_t")"
for r in node python3; do
  if has $r; then
    printf "  %-8s concurrent %ss\n" "$r" "$(best_time "$RUNS" ${CMD[$r]} "$PROGRAMS/reads_concurrent.${EXT[$r]}" "$DATA")"
  fi
done

echo
echo "fib(30) inside (await (async ...)) against plain fib(30), best of $FIB_RUNS:"
plain=$(best_time "$FIB_RUNS" $GENE run "$ROOT/benches/programs/fib.gene")
task=$(best_time "$FIB_RUNS" $GENE run "$PROGRAMS/fib_in_task.gene")
printf "  plain %ss  in a task %ss  (task/plain: %s)\n" "$plain" "$task" "$(ratio "$task" "$plain")"
