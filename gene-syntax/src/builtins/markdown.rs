//! Renders the catalogue as `docs/stdlib.md`.

use super::{Availability, Builtin, BuiltinKind, all};

/// The whole reference page. The section order and the text depend only on the catalogue, so a
/// test can compare the checked-in file with this output.
pub fn render_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Gene standard library\n\n");
    out.push_str(
        "This page is rendered from the builtin catalogue (`gene-syntax/src/builtins/`), the same \
         table the VM binds its implementations to and the language server reads for hover and \
         completion. Do not edit it by hand: run \
         `UPDATE_STDLIB_DOCS=1 cargo test -p gene-vm --test catalogue` after changing the \
         catalogue.\n\n",
    );
    out.push_str(
        "Names in `gene` (and `global`) are reachable unqualified: `(println ...)` is \
         `(gene/println ...)`, and `$name` means `gene/name`. Entries marked *not available* \
         are declared but not implemented by this build; calling them raises an error that \
         says so.\n\n",
    );
    let sections = [
        ("Special forms", BuiltinKind::SpecialForm),
        ("Operators", BuiltinKind::Operator),
        ("Functions", BuiltinKind::Function),
        ("Values", BuiltinKind::Value),
        ("Classes", BuiltinKind::Class),
        ("Methods", BuiltinKind::Method),
    ];
    for (title, kind) in sections {
        out.push_str(&format!("## {title}\n\n"));
        let mut receiver: Option<&str> = None;
        for b in all().filter(|b| b.kind == kind) {
            if b.kind == BuiltinKind::Method && b.receiver != receiver {
                receiver = b.receiver;
                out.push_str(&format!("### {}\n\n", b.receiver.unwrap_or("Any")));
            }
            render_entry(&mut out, b);
        }
    }
    out
}

fn render_entry(out: &mut String, b: &Builtin) {
    let heading = match b.kind {
        BuiltinKind::Method => format!(".{}", b.name),
        _ => b.path.to_string(),
    };
    let level = if b.kind == BuiltinKind::Method {
        "####"
    } else {
        "###"
    };
    out.push_str(&format!("{level} `{heading}`\n\n"));
    out.push_str(&format!("`{}`", b.signature()));
    let mut tags = Vec::new();
    if b.flags.returns_future {
        tags.push("returns a Future");
    }
    if b.flags.blocking {
        tags.push("blocks the program");
    }
    if b.flags.suspends {
        tags.push("suspends the task");
    }
    if b.availability == Availability::Later {
        tags.push("not available");
    }
    if !tags.is_empty() {
        out.push_str(&format!(" — *{}*", tags.join(", ")));
    }
    out.push_str("\n\n");
    out.push_str(b.doc);
    out.push_str("\n\n");
}
