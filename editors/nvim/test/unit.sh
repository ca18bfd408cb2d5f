#!/usr/bin/env bash
# Tests of the Neovim plugin that need no language server (test/unit.lua), in a headless Neovim
# whose state lives in a temporary directory. NVIM picks the binary (default nvim).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(dirname "$here")
nvim=${NVIM:-nvim}
if ! command -v "$nvim" >/dev/null; then
    echo "nvim-unit: Neovim ($nvim) is not installed (apt-get install neovim)" >&2
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gene-nvim-unit-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
export TMPDIR="$tmp"
timeout 120 "$nvim" --headless -u NONE -i NONE -n --cmd "set runtimepath^=$plugin" -c "luafile $here/unit.lua"
