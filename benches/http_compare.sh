#!/usr/bin/env bash
# Benchmark of the HTTP client: 1000 concurrent GETs against a local server (the tokio server
# of gene-vm/examples/http_bench_server.rs, started here, shared by every client), with gene
# (`gene/http/get_async`), node (`fetch`) and Python (aiohttp). Each program measures its own
# requests (start-up excluded) and the best of N runs is kept; the wall time of the whole
# process (start-up included) is shown too, with the ratios gene/node and gene/python.
#
# aiohttp is taken from $AIOHTTP_PYTHON, else from python3 when it has it, else installed from
# PyPI into a venv under /tmp (skipped with a note when that fails). A missing runtime is
# skipped with a note.
#
#   benches/http_compare.sh            # 5 runs each
#   RUNS=10 benches/http_compare.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs/http"
RUNS="${RUNS:-5}"
GENE="$ROOT/target/release/gene"
SERVER="$ROOT/target/release/examples/http_bench_server"
VENV="${TMPDIR:-/tmp}/gene-bench-aiohttp"

echo "Building gene and the server (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"
cargo build --release -q -p gene-vm --example http_bench_server --manifest-path "$ROOT/Cargo.toml"

# The server prints its URL once it listens.
SERVER_OUT="$(mktemp)"
"$SERVER" >"$SERVER_OUT" &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null; rm -f "$SERVER_OUT"' EXIT
for _ in $(seq 100); do
  [[ -s "$SERVER_OUT" ]] && break
  sleep 0.05
done
BASE="$(head -1 "$SERVER_OUT")"
[[ -n "$BASE" ]] || { echo "the server did not start"; exit 1; }
echo "server: $BASE"

PYTHON=""
if [[ -n "${AIOHTTP_PYTHON:-}" ]]; then
  PYTHON="$AIOHTTP_PYTHON"
elif command -v python3 >/dev/null 2>&1 && python3 -c "import aiohttp" 2>/dev/null; then
  PYTHON="python3"
elif [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import aiohttp" 2>/dev/null; then
  PYTHON="$VENV/bin/python"
elif command -v python3 >/dev/null 2>&1; then
  echo "Installing aiohttp into $VENV..."
  if python3 -m venv "$VENV" >/dev/null 2>&1 && "$VENV/bin/pip" install -q aiohttp >/dev/null 2>&1; then
    PYTHON="$VENV/bin/python"
  else
    echo "note: aiohttp could not be installed; the python column is skipped"
  fi
fi

declare -A CMD=([gene]="$GENE run" [node]="node" [python]="$PYTHON")
declare -A EXT=([gene]="gene" [node]="js" [python]="py")
RUNTIMES=(gene)
if command -v node >/dev/null 2>&1; then RUNTIMES+=(node); else echo "note: node is not installed; its column is skipped"; fi
if [[ -n "$PYTHON" ]]; then RUNTIMES+=(python); fi
has() { [[ " ${RUNTIMES[*]} " == *" $1 "* ]]; }

# Best of N: the seconds the program reports, and the wall seconds of the process.
best() {
  local cmd=$1 file=$2 best_in="" best_wall=""
  for _ in $(seq "$RUNS"); do
    local start end inside wall
    start=$(date +%s%N)
    inside=$($cmd "$file" "$BASE" 2>/dev/null | tail -1) || { echo "FAILED FAILED"; return; }
    end=$(date +%s%N)
    wall=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    inside=$(awk -v s="$inside" 'BEGIN { printf "%.3f", s }')
    if [[ -z "$best_in" ]] || awk -v a="$inside" -v b="$best_in" 'BEGIN { exit !(a < b) }'; then best_in=$inside; fi
    if [[ -z "$best_wall" ]] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then best_wall=$wall; fi
  done
  echo "$best_in $best_wall"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }'; }

declare -A IN=() WALL=()
for r in "${RUNTIMES[@]}"; do
  read -r IN[$r] WALL[$r] < <(best "${CMD[$r]}" "$PROGRAMS/get1000.${EXT[$r]}")
done

echo
echo "1000 concurrent GETs, best of $RUNS (requests only / whole process):"
for r in "${RUNTIMES[@]}"; do
  printf "  %-8s %8ss  %8ss\n" "$r" "${IN[$r]}" "${WALL[$r]}"
done
for other in node python; do
  if has $other; then
    printf "  gene/%-7s %s (whole process: %s)\n" "$other" \
      "$(ratio "${IN[gene]}" "${IN[$other]}")" "$(ratio "${WALL[gene]}" "${WALL[$other]}")"
  fi
done
