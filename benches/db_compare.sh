#!/usr/bin/env bash
# SQLite benchmark: benches/programs/db/sqlite.gene (release build) beside the same work in
# python3's sqlite3 (sqlite.py), on a fresh database file each run: 10,000 inserts in one
# transaction, each awaited before the next; 10,000 point queries by primary key, each row
# read into a map (a dict in Python). Each program times its own phases, so start-up is not
# counted. Prints the best of N runs per phase and the ratio gene/python; gene also reports the
# same inserts issued together (awaited as one batch), which Python's API has no counterpart of.
#
#   benches/db_compare.sh            # 5 runs each
#   RUNS=10 benches/db_compare.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs/db"
RUNS="${RUNS:-5}"
GENE="$ROOT/target/release/gene"

echo "Building gene (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One run of a program on a fresh database; keeps the best time of each phase it prints
# ("phase seconds" lines) in the associative array named by $1.
run_once() {
  local -n best=$1
  shift
  rm -f "$WORK/bench.db" "$WORK/bench.db-journal"
  local out
  if ! out=$("$@" "$WORK/bench.db"); then
    echo "FAILED: $*" >&2
    exit 1
  fi
  while read -r phase seconds; do
    [[ -z "$phase" ]] && continue
    if [[ -z "${best[$phase]:-}" ]] || awk -v a="$seconds" -v b="${best[$phase]}" 'BEGIN { exit !(a < b) }'; then
      best[$phase]=$seconds
    fi
  done <<<"$out"
}

HAVE_PY=1
if ! command -v python3 >/dev/null 2>&1; then
  HAVE_PY=0
  echo "note: python3 is not installed; its column is skipped"
fi

# The runs alternate between the two, so both see the same machine load.
declare -A GENE_T=() PY_T=()
for _ in $(seq "$RUNS"); do
  run_once GENE_T "$GENE" run "$PROGRAMS/sqlite.gene"
  if [[ $HAVE_PY == 1 ]]; then
    run_once PY_T python3 "$PROGRAMS/sqlite.py"
  fi
done

fmt() { awk -v s="${1:-}" 'BEGIN { if (s == "") printf "-"; else printf "%.3fs", s }'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else printf "-" }'; }
per_op() { awk -v s="${1:-}" 'BEGIN { if (s == "") printf "-"; else printf "%.1fus", s * 1e6 / 10000 }'; }

echo
echo "best of $RUNS runs; SQLite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)' 2>/dev/null || echo '?') in python3"
printf "%-40s %10s %10s %12s %12s\n" "benchmark" "gene" "python3" "gene/python" "gene per op"
for phase in inserts queries inserts_together; do
  case $phase in
    inserts) label="10,000 inserts, one transaction" ;;
    queries) label="10,000 point queries" ;;
    inserts_together) label="10,000 inserts issued together" ;;
  esac
  py="${PY_T[$phase]:-}"
  [[ $HAVE_PY == 0 ]] && py=""
  printf "%-40s %10s %10s %12s %12s\n" "$label" "$(fmt "${GENE_T[$phase]:-}")" "$(fmt "$py")" \
    "$(ratio "${GENE_T[$phase]:-}" "$py")" "$(per_op "${GENE_T[$phase]:-}")"
done
