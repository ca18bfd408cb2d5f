#!/usr/bin/env bash
# Channel ping-pong: N messages (N/2 each way) between two tasks over two unbounded channels,
# every message a hand-over from one task to the other: gene's gene/Channel
# (benches/programs/channels/pingpong.gene) beside python3's asyncio.Queue and node with the
# usual promise queue. Runs alternate between the runtimes, round after round, so all of them
# see the same load; each reports its best wall time and its best CPU time (user + system;
# steadier than wall time on a shared machine), and the ratios python3/gene and node/gene
# (how many times faster gene is). A runtime that is not installed is skipped with a note.
#
#   benches/channel_compare.sh               # N = 1,000,000, best of 3 rounds
#   N=200000 RUNS=5 benches/channel_compare.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROGRAMS="$ROOT/benches/programs/channels"
RUNS="${RUNS:-3}"
N="${N:-1000000}"
GENE="$ROOT/target/release/gene"

echo "Building gene (release)..."
cargo build --release -q -p gene-cli --manifest-path "$ROOT/Cargo.toml"

declare -A CMD=([gene]="$GENE run" [node]="node" [python3]="python3")
declare -A EXT=([gene]="gene" [node]="js" [python3]="py")
RUNTIMES=()
for r in gene python3 node; do
  if command -v "${CMD[$r]%% *}" >/dev/null 2>&1; then
    RUNTIMES+=("$r")
  else
    echo "note: $r is not installed; its column is skipped"
  fi
done

# "wall cpu" in seconds of one run; the program's output must be the expected sum.
measure() {
  local out expected
  out=$(mktemp)
  expected=$(awk -v n="$N" 'BEGIN { r = int(n / 2); printf "%.0f", r * (r - 1) / 2 }')
  local start end
  start=$(date +%s%N)
  /usr/bin/time -o "$out" -f "%U %S" "$@" >"$out.stdout" 2>/dev/null || { echo "FAILED"; rm -f "$out" "$out.stdout"; return; }
  end=$(date +%s%N)
  if [[ "$(tr -d '[:space:]' <"$out.stdout")" != "$expected" ]]; then
    echo "WRONG"
    rm -f "$out" "$out.stdout"
    return
  fi
  awk -v ns="$((end - start))" -v cpu="$(tail -1 "$out")" \
    'BEGIN { split(cpu, c, " "); printf "%.3f %.3f", ns / 1e9, c[1] + c[2] }'
  rm -f "$out" "$out.stdout"
}

declare -A WALL=() CPU=()
for round in $(seq "$RUNS"); do
  for r in "${RUNTIMES[@]}"; do
    read -r wall cpu <<<"$(measure ${CMD[$r]} "$PROGRAMS/pingpong.${EXT[$r]}" "$N")"
    if [[ "$wall" == FAILED || "$wall" == WRONG ]]; then
      echo "$r: $wall"
      exit 1
    fi
    if [[ -z "${WALL[$r]:-}" ]] || awk -v a="$wall" -v b="${WALL[$r]}" 'BEGIN { exit !(a < b) }'; then
      WALL[$r]=$wall
    fi
    if [[ -z "${CPU[$r]:-}" ]] || awk -v a="$cpu" -v b="${CPU[$r]}" 'BEGIN { exit !(a < b) }'; then
      CPU[$r]=$cpu
    fi
  done
  echo "round $round done"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else printf "-" }'; }

printf "\nchannel ping-pong, %s messages, best of %s (load average: %s)\n" "$N" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-10s %10s %10s %18s\n" "runtime" "wall" "cpu" "runtime/gene (cpu)"
for r in "${RUNTIMES[@]}"; do
  printf "%-10s %9ss %9ss %18s\n" "$r" "${WALL[$r]}" "${CPU[$r]}" "$(ratio "${CPU[$r]}" "${CPU[gene]}")"
done
printf "wall-time ratios: python3/gene %s, node/gene %s\n" \
  "$( [[ -n "${WALL[python3]:-}" ]] && ratio "${WALL[python3]}" "${WALL[gene]}" || echo -)" \
  "$( [[ -n "${WALL[node]:-}" ]] && ratio "${WALL[node]}" "${WALL[gene]}" || echo -)"
