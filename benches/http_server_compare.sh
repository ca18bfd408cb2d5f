#!/usr/bin/env bash
# Benchmark of the HTTP server: a hello-world handler under a load generator (wrk from Debian,
# else oha) with gene (`gene/http/serve_async`, release build), node (`http.createServer`) and
# Python (aiohttp's web server), one after another on the same machine, in one run. Each server
# gets a warm-up, then ROUNDS measured runs of DURATION with CONNECTIONS keep-alive connections
# on one load-generator thread; the best requests per second of each is kept, and the ratios
# gene/node and gene/python are printed.
#
# aiohttp is taken from $AIOHTTP_PYTHON, else from python3 when it has it, else installed from
# PyPI into a venv under /tmp (skipped with a note when that fails). A missing runtime is
# skipped with a note.
#
#   benches/http_server_compare.sh
#   DURATION=10s CONNECTIONS=100 ROUNDS=5 benches/http_server_compare.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs/http_server"
DURATION="${DURATION:-5s}"
CONNECTIONS="${CONNECTIONS:-50}"
ROUNDS="${ROUNDS:-3}"
GENE="$ROOT/target/release/gene"
VENV="${TMPDIR:-/tmp}/gene-bench-aiohttp"

if command -v wrk >/dev/null 2>&1; then
  LOAD=wrk
elif command -v oha >/dev/null 2>&1; then
  LOAD=oha
else
  echo "neither wrk (apt-get install wrk) nor oha (cargo install oha) is installed"
  exit 1
fi

echo "Building gene (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"

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

declare -A CMD=([gene]="$GENE run --no-progress $PROGRAMS/hello.gene" [node]="node $PROGRAMS/hello.js" [python]="$PYTHON $PROGRAMS/hello.py")
RUNTIMES=(gene)
if command -v node >/dev/null 2>&1; then RUNTIMES+=(node); else echo "note: node is not installed; its column is skipped"; fi
if [[ -n "$PYTHON" ]]; then RUNTIMES+=(python); fi
has() { [[ " ${RUNTIMES[*]} " == *" $1 "* ]]; }

SERVER_PID=""
SERVER_OUT="$(mktemp)"
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -f "$SERVER_OUT"
}
trap cleanup EXIT

# Starts a server (port 0) and sets URL once it prints it.
start() {
  : >"$SERVER_OUT"
  # shellcheck disable=SC2086
  $1 0 >"$SERVER_OUT" 2>/dev/null &
  SERVER_PID=$!
  for _ in $(seq 200); do
    [[ -s "$SERVER_OUT" ]] && break
    sleep 0.05
  done
  URL="$(head -1 "$SERVER_OUT")"
  [[ -n "$URL" ]] || { echo "the server ($1) did not start"; exit 1; }
}

stop() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# Requests per second of one run against URL, and the number of non-2xx responses and errors.
measure() {
  local duration=$1
  if [[ $LOAD == wrk ]]; then
    local out
    out=$(wrk -t1 -c"$CONNECTIONS" -d"$duration" "$URL/")
    local rps bad
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    bad=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")
    echo "$rps $bad"
  else
    local out
    out=$(oha --no-tui -c "$CONNECTIONS" -z "$duration" --json "$URL/")
    local rps bad
    rps=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(round(d["summary"]["requestsPerSec"], 2))' <<<"$out")
    bad=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(v for k, v in d["statusCodeDistribution"].items() if not k.startswith("2")) + sum(d["errorDistribution"].values()))' <<<"$out")
    echo "$rps $bad"
  fi
}

declare -A RPS=() BAD=()
echo "load: $LOAD, 1 thread, $CONNECTIONS connections, $DURATION per run, best of $ROUNDS (after a 2s warm-up)"
for r in "${RUNTIMES[@]}"; do
  start "${CMD[$r]}"
  measure 2s >/dev/null
  best="" bad=0
  for _ in $(seq "$ROUNDS"); do
    read -r rps errors < <(measure "$DURATION")
    bad=$((bad + errors))
    if [[ -z "$best" ]] || awk -v a="$rps" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$rps; fi
  done
  stop
  RPS[$r]=$best
  BAD[$r]=$bad
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else printf "-" }'; }

echo
echo "hello world, requests per second (higher is better):"
for r in "${RUNTIMES[@]}"; do
  printf "  %-8s %10s   (non-2xx responses and socket errors: %s)\n" "$r" "${RPS[$r]}" "${BAD[$r]}"
done
for other in node python; do
  if has $other; then
    printf "  gene/%-7s %s\n" "$other" "$(ratio "${RPS[gene]}" "${RPS[$other]}")"
  fi
done
