//! Seeing what an async program does, through `gene run`: the task tree on SIGQUIT (the program
//! goes on), the `--timeline` trace (Chrome Trace Event JSON), `--warn-slow`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use gene_tests::{TempDir, gene_bin};
use serde_json::Value as Json;

/// A program with a tree of tasks: main starts `crawler`, which starts two `fetch` tasks
/// waiting on a gate and a sleep; it prints "ready" once they all wait, then waits for a while.
const TREE: &str = r#"(var gate (new gene/Future))
(fn ^^async fetch [ms]
  (await (gene/sleep_async ms))
  (await gate))
(fn ^^async crawler []
  (var a (fetch 1))
  (var b (fetch 60000))
  (await a b))
(var c (crawler))
(await (gene/sleep_async 50))
(println "ready")
(await (gene/sleep_async 1500))
(gate .complete 1)
(println "after the dump")
(c .cancel)
"#;

#[cfg(unix)]
#[test]
fn sigquit_prints_the_task_tree_and_the_program_goes_on() {
    let dir = TempDir::new("tasks-sigquit");
    dir.write("crawl.gene", TREE);
    let mut child = Command::new(gene_bin())
        .args(["run", "--no-progress", "crawl.gene"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gene run starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("a line");
    assert_eq!(line, "ready\n");
    let status = Command::new("kill")
        .args(["-QUIT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().expect("gene run ends");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("the rest of stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        rest, "after the dump\n",
        "the program went on; stderr: {stderr}"
    );
    assert!(out.status.success(), "stderr: {stderr}");
    let tree: Vec<&str> = stderr.lines().collect();
    let Some(start) = tree.iter().position(|l| *l == "gene: tasks (on SIGQUIT):") else {
        panic!("no task dump on stderr:\n{stderr}");
    };
    // Ids are numbers for the run: normalise them, and the times, to compare.
    let normalised: Vec<String> = tree[start + 1..start + 5]
        .iter()
        .map(|l| normalise(l))
        .collect();
    assert_eq!(
        normalised,
        [
            "task N main  waiting T  at crawl.gene:12:1  on gene/sleep_async (N ms left)",
            "  task N crawler  waiting T  at crawl.gene:8:3  on task N (and 1 more)",
            "    task N fetch  waiting T  at crawl.gene:4:3  on gene/Future created at crawl.gene:1:11",
            "    task N fetch  waiting T  at crawl.gene:3:3  on gene/sleep_async (N ms left)",
        ],
        "stderr:\n{stderr}"
    );
}

/// Ids, durations and numbers of milliseconds replaced by placeholders.
fn normalise(line: &str) -> String {
    let mut out = String::new();
    let words: Vec<&str> = line.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let prev = if i > 0 { words[i - 1] } else { "" };
        if prev == "waiting" && w.ends_with('s') && w[..w.len() - 1].parse::<f64>().is_ok() {
            out.push('T');
        } else if w.parse::<u64>().is_ok() && (prev == "task" || prev == "(") {
            out.push('N');
        } else if let Some(n) = w.strip_prefix('(')
            && n.parse::<u64>().is_ok()
        {
            out.push_str("(N");
        } else {
            out.push_str(w);
        }
    }
    out
}

#[test]
fn the_timeline_is_chrome_trace_json_with_tasks_awaits_arrows_and_failures() {
    let dir = TempDir::new("tasks-timeline");
    dir.write(
        "tl.gene",
        r#"(fn ^^async worker [ms]
  (await (gene/sleep_async ms))
  ms)
(fn ^^async broken []
  (await (gene/sleep_async 1))
  (throw "broken"))
(var w (worker 20))
(var f (broken))
(println (await w))
(println (try (await f) catch * "caught"))
(var never (async (await (gene/sleep_async 60000))))
(never .cancel)
"#,
    );
    let trace = dir.path().join("trace.json");
    let out = Command::new(gene_bin())
        .args(["run", "--no-progress", "--timeline"])
        .arg(&trace)
        .arg("tl.gene")
        .current_dir(dir.path())
        .output()
        .expect("gene run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "20\ncaught\n");
    let text = std::fs::read_to_string(&trace).expect("the trace was written");
    let json: Json = serde_json::from_str(&text).expect("the trace is JSON");
    let events = json["traceEvents"].as_array().expect("traceEvents");
    let track_named = |prefix: &str| -> u64 {
        events
            .iter()
            .find(|e| {
                e["ph"] == "M"
                    && e["name"] == "thread_name"
                    && e["args"]["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("task ") && n.ends_with(prefix))
            })
            .and_then(|e| e["tid"].as_u64())
            .unwrap_or_else(|| panic!("no track for {prefix}: {text}"))
    };
    let main = track_named(" main");
    let worker = track_named(" worker");
    let broken = track_named(" broken");
    let never = track_named("async@tl.gene:11");
    let on = |tid: u64, ph: &str| -> Vec<&Json> {
        events
            .iter()
            .filter(|e| e["tid"].as_u64() == Some(tid) && e["ph"] == ph)
            .collect()
    };
    // Each task ran (slices named by its track) and awaited: the worker's sleep, with its
    // site and what it waited for.
    for tid in [main, worker, broken, never] {
        assert!(
            on(tid, "X").iter().any(|e| e["cat"] == "run"),
            "task {tid} has no run slice"
        );
    }
    let worker_awaits: Vec<&str> = on(worker, "X")
        .iter()
        .filter(|e| e["cat"] == "await")
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(
        worker_awaits
            .iter()
            .any(|n| n.starts_with("await at tl.gene:2:3 on gene/sleep_async")),
        "{worker_awaits:?}"
    );
    let slept = on(worker, "X")
        .into_iter()
        .find(|e| e["cat"] == "await")
        .and_then(|e| e["dur"].as_f64())
        .expect("the await has a duration");
    assert!(slept >= 15_000.0, "the 20 ms sleep lasted {slept} us");
    // Arrows: main started the worker (a flow from main's track to the worker's), and the
    // runtime's timer woke it.
    let flow_end = |tid: u64| -> Vec<u64> {
        on(tid, "f")
            .iter()
            .filter_map(|e| e["id"].as_u64())
            .collect()
    };
    let starts_from = |tid: u64| -> Vec<u64> {
        on(tid, "s")
            .iter()
            .filter_map(|e| e["id"].as_u64())
            .collect()
    };
    let into_worker = flow_end(worker);
    assert!(
        starts_from(main).iter().any(|id| into_worker.contains(id)),
        "no arrow from main to the worker"
    );
    assert!(
        starts_from(0).iter().any(|id| into_worker.contains(id)),
        "no arrow from the runtime (the timer) to the worker"
    );
    // The failure and the cancellation are instant events on their tasks' tracks.
    assert!(
        on(broken, "i")
            .iter()
            .any(|e| e["name"].as_str().is_some_and(|n| n.contains("broken"))),
        "no failure event"
    );
    assert!(
        on(never, "i").iter().any(|e| e["name"] == "cancelled"),
        "no cancellation event"
    );
    // Every slice has a non-negative duration and a time.
    for e in events.iter().filter(|e| e["ph"] == "X") {
        assert!(e["dur"].as_f64().is_some_and(|d| d >= 0.0), "{e}");
        assert!(e["ts"].as_f64().is_some_and(|t| t >= 0.0), "{e}");
    }
}

#[test]
fn warn_slow_names_a_task_that_holds_up_the_others() {
    let dir = TempDir::new("tasks-slow");
    dir.write(
        "slow.gene",
        r#"(fn ^^async crunch []
  (var start (gene/time/now))
  (var n 0)
  (while (((gene/time/now) - start) < 0.3)
    (n += 1))
  "done")
(var ticker (async (await (gene/sleep_async 1)) "tick"))
(println (await (crunch)))
(println (await ticker))
"#,
    );
    let out = Command::new(gene_bin())
        .args(["run", "--no-progress", "--warn-slow", "100", "slow.gene"])
        .current_dir(dir.path())
        .output()
        .expect("gene run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\ntick\n");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("gene: warning: task "))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning for the one long turn: {stderr}"
    );
    let w = warnings[0];
    let ran: f64 = w
        .split(" crunch has run ")
        .nth(1)
        .and_then(|rest| rest.split('s').next())
        .and_then(|secs| secs.parse().ok())
        .unwrap_or_else(|| panic!("no duration in {w}"));
    assert!(ran >= 0.1, "warned after {ran} s, before the limit: {w}");
    assert!(w.contains("--warn-slow 100 ms"), "{w}");
    assert!(w.contains("(now at slow.gene:"), "{w}");
    // Without the flag, nothing is said.
    let quiet = Command::new(gene_bin())
        .args(["run", "--no-progress", "slow.gene"])
        .current_dir(dir.path())
        .output()
        .expect("gene run");
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
}
