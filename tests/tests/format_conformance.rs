//! The formatter over the whole conformance corpus: formatting is idempotent, keeps every
//! token, and the formatted program prints exactly what the original prints.

use std::path::{Path, PathBuf};

use gene_vm::{CaptureOutput, Vm};

fn run(text: String) -> (String, bool) {
    let output = CaptureOutput::new();
    let mut vm = Vm::new(Box::new(output.clone()));
    vm.set_args(vec!["first".into(), "second".into()]);
    let ok = vm.run_source("program.gene", text).is_ok();
    (output.stdout_text(), ok)
}

#[test]
fn formatted_conformance_programs_run_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "gene"))
        .collect();
    programs.sort();
    let _ = std::env::set_current_dir(&dir);
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &programs {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let Ok(formatted) = gene_syntax::format::format_text(&text) else {
            continue;
        };
        checked += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match gene_syntax::format::format_text(&formatted) {
            Ok(again) if again == formatted => {}
            _ => failures.push(format!("{name}: formatting twice changes the text")),
        }
        let original = run(text.clone());
        let reformatted = run(formatted.clone());
        if original != reformatted {
            failures.push(format!(
                "{name}: output differs after formatting\n--- original ({}):\n{}\n--- formatted ({}):\n{}\n--- formatted source:\n{formatted}",
                original.1, original.0, reformatted.1, reformatted.0
            ));
        }
    }
    assert!(checked >= 150, "only {checked} programs were formatted");
    assert!(
        failures.is_empty(),
        "{} of {checked} programs failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
