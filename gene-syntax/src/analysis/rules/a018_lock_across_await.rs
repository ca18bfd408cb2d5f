use rowan::TextRange;

use super::declare_rule;
use crate::analysis::shape::{self, Shape};
use crate::analysis::walk::Checker;
use crate::builtins::{self, BuiltinKind};
use crate::diagnostic::{Diagnostic, Fix, TextEdit};
use crate::form::Form;

declare_rule! {
    /// ## What it flags
    /// In a sequence of forms, after `(await (lock .lock_async))` on a `gene/Lock`: an `await`
    /// while the lock is held (until its `.unlock`), and an `.unlock` that is not in a
    /// `finally`.
    ///
    /// ## Why it matters
    /// Every task that needs the lock waits for as long as this one sleeps, and an exception
    /// (a failed await) between the lock and an `.unlock` outside a `finally` leaves the lock
    /// held for ever: the next task to lock it hangs.
    ///
    /// ## How to fix
    /// Hold the lock for a function: `(await (lock .with_async (fnx ^^async [] ...)))` unlocks
    /// whatever happens, and keep the slow work outside it where you can.
    ///
    /// ## Example
    /// ```gene
    /// (var lock (new gene/Lock))
    /// (fn ^^async add [x]
    ///   (await (lock .lock_async))
    ///   (await (gene/io/write_async "log" x))     # A018
    ///   (lock .unlock))                           # A018
    /// (fn ^^async add2 [x]
    ///   (await (lock .with_async (fnx ^^async [] (await (gene/io/write_async "log" x))))))
    /// ```
    pub(crate) static RULE = { code: "A018", name: "lock-across-await", severity: Warning, fix: Some("rewrite to `(await (lock .with_async (fnx ^^async [] ...)))`") };
}

/// Whether the catalogue's `gene/Lock` has `.lock_async` (looked up once).
fn catalogue_has_locks() -> bool {
    static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HAS.get_or_init(|| {
        builtins::all().any(|b| {
            b.kind == BuiltinKind::Method && b.receiver == Some("Lock") && b.name == "lock_async"
        })
    })
}

/// A list of forms evaluated in order (a body, a branch, a `do`).
pub(crate) fn check_sequence(c: &mut Checker, forms: &[Form]) {
    if forms.len() < 2 || !catalogue_has_locks() {
        return;
    }
    for (i, form) in forms.iter().enumerate() {
        let Some(lock) = awaited_lock(c, form) else {
            continue;
        };
        let rest = &forms[i + 1..];
        let mut awaits = Vec::new();
        let mut unlock = None;
        for (j, later) in rest.iter().enumerate() {
            if is_unlock(c, later, lock) {
                unlock = Some((j, later.range));
                break;
            }
            let finally_unlocks = try_with_unlock_in_finally(c, later, lock);
            collect_awaits(c, later, lock, &mut awaits, 0);
            if finally_unlocks {
                break;
            }
        }
        // The simple shape `lock ... unlock` in one sequence can be rewritten.
        let fix = unlock.map(|(j, unlock_range)| {
            let body_start = form.range.end();
            let body_end = rest[j].range.start();
            let body = c
                .source(TextRange::new(body_start, body_end))
                .trim()
                .to_string();
            let new_text = format!("(await ({lock} .with_async (fnx ^^async [] {body})))");
            Fix {
                title: format!("Rewrite to `({lock} .with_async (fnx ^^async [] ...))`"),
                edits: vec![TextEdit {
                    range: TextRange::new(form.range.start(), unlock_range.end()),
                    new_text,
                }],
                safe: false,
            }
        });
        for range in awaits {
            let d = RULE.diagnostic(
                range,
                format!("`await` while `{lock}` is held: every task that needs it waits as long as this does; hold it with `({lock} .with_async (fnx ^^async [] ...))`"),
            );
            c.report(with_fix(d, &fix));
        }
        if let Some((_, range)) = unlock {
            let d = RULE.diagnostic(
                range,
                format!("`.unlock` outside a `finally`: an exception after `.lock_async` leaves `{lock}` held for ever; use `({lock} .with_async (fnx ^^async [] ...))`"),
            );
            c.report(with_fix(d, &fix));
        }
    }
}

fn with_fix(d: Diagnostic, fix: &Option<Fix>) -> Diagnostic {
    match fix {
        Some(fix) => d.with_fix(fix.clone()),
        None => d,
    }
}

/// `(await (L .lock_async))`: the receiver's source text.
fn awaited_lock<'a>(c: &Checker<'a>, form: &Form) -> Option<&'a str> {
    let gene = form.as_gene()?;
    if gene.head.as_symbol() != Some("await") || gene.children.len() != 1 {
        return None;
    }
    receiver_of(c, &gene.children[0], "lock_async")
}

/// `(L .method)` with a variable or path as L: L's source text.
fn receiver_of<'a>(c: &Checker<'a>, form: &Form, wanted: &str) -> Option<&'a str> {
    let gene = form.as_gene()?;
    match shape::classify(gene) {
        Shape::Method {
            receiver, method, ..
        } if method == wanted && (receiver.as_symbol().is_some() || is_path(receiver)) => {
            Some(c.source(receiver.range))
        }
        _ => None,
    }
}

fn is_path(form: &Form) -> bool {
    matches!(form.kind, crate::form::FormKind::Path(_))
}

fn is_unlock(c: &Checker, form: &Form, lock: &str) -> bool {
    receiver_of(c, form, "unlock") == Some(lock)
}

/// A `try` whose `finally` unlocks `lock`.
fn try_with_unlock_in_finally(c: &Checker, form: &Form, lock: &str) -> bool {
    let Some(gene) = form.as_gene() else {
        return false;
    };
    if gene.head.as_symbol() != Some("try") {
        return false;
    }
    let Some(at) = gene
        .children
        .iter()
        .position(|f| f.as_symbol() == Some("finally"))
    else {
        return false;
    };
    gene.children[at + 1..]
        .iter()
        .any(|f| is_unlock(c, f, lock))
}

/// The `await` forms in `form` outside nested functions and `finally` blocks (which run after
/// an `.unlock` there), but not another `.lock_async` of the same lock.
fn collect_awaits(c: &Checker, form: &Form, lock: &str, out: &mut Vec<TextRange>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Some(gene) = form.as_gene() else { return };
    match shape::classify(gene) {
        Shape::Special("fn" | "fnx" | "fnxx" | "class" | "async") | Shape::Block { .. } => {
            return;
        }
        Shape::Special("await") if awaited_lock(c, form) != Some(lock) => {
            out.push(form.range);
        }
        Shape::Special("try") => {
            for child in &gene.children {
                if child.as_symbol() == Some("finally") {
                    break;
                }
                collect_awaits(c, child, lock, out, depth + 1);
            }
            return;
        }
        _ => {}
    }
    for child in &gene.children {
        collect_awaits(c, child, lock, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{check, check_fix};

    #[test]
    fn flags_awaits_under_a_lock_and_unlocks_outside_finally() {
        check(
            "A018",
            "(var lock (new gene/Lock))\n(fn ^^async add [x]\n  (await (lock .lock_async))\n  «(await (gene/io/write_async \"log\" x))»\n  «(lock .unlock)»)",
        );
        // With the unlock in a `finally`, an await in the `try` still holds the lock.
        check(
            "A018",
            "(var lock (new gene/Lock))\n(fn ^^async add [x]\n  (await (lock .lock_async))\n  (try «(await (gene/sleep_async x))» finally (lock .unlock)))",
        );
        check(
            "A018",
            "(var lock (new gene/Lock))\n(fn ^^async add [x]\n  (await (lock .lock_async))\n  (println x)\n  «(lock .unlock)»)",
        );
    }

    #[test]
    fn accepts_with_async_and_awaits_after_the_unlock() {
        check(
            "A018",
            "(var lock (new gene/Lock))\n(fn ^^async add [x]\n  (await (lock .with_async (fnx ^^async [] (await (gene/sleep_async x)))))\n  (await (lock .lock_async))\n  (try (println x) finally (lock .unlock))\n  (await (gene/sleep_async 1)))",
        );
    }

    #[test]
    fn fix_rewrites_to_with_async() {
        check_fix(
            "A018",
            "(fn ^^async add [lock x]\n  (await (lock .lock_async))\n  (await (gene/sleep_async x))\n  (lock .unlock))",
            "(fn ^^async add [lock x]\n  (await (lock .with_async (fnx ^^async [] (await (gene/sleep_async x))))))",
        );
    }
}
