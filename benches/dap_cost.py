#!/usr/bin/env python3
"""The cost of running under the debugger: each program with `gene run` and under `gene dap`
(launched by a small Debug Adapter Protocol client, with a breakpoint on a line the program
never reaches, so the debugger is armed but never stops), best wall time of RUNS runs each,
alternating, and the ratio dap / run. The goal (issue 18) is at most 1.5x.

    benches/dap_cost.py                      # target/release/gene, the default programs
    RUNS=7 GENE=target/debug/gene benches/dap_cost.py benches/programs/fib.gene

Each program is copied into a temporary directory with one line added at its end, inside a
function nobody calls, for the breakpoint.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENE = os.environ.get("GENE", os.path.join(ROOT, "target", "release", "gene"))
RUNS = int(os.environ.get("RUNS", "5"))
DEFAULT = [
    "benches/programs/fib.gene",
    "benches/programs/loop.gene",
    "benches/programs/methods.gene",
    "benches/programs/async/fib_in_task.gene",
    "benches/programs/async/tasks100k.gene",
]
UNREACHED = "(fn never_called []\n  (println \"unreached\"))\n"


def send(proc, seq, command, arguments):
    body = json.dumps({"seq": seq, "type": "request", "command": command, "arguments": arguments})
    data = body.encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
    proc.stdin.flush()


def read(proc):
    length = 0
    while True:
        line = proc.stdout.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))


def under_dap(program, breakpoint_line):
    """Wall seconds from starting `gene dap` to `exited` (the adapter's start and the
    handshake included, as `gene run`'s start is); fails if the program stopped."""
    start = time.perf_counter()
    proc = subprocess.Popen([GENE, "dap"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    send(proc, 1, "initialize", {"adapterID": "gene"})
    send(proc, 2, "launch", {"program": program})
    send(proc, 3, "setBreakpoints",
         {"source": {"path": program}, "breakpoints": [{"line": breakpoint_line}]})
    send(proc, 4, "configurationDone", {})
    code = None
    while True:
        m = read(proc)
        if m is None:
            break
        if m.get("type") == "event" and m["event"] == "stopped":
            raise SystemExit(f"{program}: the program stopped: {m}")
        if m.get("type") == "event" and m["event"] == "exited":
            code = m["body"]["exitCode"]
            elapsed = time.perf_counter() - start
            break
    send(proc, 5, "disconnect", {})
    proc.stdin.close()
    proc.wait()
    if code != 0:
        raise SystemExit(f"{program}: exit code {code} under the debugger")
    return elapsed


def plain(program):
    start = time.perf_counter()
    subprocess.run([GENE, "run", program], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main():
    if not os.path.exists(GENE):
        raise SystemExit(f"no {GENE}: cargo build --release -p gene-cli (or set GENE)")
    programs = sys.argv[1:] or [os.path.join(ROOT, p) for p in DEFAULT]
    tmp = tempfile.mkdtemp(prefix="gene-dap-cost-")
    try:
        print(f"{'program':<24} {'run (s)':>9} {'dap (s)':>9} {'dap/run':>8}")
        for source in programs:
            if not os.path.exists(source):
                print(f"{os.path.basename(source):<24} missing")
                continue
            text = open(source).read()
            if not text.endswith("\n"):
                text += "\n"
            program = os.path.join(tmp, os.path.basename(source))
            with open(program, "w") as f:
                f.write(text + UNREACHED)
            line = text.count("\n") + 2
            runs, daps = [], []
            for _ in range(RUNS):
                runs.append(plain(program))
                daps.append(under_dap(program, line))
            r, d = min(runs), min(daps)
            print(f"{os.path.basename(source):<24} {r:>9.3f} {d:>9.3f} {d / r:>7.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
