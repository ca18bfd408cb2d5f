#!/usr/bin/env bash
# End-to-end test of the Neovim plugin: a headless Neovim loads the plugin from this directory,
# opens a file with a floating future, waits for A001, applies the quick fix, runs :GeneRun and
# :GeneStop (test/e2e.lua). Neovim's state and the LSP log live in a temporary directory.
#
# Environment: NVIM (default nvim), GENE_LSP (default target/debug/gene-lsp, else
# target/release/gene-lsp), GENE (the gene binary for :GeneTest; default beside GENE_LSP),
# E2E_TIMEOUT seconds (default 240).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
repo=$(cd "$plugin/../.." && pwd)
nvim=${NVIM:-nvim}

if [ -z "${GENE_LSP:-}" ]; then
    for candidate in "$repo/target/debug/gene-lsp" "$repo/target/release/gene-lsp"; do
        if [ -x "$candidate" ]; then GENE_LSP=$candidate; break; fi
    done
fi
if [ -z "${GENE_LSP:-}" ] || [ ! -x "$GENE_LSP" ]; then
    echo "nvim-e2e: no gene-lsp binary (cargo build -p gene-lsp, or set GENE_LSP)" >&2
    exit 1
fi
if [ -z "${GENE:-}" ]; then
    GENE=$(dirname "$GENE_LSP")/gene
fi
if [ ! -x "$GENE" ]; then
    echo "nvim-e2e: no gene binary beside $GENE_LSP (cargo build -p gene-cli, or set GENE)" >&2
    exit 1
fi
if ! command -v "$nvim" >/dev/null; then
    echo "nvim-e2e: Neovim ($nvim) is not installed (apt-get install neovim)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gene-nvim-e2e-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
export GENE GENE_LSP GENE_E2E_FIXTURE="$repo/editors/e2e/floating-future.gene" GENE_E2E_WORKDIR="$tmp/workspace"

echo "nvim-e2e: $("$nvim" --version | head -1), server $GENE_LSP"
status=0
timeout "${E2E_TIMEOUT:-240}" "$nvim" --headless -u NONE -i NONE -n \
    --cmd "set runtimepath^=$plugin" \
    -c "luafile $here/e2e.lua" || status=$?
if [ "$status" -eq 124 ]; then
    echo "nvim-e2e: FAILED: Neovim did not finish within ${E2E_TIMEOUT:-240} s" >&2
    log=$(find "$tmp" -name lsp.log | head -1)
    if [ -n "$log" ]; then echo "----- $log -----" >&2; tail -c 8000 "$log" >&2; fi
fi
exit "$status"
