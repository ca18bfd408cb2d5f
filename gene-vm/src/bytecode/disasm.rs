//! A readable listing of compiled code, for `gene disasm` and the bytecode snapshot tests: every
//! function (the module first, then the functions it contains, depth first), each op with what
//! its operand names (a constant, a name, a local, a nested function), under the source line it
//! came from.

use std::fmt::Write;

use gene_syntax::{LineIndex, TextRange};

use super::{CaptureFrom, Const, Op, ParamKind, Proto};

/// The listing of `proto` and every function nested in it; `source` is the text it was compiled
/// from (its lines are shown above the ops they became).
pub fn disassemble(proto: &Proto, source: &str) -> String {
    let lines = Lines {
        text: source,
        index: LineIndex::new(source),
    };
    let mut out = String::new();
    write_proto(&mut out, proto, &proto.name, &lines);
    out
}

struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
}

impl Lines<'_> {
    /// The 0-based line a range starts on, `None` for a range that names no source (code the
    /// compiler adds, such as a module's final `Return`).
    fn line_of(&self, range: TextRange) -> Option<u32> {
        (!range.is_empty()).then(|| self.index.line_col(range.start()).line)
    }

    fn text_of(&self, line: u32) -> &str {
        self.index
            .line_range(line)
            .and_then(|r| self.text.get(usize::from(r.start())..usize::from(r.end())))
            .unwrap_or("")
    }
}

fn write_proto(out: &mut String, proto: &Proto, path: &str, lines: &Lines) {
    let _ = write!(out, "== {path} ({:?}", proto.kind);
    if proto.is_async {
        out.push_str(", async");
    }
    if proto.direct_call {
        out.push_str(", direct call");
    }
    let plural = if proto.nslots == 1 { "" } else { "s" };
    let _ = write!(out, ", {} slot{plural}", proto.nslots);
    if !proto.params.slots.is_empty() || proto.params.ignore_all {
        out.push_str(", params ");
        out.push_str(&params(proto));
    }
    out.push_str(")\n");
    if !proto.captures.is_empty() {
        out.push_str("   captures:");
        for (i, from) in proto.captures.iter().enumerate() {
            let name = proto.capture_names.get(i).map_or("?", String::as_str);
            let _ = match from {
                CaptureFrom::Slot(s) => write!(out, " {name} (slot {s})"),
                CaptureFrom::Capture(c) => write!(out, " {name} (capture {c})"),
            };
        }
        out.push('\n');
    }
    let mut shown_line = None;
    for (ip, op) in proto.ops.iter().enumerate() {
        let line = proto.ranges.get(ip).and_then(|&r| lines.line_of(r));
        if let Some(line) = line
            && shown_line != Some(line)
        {
            shown_line = Some(line);
            let _ = writeln!(out, "{:>5} | {}", line + 1, lines.text_of(line).trim_end());
        }
        let text = format!("{op:?}");
        match operand_note(proto, ip, *op) {
            Some(note) => {
                let _ = writeln!(out, "{ip:>8}  {text:<24} {note}");
            }
            None => {
                let _ = writeln!(out, "{ip:>8}  {text}");
            }
        }
    }
    for child in &proto.protos {
        write_proto(out, child, &format!("{path} > {}", child.name), lines);
    }
}

/// `[a b = _ ^k rest...]`, with the names of the locals in the parameter slots.
fn params(proto: &Proto) -> String {
    if proto.params.ignore_all {
        return "_".into();
    }
    let names: Vec<String> = proto
        .params
        .slots
        .iter()
        .map(|p| {
            // A destructured parameter has no name of its own.
            let name = local_name(proto, p.slot, 0)
                .map_or_else(|| format!("(slot {})", p.slot), str::to_string);
            let mut s = match &p.kind {
                ParamKind::Positional => name.clone(),
                ParamKind::Skip => "_".to_string(),
                ParamKind::Named(key) => format!("^{key}"),
                ParamKind::Rest => format!("{name}..."),
            };
            if p.has_default {
                s.push_str(" = ...");
            }
            s
        })
        .collect();
    format!("[{}]", names.join(" "))
}

/// The name of the local in `slot` at `ip` (the innermost one live there).
fn local_name(proto: &Proto, slot: u32, ip: usize) -> Option<&str> {
    let ip = ip as u32;
    proto
        .locals
        .iter()
        .filter(|l| l.slot == slot && l.start <= ip && ip <= l.end)
        .max_by_key(|l| l.start)
        .map(|l| l.name.as_str())
}

/// What an op's operand refers to, written for a reader.
fn operand_note(proto: &Proto, ip: usize, op: Op) -> Option<String> {
    let name = |i: u32| proto.names.get(i as usize).cloned();
    let local = |s: u32| local_name(proto, s, ip).map(str::to_string);
    // Two slots' names (`?` for a compiler temporary), or nothing when both are temporaries.
    let locals = |a: u32, b: u32| match (local_name(proto, a, ip), local_name(proto, b, ip)) {
        (None, None) => None,
        (a, b) => Some(format!("{} {}", a.unwrap_or("?"), b.unwrap_or("?"))),
    };
    let constant = |i: u32| proto.consts.get(i as usize).map(describe_const);
    use Op::*;
    match op {
        Const(i) | ConstCopy(i) | MacroArgs(i) | CheckMacro(i) | Import(i) | Export(i)
        | Fail(i) => constant(i),
        LoadName(i)
        | LoadNameOrSymbol(i)
        | StoreName(i)
        | LoadCallee(i)
        | DefineName(i)
        | GetMember(i)
        | SetMember(i)
        | GetSelfMember(i)
        | SetSelfMember(i)
        | CallMethod(i, _)
        | GetItem(i)
        | SetItem(i)
        | PushItem(i)
        | SizeOf(i)
        | CallMethodComplex(i)
        | CallSuper(i, _)
        | MakeClass(i)
        | DefMethod(i) => name(i),
        LoadLocal(s)
        | StoreLocal(s)
        | InitLocal(s)
        | InitCell(s)
        | LoadSlotRaw(s)
        | SetLocal(s)
        | ReturnLocal(s)
        | AddLocalInt(s, _)
        | IncLocal(s, _)
        | LocalAddInt(s, _) => local(s),
        JumpUnlessLt(s, ..) | JumpUnlessLe(s, ..) | JumpUnlessGt(s, ..) | JumpUnlessGe(s, ..) => {
            local(u32::from(s))
        }
        JumpIfNilLocal(s, _) | JumpUnlessNilLocal(s, _) => local(u32::from(s)),
        JumpUnlessLtLocal(a, b, _)
        | JumpUnlessLeLocal(a, b, _)
        | JumpUnlessGtLocal(a, b, _)
        | JumpUnlessGeLocal(a, b, _) => locals(u32::from(a), u32::from(b)),
        LoadLocal2(a, b)
        | AddLocals(a, b)
        | SubLocals(a, b)
        | MulLocals(a, b)
        | AddToLocal(a, b) => locals(u32::from(a), u32::from(b)),
        JumpIfGiven(s, _) => local(u32::from(s)),
        LoadCapture(i) | StoreCapture(i) => proto.capture_names.get(i as usize).cloned(),
        MakeClosure(i) => proto
            .protos
            .get(i as usize)
            .map(|p| format!("<{}>", p.name)),
        _ => None,
    }
}

fn describe_const(c: &Const) -> String {
    match c {
        Const::Int(i) => i.to_string(),
        Const::Float(f) => crate::value::format_float(*f),
        Const::Str(s) => {
            let mut out = String::new();
            gene_syntax::printer::write_string_literal(&mut out, s);
            out
        }
        Const::Char(c) => {
            let mut out = String::new();
            gene_syntax::printer::write_char_literal(&mut out, *c);
            out
        }
        Const::Symbol(s) => format!(":{s}"),
        Const::Path(segs) => segs.join("/"),
        Const::Form(form) => format!(":{}", gene_syntax::printer::form_to_string(form)),
        Const::MacroCall {
            args,
            props,
            resume,
        } => format!(
            "macro arguments: {} forms, {} props; a call resumes at {resume}",
            args.len(),
            props.len()
        ),
        Const::Import { names, from } => {
            let names: Vec<String> = names
                .iter()
                .map(|n| {
                    let path = n.path.join("/");
                    if path == n.alias {
                        path
                    } else {
                        format!("{path}:{}", n.alias)
                    }
                })
                .collect();
            format!("import {} from {from:?}", names.join(" "))
        }
        Const::Exports(vars) => {
            let vars: Vec<String> = vars.iter().map(|(n, s)| format!("{n}@{s}")).collect();
            format!("exports {}", vars.join(" "))
        }
        Const::Error { class, message } => format!("{class}: {message}"),
        Const::Enum { name, members } => format!("enum {name} ({} members)", members.len()),
        Const::Embedded(i) => format!("embedded value {i}"),
    }
}
