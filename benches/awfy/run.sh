#!/usr/bin/env bash
# Runs the are-we-fast-yet benchmarks ported to Gene (benches/awfy/*.gene) through their
# harness, each with the suite's inner iteration count (rebench.conf), and prints a table of
# times and peak memory. Every run verifies its own result: a run that fails or does not
# verify shows as FAILED (its output is kept in $AWFY_LOG_DIR).
#
# With AWFY_DIR pointing at a checkout of smarr/are-we-fast-yet and lua5.4 and python3
# installed, the suite's own Lua and Python ports run in the same script, with the same
# iteration counts, and the table gets their columns, the ratios gene/lua and gene/python and
# the geometric mean of the ratios.
#
#   benches/awfy/run.sh                     # all 14, the suite's counts (several minutes)
#   benches/awfy/run.sh Richards DeltaBlue  # only the named ones
#   benches/awfy/run.sh --quick             # fewer inner iterations (about a tenth)
#   AWFY_DIR=/path/to/are-we-fast-yet RUNS=3 benches/awfy/run.sh
#
# It builds nothing: it runs $GENE (default target/release/gene; build it with
# `cargo build --release -p gene-cli`).
#
# Time is the CPU time of the whole process (user + system, from /usr/bin/time), start-up
# and compilation included, best of RUNS (default 1): on a shared machine it varies much
# less than wall time. AWFY_CLOCK=wall reports elapsed time instead. Memory is the peak
# resident set size of the process (/usr/bin/time %M).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
GENE="${GENE:-$ROOT/target/release/gene}"
RUNS="${RUNS:-1}"
AWFY_CLOCK="${AWFY_CLOCK:-cpu}"
AWFY_LOG_DIR="${AWFY_LOG_DIR:-${TMPDIR:-/tmp}/awfy-logs}"
QUICK=0

# name, the suite's inner iterations (rebench.conf), the quick mode's. CD, Havlak, Mandelbrot
# and NBody take the count as their problem size and verify only the sizes the suite lists, so
# their quick counts are sizes it lists (Mandelbrot and NBody have no smaller useful one).
BENCHMARKS=(
  "DeltaBlue  12000  1200"
  "Richards   100    10"
  "Json       100    10"
  "CD         250    100"
  "Havlak     1500   15"
  "Bounce     1500   150"
  "List       1500   150"
  "Mandelbrot 500    500"
  "NBody      250000 250000"
  "Permute    1000   100"
  "Queens     1000   100"
  "Sieve      3000   300"
  "Storage    1000   100"
  "Towers     600    60"
)

NAMES=()
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg" >&2; exit 2 ;;
    *) NAMES+=("$arg") ;;
  esac
done

if [[ ! -x "$GENE" ]]; then
  echo "no gene binary at $GENE (cargo build --release -p gene-cli, or set GENE)" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "/usr/bin/time is needed for the times and peak memory (apt-get install time)" >&2
  exit 2
fi

# The inner iteration count of a benchmark in this mode, or nothing for an unknown name.
inner_iterations() {
  local entry name full quick
  for entry in "${BENCHMARKS[@]}"; do
    read -r name full quick <<<"$entry"
    if [[ "$name" == "$1" ]]; then
      if [[ "$QUICK" == 1 ]]; then echo "$quick"; else echo "$full"; fi
      return
    fi
  done
}

if [[ ${#NAMES[@]} -eq 0 ]]; then
  for entry in "${BENCHMARKS[@]}"; do NAMES+=("${entry%% *}"); done
fi
for name in "${NAMES[@]}"; do
  if [[ -z "$(inner_iterations "$name")" ]]; then
    echo "unknown benchmark: $name (known: $(for e in "${BENCHMARKS[@]}"; do printf '%s ' "${e%% *}"; done))" >&2
    exit 2
  fi
done

RUNTIMES=(gene)
if [[ -n "${AWFY_DIR:-}" ]]; then
  if [[ ! -f "$AWFY_DIR/benchmarks/Lua/harness.lua" || ! -f "$AWFY_DIR/benchmarks/Python/harness.py" ]]; then
    echo "AWFY_DIR=$AWFY_DIR is not a checkout of are-we-fast-yet (no benchmarks/Lua/harness.lua)" >&2
    exit 2
  fi
  for r in lua5.4 python3; do
    if command -v "$r" >/dev/null 2>&1; then
      RUNTIMES+=("$r")
    else
      echo "note: $r is not installed; its column is skipped" >&2
    fi
  done
fi

mkdir -p "$AWFY_LOG_DIR"

# Runs one benchmark on one runtime RUNS times; prints "seconds peak_kb" of the best run, or
# "FAILED" when a run fails or its result does not verify.
measure() {
  local runtime="$1" name="$2" inner="$3"
  local dir cmd
  case "$runtime" in
    gene) dir="$HERE"; cmd=("$GENE" run "$HERE/harness.gene" "$name" 1 "$inner") ;;
    lua5.4) dir="$AWFY_DIR/benchmarks/Lua"; cmd=(lua5.4 harness.lua "$name" 1 "$inner") ;;
    python3) dir="$AWFY_DIR/benchmarks/Python"; cmd=(python3 harness.py "$name" 1 "$inner") ;;
  esac
  local log="$AWFY_LOG_DIR/$name.$runtime.log"
  local best="" best_kb=""
  for _ in $(seq "$RUNS"); do
    local stats
    stats=$(mktemp)
    if ! (cd "$dir" && /usr/bin/time -o "$stats" -f "%e %U %S %M" "${cmd[@]}") >"$log" 2>&1 ||
      ! grep -q "^Total Runtime" "$log"; then
      rm -f "$stats"
      echo "FAILED"
      return
    fi
    local elapsed user sys kb seconds
    read -r elapsed user sys kb <"$stats"
    rm -f "$stats"
    if [[ "$AWFY_CLOCK" == wall ]]; then
      seconds="$elapsed"
    else
      seconds=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    fi
    if [[ -z "$best" ]] || awk -v a="$seconds" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best="$seconds"
      best_kb="$kb"
    fi
  done
  echo "$best $best_kb"
}

mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

declare -A LABEL=([gene]=gene [lua5.4]=lua [python3]=python)
mode="the suite's inner iterations"
[[ "$QUICK" == 1 ]] && mode="quick mode (fewer inner iterations)"
echo "are-we-fast-yet: $mode, $AWFY_CLOCK time in seconds (best of $RUNS), peak RSS in MB"
echo "gene: $GENE"
[[ -n "${AWFY_DIR:-}" ]] && echo "suite: $AWFY_DIR ($(git -C "$AWFY_DIR" rev-parse --short HEAD 2>/dev/null || echo "not a git checkout"))"
echo

printf "%-11s %7s" benchmark inner
for r in "${RUNTIMES[@]}"; do printf " %8s %7s" "${LABEL[$r]}" "MB"; done
for r in "${RUNTIMES[@]:1}"; do printf " %10s" "gene/${LABEL[$r]}"; done
printf "\n"

declare -A LOG_SUM=() COUNT=()
failures=0
for name in "${NAMES[@]}"; do
  inner=$(inner_iterations "$name")
  printf "%-11s %7s" "$name" "$inner"
  declare -A T=()
  for r in "${RUNTIMES[@]}"; do
    result=$(measure "$r" "$name" "$inner")
    if [[ "$result" == FAILED ]]; then
      printf " %8s %7s" FAILED "-"
      failures=$((failures + 1))
    else
      read -r seconds kb <<<"$result"
      T[$r]="$seconds"
      printf " %8s %7s" "$seconds" "$(mb "$kb")"
    fi
  done
  for r in "${RUNTIMES[@]:1}"; do
    if [[ -n "${T[gene]:-}" && -n "${T[$r]:-}" ]]; then
      ratio=$(awk -v g="${T[gene]}" -v o="${T[$r]}" 'BEGIN { printf "%.2f", (o > 0 ? g / o : 0) }')
      printf " %9sx" "$ratio"
      if awk -v x="$ratio" 'BEGIN { exit !(x > 0) }'; then
        LOG_SUM[$r]=$(awk -v s="${LOG_SUM[$r]:-0}" -v x="$ratio" 'BEGIN { printf "%.12f", s + log(x) }')
        COUNT[$r]=$(( ${COUNT[$r]:-0} + 1 ))
      fi
    else
      printf " %10s" "-"
    fi
  done
  printf "\n"
  unset T
done

if [[ ${#RUNTIMES[@]} -gt 1 ]]; then
  printf "%-11s %7s" geomean ""
  for _ in "${RUNTIMES[@]}"; do printf " %8s %7s" "" ""; done
  for r in "${RUNTIMES[@]:1}"; do
    if [[ -n "${COUNT[$r]:-}" ]]; then
      printf " %9sx" "$(awk -v s="${LOG_SUM[$r]}" -v n="${COUNT[$r]}" 'BEGIN { printf "%.2f", exp(s / n) }')"
    else
      printf " %10s" "-"
    fi
  done
  printf "\n"
  for r in "${RUNTIMES[@]:1}"; do
    if [[ "${COUNT[$r]:-0}" -lt "${#NAMES[@]}" ]]; then
      echo "(the geomean gene/${LABEL[$r]} is over the ${COUNT[$r]:-0} of ${#NAMES[@]} benchmarks that ran on both)"
    fi
  done
fi

if [[ "$failures" -gt 0 ]]; then
  echo
  echo "$failures run(s) failed or did not verify; their output is in $AWFY_LOG_DIR/NAME.RUNTIME.log"
  exit 1
fi
