#!/usr/bin/env bash
# Runs the benchmark programs in benches/programs with `gene run` (release build) beside
# python3, lua5.4 and node, and prints the best-of-N wall time of each and its ratio to
# python3. A runtime that is not installed is skipped with a note.
#
#   benches/compare.sh            # 3 runs each
#   RUNS=5 benches/compare.sh
#   benches/compare.sh generators  # only the named benchmarks
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs"
RUNS="${RUNS:-3}"
GENE="$ROOT/target/release/gene"

echo "Building gene (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"

declare -A CMD=([gene]="$GENE run" [python3]="python3" [lua5.4]="lua5.4" [node]="node")
declare -A EXT=([gene]="gene" [python3]="py" [lua5.4]="lua" [node]="js")
RUNTIMES=()
for r in gene python3 lua5.4 node; do
  if command -v "${CMD[$r]%% *}" >/dev/null 2>&1; then
    RUNTIMES+=("$r")
  else
    echo "note: $r is not installed; its column is skipped (apt-get install lua5.4 / nodejs)"
  fi
done

# Best wall time in seconds of RUNS runs of a command (output discarded).
best_time() {
  local best=""
  for _ in $(seq "$RUNS"); do
    local start end t
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "FAILED"; return; }
    end=$(date +%s%N)
    t=$(( (end - start) / 1000 ))
    if [[ -z "$best" || "$t" -lt "$best" ]]; then best=$t; fi
  done
  awk -v us="$best" 'BEGIN { printf "%.3f", us / 1e6 }'
}

printf "\n%-10s" "benchmark"
for r in "${RUNTIMES[@]}"; do printf " %10s" "$r"; done
printf " %12s\n" "gene/python"
BENCHES=("$@")
if [[ ${#BENCHES[@]} -eq 0 ]]; then
  BENCHES=(fib loop strings arrays maps methods generators)
fi
for bench in "${BENCHES[@]}"; do
  printf "%-10s" "$bench"
  declare -A T=()
  for r in "${RUNTIMES[@]}"; do
    T[$r]=$(best_time ${CMD[$r]} "$PROGRAMS/$bench.${EXT[$r]}")
    printf " %9ss" "${T[$r]}"
  done
  if [[ -n "${T[python3]:-}" && -n "${T[gene]:-}" ]]; then
    awk -v g="${T[gene]}" -v p="${T[python3]}" 'BEGIN { printf " %11.2fx\n", g / p }'
  else
    printf "\n"
  fi
  unset T
done

echo
echo "Peak memory (max RSS) of fib(32):"
sed 's/(fib 30)/(fib 32)/' "$PROGRAMS/fib.gene" > /tmp/gene_fib32.gene
sed 's/fib(30)/fib(32)/' "$PROGRAMS/fib.py" > /tmp/gene_fib32.py
for r in gene python3; do
  file=/tmp/gene_fib32.${EXT[$r]}
  rss=$( { /usr/bin/time -f "%M" ${CMD[$r]} "$file" >/dev/null; } 2>&1 | tail -1 )
  printf "  %-8s %8s KB\n" "$r" "$rss"
done

echo
echo "Start-up: gene run of a one-line file (mean of 50 runs):"
start=$(date +%s%N)
for _ in $(seq 50); do "$GENE" run "$PROGRAMS/oneline.gene" >/dev/null; done
end=$(date +%s%N)
awk -v ns="$((end - start))" 'BEGIN { printf "  %.2f ms\n", ns / 50 / 1e6 }'
