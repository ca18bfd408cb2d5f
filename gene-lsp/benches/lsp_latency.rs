//! Language-server latency, measured in process through the server's tower service.
//!
//! - Keystroke to published diagnostics (syntax errors and lint rules) on a 10,000-line file
//!   (p50, p95), for an edit that keeps the form valid and for one that unbalances it (the
//!   worst case: an unclosed form swallows the rest of the file). References, in this process:
//!   a full parse of the text (what a server without incremental parsing would pay per
//!   keystroke), and `diagnostics_for` after the same keystrokes in a bare database (the
//!   analysis alone, without the server around it).
//! - Start-up to the first diagnostics with a 1,000-file workspace folder, and checking every
//!   file of that workspace through the database.
//! - Peak memory (the process's high-water mark).
//!
//! Run with `cargo bench -p gene-lsp --bench lsp_latency`.

// The allocator of the `gene-lsp` binary, so that this measures what users run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use gene_syntax::analysis::LintConfig;
use gene_syntax::db::RootDatabase;
use salsa::Setter;
use serde_json::json;
use support::TestClient;

const LINES: usize = 10_000;
/// Keystrokes per scenario; `GENE_LSP_BENCH_KEYSTROKES` overrides it.
fn keystroke_count() -> usize {
    std::env::var("GENE_LSP_BENCH_KEYSTROKES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// A Gene program of `forms` five-line top-level forms.
fn program(forms: usize) -> String {
    let mut text = String::new();
    for i in 0..forms {
        text.push_str(&format!(
            "(fn f{i} [a b]\n  (var x (a + b))\n  (if (x > 10) (println #\"big #{{x}}\") (println \"small\"))\n  {{^k{i} [1 2 3] ^name \"n{i}\"}})\n\n"
        ));
    }
    text
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index.min(samples.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A memory figure of this process from `/proc/self/status` (`VmHWM`: peak, `VmRSS`: now).
fn memory_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Where keystroke `n` lands: the name of a different form each time (column 5 is just after
/// `(fn f`), so no text repeats and no earlier parse can be reused.
fn keystroke_position(n: usize) -> (u32, u32) {
    let form = (n * 7919) % (LINES / 5);
    ((form * 5) as u32, 5)
}

/// [`keystroke_count`] edits, each followed by waiting for its diagnostics; returns the latency of
/// each from `didChange` to its `publishDiagnostics`, and the most diagnostics seen.
///
/// `unbalance`: each odd keystroke types `(` (the rest of the file then sits in one unclosed
/// form, so it is parsed anew) and the next deletes it again; otherwise each types `z` into a
/// name, keeping the form valid.
async fn keystrokes(unbalance: bool) -> (Vec<Duration>, usize) {
    let text = program(LINES / 5);
    assert_eq!(text.lines().count(), LINES);
    let uri = "file:///bench/big.gene";
    let mut client = TestClient::new();
    client
        .initialize(json!({"textDocument": {"publishDiagnostics": {"relatedInformation": true}}}))
        .await;
    client.open(uri, 0, &text).await;
    client.diagnostics_at(uri, 0).await;
    let keystrokes = keystroke_count();
    let mut samples = Vec::with_capacity(keystrokes);
    let mut errors_seen = 0;
    for n in 1..=keystrokes {
        let version = n as i32;
        let start = Instant::now();
        if !unbalance {
            let at = keystroke_position(n);
            client.edit(uri, version, at, at, "z").await;
        } else if n % 2 == 1 {
            let at = keystroke_position(n);
            client.edit(uri, version, at, at, "(").await;
        } else {
            let at = keystroke_position(n - 1);
            client.edit(uri, version, at, (at.0, at.1 + 1), "").await;
        }
        let diagnostics = client.diagnostics_at(uri, version as i64).await;
        samples.push(start.elapsed());
        errors_seen = errors_seen.max(diagnostics.len());
    }
    if let Some(rss) = memory_mib("VmRSS:") {
        println!(
            "  resident memory with the server holding the file after {keystrokes} edits: {rss:.1} MiB"
        );
    }
    (samples, errors_seen)
}

/// The analysis alone: `diagnostics_for` after each valid keystroke, in a bare database.
fn bare_analysis() -> Vec<Duration> {
    let mut text = program(LINES / 5);
    let mut db = RootDatabase::new();
    let file = db.set_file("big.gene".into(), text.clone());
    let config = LintConfig::default();
    gene_lsp::diagnostics_for(&db, file, &config);
    let mut samples = Vec::new();
    for n in 1..=keystroke_count() / 4 {
        let (line, column) = keystroke_position(n);
        let offset = support::line_starts(&text)[line as usize] + column as usize;
        text.insert(offset, 'z');
        let start = Instant::now();
        file.set_text(&mut db).to(text.clone().into());
        std::hint::black_box(gene_lsp::diagnostics_for(&db, file, &config));
        samples.push(start.elapsed());
    }
    samples
}

async fn startup_with_workspace(files: usize) -> (Duration, Duration) {
    let dir = std::env::temp_dir().join(format!("gene-lsp-bench-ws-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for i in 0..files {
        let sub = dir.join(format!("pkg{}", i % 20));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("m{i}.gene")), program(10)).unwrap();
    }
    let first = dir.join("pkg0").join("m0.gene");
    let first_uri = format!("file://{}", first.display());

    let start = Instant::now();
    let mut client = TestClient::new();
    client
        .initialize_with(json!({
            "capabilities": {},
            "workspaceFolders": [{"uri": format!("file://{}", dir.display()), "name": "bench"}]
        }))
        .await;
    let text = std::fs::read_to_string(&first).unwrap();
    client.open(&first_uri, 1, &text).await;
    client.diagnostics_at(&first_uri, 1).await;
    let first_diagnostics = start.elapsed();

    // Every file of the workspace, read on demand and checked through the one database.
    let start = Instant::now();
    let mut paths = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                paths.push(p);
            }
        }
    }
    for path in &paths {
        let uri = format!("file://{}", path.display());
        client
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
    let whole_workspace = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    (first_diagnostics, whole_workspace)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // Reference: one full parse of the 10,000-line text.
    let text = program(LINES / 5);
    let mut full = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        std::hint::black_box(gene_syntax::parse_text(&text));
        full.push(start.elapsed());
    }
    let full_parse = percentile(&mut full, 0.5);
    println!(
        "reference: full parse of {LINES} lines ({} KiB): {:.2} ms",
        text.len() / 1024,
        ms(full_parse)
    );

    let mut bare = bare_analysis();
    let bare_p50 = percentile(&mut bare, 0.5);
    println!(
        "reference: diagnostics_for after a keystroke, bare database: p50 {:.2} ms, p95 {:.2} ms",
        ms(bare_p50),
        ms(percentile(&mut bare, 0.95))
    );

    let (mut valid, _) = runtime.block_on(keystrokes(false));
    let (mut unbalanced, errors) = runtime.block_on(keystrokes(true));
    assert!(errors > 0, "the unbalancing keystroke was not diagnosed");
    for (name, samples) in [
        ("keystroke -> diagnostics, form stays valid", &mut valid),
        (
            "keystroke -> diagnostics, `(` typed and deleted",
            &mut unbalanced,
        ),
    ] {
        let p50 = percentile(samples, 0.5);
        let p95 = percentile(samples, 0.95);
        println!(
            "{name} ({} edits, {LINES} lines): p50 {:.2} ms, p95 {:.2} ms; p50 = {:.2}x a full parse, {:.2}x the bare analysis",
            samples.len(),
            ms(p50),
            ms(p95),
            p50.as_secs_f64() / full_parse.as_secs_f64(),
            p50.as_secs_f64() / bare_p50.as_secs_f64()
        );
    }

    let (startup, workspace) = runtime.block_on(startup_with_workspace(1000));
    println!(
        "start-up to first diagnostics, 1000-file workspace: {:.2} ms",
        ms(startup)
    );
    println!(
        "diagnostics of all 1000 workspace files (read on demand): {:.0} ms",
        ms(workspace)
    );
    if let Some(mib) = memory_mib("VmHWM:") {
        println!("peak memory (VmHWM) of the whole run: {mib:.1} MiB");
    }
}
