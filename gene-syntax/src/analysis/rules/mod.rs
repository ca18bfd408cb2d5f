//! The lint rules: one module per rule, each with its code, name, default severity, the doc
//! that `gene check --explain` prints, its checks and its quick fixes, and fixtures.
//!
//! The walk calls the hook functions below; each hook hands the event to the rules that care.

mod a001_floating_future;
mod a002_await_in_sync_function;
mod a003_await_non_future;
mod a004_async_without_await;
mod a005_blocking_call_in_async;
mod a006_await_in_loop;
mod a007_unused_future;
mod a008_future_used_as_value;
mod a009_redundant_async;
mod a010_bad_callback;
mod a011_never_settled_future;
mod a012_await_all_in_async;
mod a013_missing_failure_handler;
mod a014_async_callback_discarded;
mod a015_future_escapes_try;
mod a016_future_dropped;
mod a017_sleep_poll_loop;
mod a018_lock_across_await;
mod g001_yield_outside_generator;
mod g002_jump_out_of_finally;
pub(crate) mod i001_unreadable_import;
pub(crate) mod n001_undefined_name;
mod n002_unused_variable;
mod n003_too_few_arguments;
mod n004_unknown_builtin;

#[cfg(test)]
pub(crate) mod fixture;

pub use g002_jump_out_of_finally::{JUMP_OUT_OF_FINALLY, jump_out_of_finally_message};

use rowan::TextRange;

use super::facts::{ChunkLint, Condition, FreeFuture, FutureOf, Pending, Report, UseFacts};
use super::symbols::FnShape;
use super::walk::{Checker, FnFrame, Local, LocalKind, Pos};
use crate::diagnostic::{Diagnostic, Severity};
use crate::form::Form;

/// A lint rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `A001`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `floating-future`.
    pub name: &'static str,
    pub severity: Severity,
    /// What it flags, why it matters, how to fix it, an example (Markdown).
    pub doc: &'static str,
    /// What its quick fix does, if it has one.
    pub fix: Option<&'static str>,
}

/// Declares a rule from its doc comment, so the documentation is written once, beside the
/// code, and printed by `gene check --explain`.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub(crate) static $id:ident = { code: $code:literal, name: $name:literal, severity: $sev:ident, fix: $fix:expr $(,)? };) => {
        $(#[doc = $doc])*
        pub(crate) static $id: $crate::analysis::rules::Rule = $crate::analysis::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$sev,
            doc: concat!($($doc, "\n"),*),
            fix: $fix,
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &a001_floating_future::RULE,
    &a002_await_in_sync_function::RULE,
    &a003_await_non_future::RULE,
    &a004_async_without_await::RULE,
    &a005_blocking_call_in_async::RULE,
    &a006_await_in_loop::RULE,
    &a007_unused_future::RULE,
    &a008_future_used_as_value::RULE,
    &a009_redundant_async::RULE,
    &a010_bad_callback::RULE,
    &a011_never_settled_future::RULE,
    &a012_await_all_in_async::RULE,
    &a013_missing_failure_handler::RULE,
    &a014_async_callback_discarded::RULE,
    &a015_future_escapes_try::RULE,
    &a016_future_dropped::RULE,
    &a017_sleep_poll_loop::RULE,
    &a018_lock_across_await::RULE,
    &g001_yield_outside_generator::RULE,
    &g002_jump_out_of_finally::RULE,
    &i001_unreadable_import::RULE,
    &n001_undefined_name::RULE,
    &n002_unused_variable::RULE,
    &n003_too_few_arguments::RULE,
    &n004_unknown_builtin::RULE,
];

/// The rule with this code or name.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

impl Rule {
    /// The doc with the leading space of each doc-comment line removed.
    pub fn doc_text(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    pub fn diagnostic(
        &self,
        range: TextRange,
        message: impl Into<String>,
    ) -> crate::diagnostic::Diagnostic {
        crate::diagnostic::Diagnostic::new(range, self.severity, self.code, message)
    }
}

/// Which rule wins when two flag the same expression: the first of each pair.
///
/// - A013 (no failure handler on a chain) over A008 and A001; A008 (a future used as a value)
///   over A001 and over A015 (a `try` in a condition whose body gives a future: using it as a
///   condition is the first mistake).
/// - A009 (redundant `async`) over A004; A007 (unused future) over N002; A011 (never settled)
///   over A003.
/// - A018 (an `await` while a lock is held) over A006 (`await` in a loop) on the same `await`.
/// - A `^^async` function that never awaits and returns a future: A001 on the returned future,
///   not A004 on the function (the missing `await` is the likelier mistake, and A001's fix
///   answers both). A004 stays when what it returns turns out not to be a future.
/// - The new rules do not otherwise meet on one expression: A014 marks a callback argument,
///   A016 an early `return`, a reassignment or a variable's name (a variable never read is
///   A007's, not A016's), A017 a loop's head, N004 a path or `$name` (an unknown name that is
///   not a builtin path is N001's).
pub(crate) const PRECEDENCE: &[(&str, &str)] = &[
    ("A013", "A008"),
    ("A013", "A001"),
    ("A008", "A001"),
    ("A009", "A004"),
    ("A007", "N002"),
    ("A011", "A003"),
    ("A008", "A015"),
    ("A018", "A006"),
];

// ---- hooks called by the walk ----

pub(crate) fn value_used(c: &mut Checker, form: &Form, pos: Pos) {
    match pos {
        Pos::Discarded => a001_floating_future::check(c, form),
        Pos::Tail => a004_async_without_await::note_value(c, form),
        Pos::Condition | Pos::Operand | Pos::Interpolated | Pos::Printed => {
            a008_future_used_as_value::check(c, form, pos)
        }
        _ => {}
    }
}

/// A list of forms evaluated in order.
pub(crate) fn sequence(c: &mut Checker, forms: &[Form]) {
    a016_future_dropped::check_sequence(c, forms);
    a018_lock_across_await::check_sequence(c, forms);
}

/// A path read or called (not assigned to).
pub(crate) fn path_used(c: &mut Checker, segments: &[String], range: TextRange) {
    n004_unknown_builtin::check_path(c, segments, range);
}

/// A `$name` read or called (not assigned to): a builtin's name.
pub(crate) fn dollar_name_used(c: &mut Checker, name: &str, range: TextRange) {
    n004_unknown_builtin::check_dollar(c, name, range);
}

pub(crate) fn call(c: &mut Checker, form: &Form, callee: &Form, args: &[Form]) {
    a005_blocking_call_in_async::check(c, form, callee);
    a012_await_all_in_async::check(c, form, callee);
    n003_too_few_arguments::check(c, form, callee, args);
    a011_never_settled_future::settled_by_call(c, callee, args);
}

pub(crate) fn method_call(
    c: &mut Checker,
    form: &Form,
    receiver: &Form,
    method: &str,
    args: &[Form],
    pos: Pos,
) {
    a010_bad_callback::check(c, method, args);
    a014_async_callback_discarded::check(c, form, receiver, method, args);
    if pos == Pos::Discarded {
        a013_missing_failure_handler::check_chain(c, form, receiver, method);
    }
}

pub(crate) fn async_block(c: &mut Checker, form: &Form, children: &[Form]) {
    a009_redundant_async::check(c, form, children);
}

pub(crate) fn await_site(c: &mut Checker, range: TextRange, operand: Option<(&Form, &Form)>) {
    if let Some(frame) = c.fns.last_mut() {
        frame.awaits += 1;
    }
    // Every enclosing async block up to the nearest function counts as awaiting too.
    a002_await_in_sync_function::check(c, range);
    a006_await_in_loop::check(c, range, operand.map(|(_, o)| o));
    if let Some((await_form, operand)) = operand {
        a003_await_non_future::check(c, await_form, operand);
        a011_never_settled_future::check_await(c, await_form, operand);
    }
}

/// The value of a `try` body (`returned`: a `return` inside one), when it is used.
pub(crate) fn try_value(c: &mut Checker, value: &Form, returned: bool) {
    a015_future_escapes_try::check(c, value, returned);
}

/// A `return`, `break` or `continue` (`jump` names which).
pub(crate) fn jump_site(c: &mut Checker, jump: &str, range: TextRange) {
    g002_jump_out_of_finally::check(c, jump, range);
}

pub(crate) fn yield_site(c: &mut Checker, range: TextRange) {
    g001_yield_outside_generator::check(c, range);
}

/// The body of a macro (not walked as code).
pub(crate) fn macro_body(c: &mut Checker, body: &[crate::form::Form]) {
    g001_yield_outside_generator::check_macro_body(c, body);
}

/// A `while` (`head` its condition) or `loop` just walked; `assigned` the names its body sets.
pub(crate) fn poll_loop(
    c: &mut Checker,
    form: &Form,
    kind: super::walk::LoopKind,
    head: Option<&Form>,
    body: &[Form],
    assigned: &[String],
) {
    a017_sleep_poll_loop::check(c, form, kind, head, body, assigned);
}

pub(crate) fn end_of_loop(c: &mut Checker, frame: &super::walk::LoopFrame) {
    a006_await_in_loop::end_of_loop(c, frame);
}

pub(crate) fn end_of_function(c: &mut Checker, frame: &FnFrame, shape: &FnShape) {
    if shape.is_async && !shape.is_generator {
        a004_async_without_await::check_function(c, frame);
    }
}

pub(crate) fn end_of_async_code(c: &mut Checker, frame: &FnFrame, form: &Form) {
    a004_async_without_await::check_block(c, frame, form);
}

/// A local variable's scope ended: rules about how it was used.
pub(crate) fn end_of_local(c: &mut Checker, local: &Local) {
    let var = VarView {
        name: &local.name,
        range: local.range,
        is_param: local.kind == LocalKind::Param,
        checked_for_unused: matches!(
            local.kind,
            LocalKind::Var | LocalKind::Param | LocalKind::LoopVar
        ),
        init: local.init.clone(),
        init_range: local.init_range,
        new_future: local.new_future,
        facts: &local.facts,
        dynamic: c.dynamic,
    };
    let mut out = Vec::new();
    end_of_var(&var, &mut out);
    for (condition, diagnostic) in out {
        match condition {
            Some(fut) => c.report_if_future(&fut, diagnostic),
            None => c.report(diagnostic),
        }
    }
}

/// The diagnostic a pending record of a chunk stands for, once its condition holds: `names` the
/// chunk's lint facts (for the names), `text` its text, `required` the positional arguments a
/// called name turns out to require, and their names (for N003). Ranges relative to the chunk.
pub(crate) fn pending_diagnostic(
    pending: &Pending,
    names: &ChunkLint,
    text: &str,
    required: impl FnOnce(&str) -> Option<(usize, Vec<String>)>,
) -> Option<Diagnostic> {
    let range = pending.range;
    let name = names.name(pending.condition.name());
    Some(match &pending.report {
        Report::UndefinedName => n001_undefined_name::diagnostic(range, name),
        Report::TooFewArguments => {
            let given = match pending.condition {
                Condition::TooFewArgs { given, .. } => given as usize,
                _ => 0,
            };
            let (count, params) = required(name).unwrap_or_default();
            n003_too_few_arguments::diagnostic(range, name, count, &params, given)
        }
        Report::FloatingFuture => {
            let is_call = matches!(
                pending.condition,
                Condition::IsFuture(FreeFuture::CallOf(_))
            );
            let what = a001_floating_future::describe_free(is_call, name);
            a001_floating_future::diagnostic(range, &what)
        }
        Report::FutureUsedAsValue(used) => a008_future_used_as_value::diagnostic(range, *used),
        Report::AwaitNonFuture { operand, removable } => {
            let operand = removable.then(|| {
                text.get(std::ops::Range::<usize>::from(*operand))
                    .unwrap_or("")
            });
            a003_await_non_future::diagnostic(range, operand)
        }
        Report::BlockingCall { form } => {
            a005_blocking_call_in_async::diagnostic(*form, range, name)
        }
        Report::Made(index) => names.made(*index)?.clone(),
    })
}

/// A variable at the end of its life, for the rules that look at how it was used. Shared by
/// function locals (decided in the chunk) and top-level variables (decided with the file).
pub(crate) struct VarView<'a> {
    pub name: &'a str,
    pub range: TextRange,
    pub is_param: bool,
    pub checked_for_unused: bool,
    pub init: FutureOf,
    pub init_range: Option<TextRange>,
    pub new_future: bool,
    pub facts: &'a UseFacts,
    pub dynamic: bool,
}

/// Diagnostics about a variable's uses; each comes with the future condition it depends on
/// (`None`: unconditional).
pub(crate) fn end_of_var(
    var: &VarView,
    out: &mut Vec<(Option<FutureOf>, crate::diagnostic::Diagnostic)>,
) {
    n002_unused_variable::check(var, out);
    a007_unused_future::check(var, out);
    a011_never_settled_future::check_var(var, out);
    a013_missing_failure_handler::check_var(var, out);
}
