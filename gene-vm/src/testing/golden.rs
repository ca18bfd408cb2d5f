//! Golden-output tests: `NAME.gene` passes when its stdout is `NAME.out`, its exit status
//! `NAME.status` (0 when absent) and its stderr contains `NAME.err` (when present). What a
//! program printed is compared here; running it is the front end's job (`gene test` starts
//! `gene run` in a child process, the language server a run's child), so both judge alike.

use std::path::Path;

use super::diff::diff_lines;

/// What a golden program is expected to do, read from the files beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub stdout: String,
    /// A substring of its stderr.
    pub stderr: Option<String>,
    pub status: i32,
}

/// Whether `program` is a golden test: a `.gene` file with a `.out` beside it.
pub fn is_golden(program: &Path) -> bool {
    program.extension().is_some_and(|e| e == "gene") && program.with_extension("out").is_file()
}

/// Reads `NAME.out`, `NAME.err` and `NAME.status` beside `program`; the error names a status
/// file that holds no number.
pub fn expected(program: &Path) -> Result<Expected, String> {
    let read = |ext: &str| std::fs::read_to_string(program.with_extension(ext)).ok();
    let status = match read("status") {
        None => 0,
        Some(s) => s.trim().parse().map_err(|_| {
            format!(
                "{} is not an exit status: {:?}",
                program.with_extension("status").display(),
                s.trim()
            )
        })?,
    };
    Ok(Expected {
        stdout: read("out").unwrap_or_default(),
        stderr: read("err"),
        status,
    })
}

/// A failed comparison: a one-line message and the details (a diff, what stderr said).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub message: String,
    pub details: String,
}

/// Compares what `program` did with what was expected of it.
pub fn compare(
    program: &Path,
    expected: &Expected,
    stdout: &str,
    stderr: &str,
    status: i32,
) -> Result<(), Mismatch> {
    if stdout != expected.stdout {
        let mut details = format!(
            "  diff (- {}, + stdout):\n{}",
            program.with_extension("out").display(),
            diff_lines(&expected.stdout, stdout, "    ")
        );
        if !stderr.is_empty() {
            details.push_str(&format!("  stderr:\n{}", indent(stderr)));
        }
        return Err(Mismatch {
            message: "stdout differs from the expected output".to_string(),
            details,
        });
    }
    if status != expected.status {
        return Err(Mismatch {
            message: format!("exit status {status} (expected {})", expected.status),
            details: format!("  stderr:\n{}", indent(stderr)),
        });
    }
    if let Some(err) = &expected.stderr {
        let err = err.trim_end_matches('\n');
        if !stderr.contains(err) {
            return Err(Mismatch {
                message: format!(
                    "stderr lacks the text of {}",
                    program.with_extension("err").display()
                ),
                details: format!(
                    "  expected within stderr:\n{}  stderr:\n{}",
                    indent(err),
                    indent(stderr)
                ),
            });
        }
    }
    Ok(())
}

/// `text` with every line indented by four spaces.
pub fn indent(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str("    ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect(stdout: &str, stderr: Option<&str>, status: i32) -> Expected {
        Expected {
            stdout: stdout.to_string(),
            stderr: stderr.map(str::to_string),
            status,
        }
    }

    #[test]
    fn compares_stdout_status_and_stderr() {
        let p = Path::new("x.gene");
        assert!(compare(p, &expect("a\n", None, 0), "a\n", "", 0).is_ok());
        let m = compare(p, &expect("a\n", None, 0), "b\n", "", 0).unwrap_err();
        assert_eq!(m.message, "stdout differs from the expected output");
        assert!(m.details.contains("x.out"), "{}", m.details);
        let m = compare(p, &expect("", None, 0), "", "boom", 1).unwrap_err();
        assert_eq!(m.message, "exit status 1 (expected 0)");
        assert!(compare(p, &expect("", Some("Oops\n"), 1), "", "Error: Oops here", 1).is_ok());
        let m = compare(p, &expect("", Some("Oops"), 1), "", "Error: other", 1).unwrap_err();
        assert_eq!(m.message, "stderr lacks the text of x.err");
    }
}
