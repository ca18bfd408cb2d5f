#!/usr/bin/env bash
# Runs the benchmark programs in benches/programs with `gene run` (release build) beside
# python3, lua5.4 and node, and prints the best-of-N wall time of each and its ratio to
# python3. A runtime that is not installed is skipped with a note.
#
#   benches/compare.sh            # 3 runs each
#   RUNS=5 benches/compare.sh
#   benches/compare.sh generators  # only the named benchmarks
#
# A benchmark without a twin in some language shows "-" in that column.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs"
RUNS="${RUNS:-3}"
GENE="$ROOT/target/release/gene"

echo "Building gene (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"

# A pyenv shim is a shell script that costs 0.1-0.3 s per start: time the interpreter itself.
PYTHON=python3
if command -v pyenv >/dev/null 2>&1 && PY_REAL=$(pyenv which python3 2>/dev/null); then
  PYTHON=$PY_REAL
fi
declare -A CMD=([gene]="$GENE run" [python3]="$PYTHON" [lua5.4]="lua5.4" [node]="node")
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
printf " %12s %10s\n" "gene/python" "gene/lua"
BENCHES=("$@")
if [[ ${#BENCHES[@]} -eq 0 ]]; then
  # The repository's own rows, then ordinary programs nobody tuned the VM for.
  BENCHES=(fib loop strings arrays maps methods generators sieve queens list closures concat)
fi
# Ratios (one line per benchmark: gene/python gene/lua) for the geometric means.
RATIOS=$(mktemp)
trap 'rm -f "$RATIOS"' EXIT
ratio() { awk -v g="$1" -v o="$2" 'BEGIN { if (g == "" || o == "" || o == 0) print "-"; else printf "%.2f", g / o }'; }
for bench in "${BENCHES[@]}"; do
  printf "%-10s" "$bench"
  declare -A T=()
  for r in "${RUNTIMES[@]}"; do
    if [[ ! -f "$PROGRAMS/$bench.${EXT[$r]}" ]]; then
      printf " %10s" "-"
      continue
    fi
    T[$r]=$(best_time ${CMD[$r]} "$PROGRAMS/$bench.${EXT[$r]}")
    printf " %9ss" "${T[$r]}"
  done
  rp=$(ratio "${T[gene]:-}" "${T[python3]:-}")
  rl=$(ratio "${T[gene]:-}" "${T[lua5.4]:-}")
  printf " %11sx %9sx\n" "$rp" "$rl"
  echo "$rp $rl" >> "$RATIOS"
  unset T
done
awk '{ for (i = 1; i <= 2; i++) if ($i != "-") { s[i] += log($i); n[i]++ } }
     END { printf "%-10s geomean: %.2fx python3, %.2fx lua5.4\n", "", (n[1] ? exp(s[1] / n[1]) : 0), (n[2] ? exp(s[2] / n[2]) : 0) }' "$RATIOS"

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
