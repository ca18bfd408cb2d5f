#!/usr/bin/env bash
# Counts the instructions `gene run` (release build) executes on each program of
# benches/programs under valgrind's callgrind: a measure that does not depend on what else
# the machine is doing. Profiles are kept for callgrind_annotate.
#
#   benches/callgrind.sh                  # every program with a .gene file, except oneline
#   benches/callgrind.sh sieve list       # only these
#   OUT=/tmp/prof benches/callgrind.sh    # where the profiles go (default: /tmp/gene-callgrind)
#
# callgrind_annotate --inclusive=yes $OUT/sieve.out | head -40   # where the time goes
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs"
GENE="$ROOT/target/release/gene"
OUT="${OUT:-/tmp/gene-callgrind}"
mkdir -p "$OUT"

command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
echo "Building gene (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"

BENCHES=("$@")
if [[ ${#BENCHES[@]} -eq 0 ]]; then
  BENCHES=(fib loop strings arrays maps methods generators sieve queens list closures concat)
fi
printf "%-12s %16s\n" "program" "instructions"
for bench in "${BENCHES[@]}"; do
  valgrind --tool=callgrind --callgrind-out-file="$OUT/$bench.out" \
    "$GENE" run "$PROGRAMS/$bench.gene" >/dev/null 2>"$OUT/$bench.log" \
    || { printf "%-12s %16s\n" "$bench" "FAILED (see $OUT/$bench.log)"; continue; }
  ir=$(grep -E '^==[0-9]+== Collected' "$OUT/$bench.log" | awk '{ print $4 }')
  printf "%-12s %16s\n" "$bench" "$(printf "%'d" "$ir" 2>/dev/null || echo "$ir")"
done
