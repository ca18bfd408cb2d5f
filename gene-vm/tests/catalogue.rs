//! The builtin catalogue (gene-syntax) and the VM's implementations match entry for entry, and
//! `docs/stdlib.md` is the catalogue's current rendering.

use std::collections::BTreeSet;

use gene_syntax::builtins::{self, Availability, BuiltinKind};
use gene_vm::{CaptureOutput, Vm};

fn native_paths() -> BTreeSet<&'static str> {
    gene_vm::builtins::all_natives().map(|f| f.name).collect()
}

#[test]
fn every_entry_has_an_implementation_and_every_implementation_an_entry() {
    let natives = native_paths();
    let vm = Vm::new(Box::new(CaptureOutput::new()));
    let mut missing = Vec::new();
    for b in builtins::all() {
        let implemented = match b.kind {
            BuiltinKind::Function | BuiltinKind::Method => natives.contains(b.path),
            BuiltinKind::SpecialForm => gene_vm::compiler::SPECIAL_FORMS.contains(&b.path),
            BuiltinKind::Operator => gene_vm::compiler::OPERATORS.contains(&b.path),
            BuiltinKind::Class | BuiltinKind::Value => vm.lookup_path(b.path).is_some(),
        };
        match (b.availability, implemented) {
            (Availability::Implemented, false) => {
                missing.push(format!("{} has no implementation", b.path))
            }
            (Availability::Later, true) => {
                missing.push(format!("{} is implemented: mark it Implemented", b.path))
            }
            _ => {}
        }
    }
    let catalogue: BTreeSet<&str> = builtins::all().map(|b| b.path).collect();
    for path in &natives {
        if !catalogue.contains(path) {
            missing.push(format!("native {path} has no catalogue entry"));
        }
    }
    for form in gene_vm::compiler::SPECIAL_FORMS
        .iter()
        .chain(gene_vm::compiler::OPERATORS)
    {
        if !catalogue.contains(form) {
            missing.push(format!(
                "special form or operator {form} has no catalogue entry"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn stdlib_docs_are_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/stdlib.md");
    let rendered = builtins::render_markdown();
    if std::env::var_os("UPDATE_STDLIB_DOCS").is_some() {
        std::fs::write(&path, &rendered).expect("write docs/stdlib.md");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == rendered,
        "docs/stdlib.md is out of date: run `UPDATE_STDLIB_DOCS=1 cargo test -p gene-vm --test catalogue`"
    );
}
