//! The builtin catalogue (gene-syntax) and the VM's implementations match entry for entry, and
//! `docs/stdlib.md` is the catalogue's current rendering.

use std::collections::BTreeSet;

use gene_syntax::builtins::{self, BuiltinKind};
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
            BuiltinKind::SpecialForm | BuiltinKind::Operator => compiles_without_lookup(b.path),
            BuiltinKind::Class | BuiltinKind::Value => vm.lookup_path(b.path).is_some(),
        };
        if !implemented {
            missing.push(format!("{} has no implementation", b.path));
        }
    }
    let catalogue: BTreeSet<&str> = builtins::all().map(|b| b.path).collect();
    for path in &natives {
        if !catalogue.contains(path) {
            missing.push(format!("native {path} has no catalogue entry"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// A program using the special form or operator `name` the way its catalogue entry says.
fn sample(name: &str) -> String {
    match builtins::lookup(name).map(|b| b.kind) {
        Some(BuiltinKind::SpecialForm) if builtins::is_special_form_head(name) => {
            format!("({name})")
        }
        Some(BuiltinKind::SpecialForm) if name == "quote" => ":x".to_string(),
        Some(BuiltinKind::SpecialForm) => name.to_string(),
        _ => match name {
            "not" => "(not a)".to_string(),
            "..." => "(f (... xs))".to_string(),
            _ => format!("(a {name} b)"),
        },
    }
}

/// The compiler implements a special form or operator itself when code using it never looks its
/// name up at run time (an unknown head compiles to a lookup of the name, then a call).
fn compiles_without_lookup(name: &str) -> bool {
    let text = sample(name);
    let proto = gene_vm::compiler::compile_module(&gene_syntax::parse_text(&text).forms(), "t");
    !proto.names.iter().any(|n| n == name)
}

#[test]
fn the_compiler_sees_special_forms_and_operators_exactly_as_the_catalogue_lists_them() {
    // Every special form and operator compiles without a lookup of its name ...
    for b in builtins::all() {
        if matches!(b.kind, BuiltinKind::SpecialForm | BuiltinKind::Operator) {
            assert!(
                compiles_without_lookup(b.path),
                "{} compiles to a lookup of its name: {}",
                b.path,
                sample(b.path)
            );
        }
    }
    // ... and a head the catalogue does not list is looked up and called, even one the compiler
    // once took for a form or an operator.
    for name in ["quote", "$parse", "pow", "self_", "awaits"] {
        let text = format!("({name} x)");
        let proto = gene_vm::compiler::compile_module(&gene_syntax::parse_text(&text).forms(), "t");
        // (`$parse` is looked up as `gene/parse`.)
        let looked_up = name.trim_start_matches('$');
        assert!(
            proto.names.iter().any(|n| n.ends_with(looked_up)),
            "{text} does not look {name} up: {:?}",
            proto.names
        );
    }
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
