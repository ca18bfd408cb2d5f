//! Golden-output tests: `NAME.gene` runs as `gene run NAME.gene` would in its own folder (in
//! a child process, as the conformance harness runs it: no stdin, `NAME.args` as its
//! arguments, one per whitespace-separated word), and passes when its stdout is `NAME.out`,
//! its exit status `NAME.status` (0 when absent) and its stderr contains `NAME.err` (when
//! present).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use gene_vm::testing::diff::diff_lines;

use super::outcome::{Outcome, Status};

pub fn run(job: usize, path: &Path, update: bool) -> Outcome {
    let started = Instant::now();
    let file = path.display().to_string();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.clone());
    let failure = check(path, update).err();
    Outcome {
        job,
        file,
        name,
        status: if failure.is_some() {
            Status::Failed
        } else {
            Status::Passed
        },
        duration: started.elapsed(),
        message: failure.as_ref().map(|(m, _)| m.clone()),
        details: failure.map(|(m, d)| format!("{m}\n{d}")),
        line: None,
        column: None,
    }
}

/// The program's arguments: the words of `NAME.args`, none without one.
pub fn program_args(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path.with_extension("args"))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Ok, or the failure's one-line message and its details.
fn check(path: &Path, update: bool) -> Result<(), (String, String)> {
    let read = |ext: &str| std::fs::read_to_string(path.with_extension(ext)).ok();
    let expected_out = read("out").unwrap_or_default();
    let expected_err = read("err");
    let expected_status: i32 = match read("status") {
        None => 0,
        Some(s) => s.trim().parse().map_err(|_| {
            (
                format!(
                    "{} is not an exit status: {:?}",
                    path.with_extension("status").display(),
                    s.trim()
                ),
                String::new(),
            )
        })?,
    };
    let exe = std::env::current_exe().map_err(|e| {
        (
            format!("cannot find the gene executable: {e}"),
            String::new(),
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path.file_name().unwrap_or(path.as_os_str());
    let output = Command::new(exe)
        .arg("run")
        .arg("--no-progress")
        .arg(file_name)
        .args(program_args(path))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| (format!("cannot start the program: {e}"), String::new()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let status = output.status.code().unwrap_or(-1);
    if stdout != expected_out {
        let mut details = format!(
            "  diff (- {}, + stdout):\n{}",
            path.with_extension("out").display(),
            diff_lines(&expected_out, &stdout, "    ")
        );
        if !stderr.is_empty() {
            details.push_str(&format!("  stderr:\n{}", indent(&stderr)));
        }
        if update {
            let out = path.with_extension("out");
            match std::fs::write(&out, stdout.as_bytes()) {
                Ok(()) => details.push_str(&format!("  updated {}\n", out.display())),
                Err(e) => details.push_str(&format!("  cannot update {}: {e}\n", out.display())),
            }
        }
        return Err((
            "stdout differs from the expected output".to_string(),
            details,
        ));
    }
    if status != expected_status {
        return Err((
            format!("exit status {status} (expected {expected_status})"),
            format!("  stderr:\n{}", indent(&stderr)),
        ));
    }
    if let Some(err) = expected_err {
        let err = err.trim_end_matches('\n');
        if !stderr.contains(err) {
            return Err((
                format!(
                    "stderr lacks the text of {}",
                    path.with_extension("err").display()
                ),
                format!(
                    "  expected within stderr:\n{}  stderr:\n{}",
                    indent(err),
                    indent(&stderr)
                ),
            ));
        }
    }
    Ok(())
}

fn indent(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}
