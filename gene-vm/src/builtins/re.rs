//! `gene/re`: regular expressions on the `regex` crate (linear time in the text, whatever the
//! pattern: no backtracking blow-up), the `Regex` and `Match` values, and the String shortcuts
//! `.matches` and `.replace_re`.
//!
//! Positions (`.start`, `.end`) count characters, as every string position in Gene does; the
//! crate's byte offsets are converted once per match, walking forward from the previous match
//! in `.find_all`. A pattern that does not compile is a ValueError with the crate's message.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use regex::{Captures, Regex, RegexBuilder};

use super::{arg, str_arg};
use crate::value::{Host, HostObject, NativeFn, Value, inspect};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/re/compile", |vm, args| {
        let pattern = str_arg(vm, args, 0, "gene/re/compile's pattern")?;
        let flags = match arg(args, 1) {
            Value::Nil => "",
            Value::Str(s) => s.as_str(),
            other => {
                return Err(vm.type_error(format!(
                    "gene/re/compile's flags must be a string such as \"im\", got {}",
                    other.type_name()
                )));
            }
        };
        let re = compile(vm, pattern, flags, "gene/re/compile")?;
        Ok(Value::Host(Host::new(re)))
    }),
    native!("Regex.test", |vm, args| {
        let re = regex_arg(vm, args, ".test")?;
        let text = str_arg(vm, args, 1, "Regex.test's text")?;
        Ok(Value::Bool(re.re.is_match(text)))
    }),
    native!("Regex.match", |vm, args| {
        let re = regex_arg(vm, args, ".match")?;
        let text = str_arg(vm, args, 1, "Regex.match's text")?;
        Ok(match re.re.captures(text) {
            Some(caps) => {
                let mut counter = CharCounter::default();
                match_value(re, text, &caps, &mut counter)
            }
            None => Value::Nil,
        })
    }),
    native!("Regex.find_all", |vm, args| {
        let re = regex_arg(vm, args, ".find_all")?;
        let text = str_arg(vm, args, 1, "Regex.find_all's text")?;
        let mut counter = CharCounter::default();
        let mut matches = Vec::new();
        for caps in re.re.captures_iter(text) {
            matches.push(match_value(re, text, &caps, &mut counter));
            if matches.len() % 4096 == 0 {
                // Each match holds a host object and the texts of its groups.
                crate::value::alloc::check_size(vm, matches.len(), 64, "Regex.find_all's matches")?;
            }
        }
        Ok(Value::array(matches))
    }),
    native!("Regex.replace", |vm, args| {
        let re = regex_arg(vm, args, ".replace")?;
        let text = str_arg(vm, args, 1, "Regex.replace's text")?;
        let replacement = str_arg(vm, args, 2, "Regex.replace's replacement")?;
        let limit = match arg(args, 3) {
            Value::Nil => 0,
            Value::Int(n) if *n >= 0 => usize::try_from(*n).unwrap_or(usize::MAX),
            Value::Int(n) => {
                return Err(vm.error(
                    "ArgumentError",
                    format!("Regex.replace: the count must not be negative, got {n}"),
                ));
            }
            other => {
                return Err(vm.type_error(format!(
                    "Regex.replace's count must be an int, got {}",
                    other.type_name()
                )));
            }
        };
        Ok(Value::str(
            re.re.replacen(text, limit, replacement).into_owned(),
        ))
    }),
    native!("Regex.split", |vm, args| {
        let re = regex_arg(vm, args, ".split")?;
        let text = str_arg(vm, args, 1, "Regex.split's text")?;
        Ok(Value::array(re.re.split(text).map(Value::str).collect()))
    }),
    native!("Regex.source", |vm, args| {
        let re = regex_arg(vm, args, ".source")?;
        Ok(Value::str(re.re.as_str()))
    }),
    native!("Match.text", |vm, args| {
        let m = match_arg(vm, args, ".text")?;
        Ok(m.group_value(0))
    }),
    native!("Match.start", |vm, args| {
        let m = match_arg(vm, args, ".start")?;
        Ok(Value::Int(m.start as i64))
    }),
    native!("Match.end", |vm, args| {
        let m = match_arg(vm, args, ".end")?;
        Ok(Value::Int(m.end as i64))
    }),
    native!("Match.group", |vm, args| {
        let m = match_arg(vm, args, ".group")?;
        let index = match arg(args, 1) {
            Value::Int(n) => usize::try_from(*n).ok().filter(|&i| i < m.groups.len()),
            Value::Str(name) => m.names.iter().position(|n| n.as_deref() == Some(name)),
            Value::Symbol(name) => m
                .names
                .iter()
                .position(|n| n.as_deref() == Some(&*name.name())),
            other => {
                return Err(vm.type_error(format!(
                    "Match.group takes a group number or name, got {}",
                    other.type_name()
                )));
            }
        };
        match index {
            Some(i) => Ok(m.group_value(i)),
            None => Err(vm.error(
                "IndexError",
                format!(
                    "Match.group: the pattern has no group {} (groups 0 to {})",
                    inspect(arg(args, 1)),
                    m.groups.len() - 1
                ),
            )),
        }
    }),
    native!("Match.groups", |vm, args| {
        let m = match_arg(vm, args, ".groups")?;
        Ok(Value::array(
            (1..m.groups.len()).map(|i| m.group_value(i)).collect(),
        ))
    }),
    native!("String.matches", |vm, args| {
        let text = str_arg(vm, args, 0, "String.matches's receiver")?;
        with_pattern(vm, arg(args, 1), ".matches", |re| {
            Ok(Value::Bool(re.is_match(text)))
        })
    }),
    native!("String.replace_re", |vm, args| {
        let text = str_arg(vm, args, 0, "String.replace_re's receiver")?;
        let replacement = str_arg(vm, args, 2, "String.replace_re's replacement")?;
        with_pattern(vm, arg(args, 1), ".replace_re", |re| {
            Ok(Value::str(re.replace_all(text, replacement).into_owned()))
        })
    }),
];

/// A compiled pattern: `gene/Regex`.
pub(crate) struct RegexObj {
    re: Regex,
    flags: String,
    /// The names of the groups by number (group 0 and unnamed groups have none).
    names: Arc<[Option<String>]>,
}

impl HostObject for RegexObj {
    fn type_name(&self) -> &'static str {
        "Regex"
    }

    fn describe(&self) -> String {
        format!(
            "<Regex {}{}{}>",
            inspect(&Value::str(self.re.as_str())),
            if self.flags.is_empty() { "" } else { " " },
            self.flags
        )
    }
}

/// One match: `gene/Match`. The texts of its groups are copied out of the searched string.
struct MatchObj {
    /// Each group's text (None when the group did not take part in the match).
    groups: Vec<Option<String>>,
    names: Arc<[Option<String>]>,
    /// Character positions of the whole match.
    start: usize,
    end: usize,
}

impl MatchObj {
    fn group_value(&self, i: usize) -> Value {
        match self.groups.get(i) {
            Some(Some(s)) => Value::str(s.as_str()),
            _ => Value::Nil,
        }
    }
}

impl HostObject for MatchObj {
    fn type_name(&self) -> &'static str {
        "Match"
    }

    fn describe(&self) -> String {
        let text = self.groups.first().cloned().flatten().unwrap_or_default();
        format!(
            "<Match {} at {}..{}>",
            inspect(&Value::str(text)),
            self.start,
            self.end
        )
    }
}

/// Converts byte offsets of one string to character positions, in increasing order.
#[derive(Default)]
struct CharCounter {
    byte: usize,
    chars: usize,
}

impl CharCounter {
    fn at(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += text.get(self.byte..byte).map_or(0, |s| s.chars().count());
        self.byte = byte;
        self.chars
    }
}

fn match_value(re: &RegexObj, text: &str, caps: &Captures, counter: &mut CharCounter) -> Value {
    let (start, end) = match caps.get(0) {
        Some(m) => (m.start(), m.end()),
        None => (0, 0),
    };
    let start = counter.at(text, start);
    let end = counter.at(text, end);
    let groups = caps
        .iter()
        .map(|g| g.map(|g| g.as_str().to_string()))
        .collect();
    Value::Host(Host::new(MatchObj {
        groups,
        names: re.names.clone(),
        start,
        end,
    }))
}

fn compile(vm: &Vm, pattern: &str, flags: &str, what: &str) -> Result<RegexObj, Exc> {
    let mut builder = RegexBuilder::new(pattern);
    for flag in flags.chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            'x' => builder.ignore_whitespace(true),
            other => {
                return Err(vm.error(
                    "ArgumentError",
                    format!(
                        "{what}: unknown flag {} in {} (known: i m s x)",
                        inspect(&Value::Char(other)),
                        inspect(&Value::str(flags))
                    ),
                ));
            }
        };
    }
    let re = builder.build().map_err(|e| {
        vm.error(
            "ValueError",
            format!(
                "{what}: invalid pattern {}: {e}",
                inspect(&Value::str(pattern))
            ),
        )
    })?;
    let names = re.capture_names().map(|n| n.map(str::to_string)).collect();
    Ok(RegexObj {
        re,
        flags: flags.to_string(),
        names,
    })
}

fn regex_arg<'a>(vm: &Vm, args: &'a [Value], what: &str) -> Result<&'a RegexObj, Exc> {
    match arg(args, 0) {
        Value::Host(h) => h.downcast::<RegexObj>(),
        _ => None,
    }
    .ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs a Regex, got {}",
            arg(args, 0).type_name()
        ))
    })
}

fn match_arg<'a>(vm: &Vm, args: &'a [Value], what: &str) -> Result<&'a MatchObj, Exc> {
    match arg(args, 0) {
        Value::Host(h) => h.downcast::<MatchObj>(),
        _ => None,
    }
    .ok_or_else(|| {
        vm.type_error(format!(
            "{what} needs a Match, got {}",
            arg(args, 0).type_name()
        ))
    })
}

/// Patterns given as strings to the String shortcuts, compiled once: a loop calling
/// `(line .matches "\\d+")` does not compile the pattern on every line.
const PATTERN_CACHE: usize = 64;

thread_local! {
    static PATTERNS: RefCell<Vec<(String, Rc<Regex>)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the pattern: a Regex, or a string compiled without flags.
fn with_pattern(
    vm: &Vm,
    pattern: &Value,
    what: &str,
    f: impl FnOnce(&Regex) -> Result<Value, Exc>,
) -> Result<Value, Exc> {
    match pattern {
        Value::Host(h) if h.downcast::<RegexObj>().is_some() => {
            let re = h.downcast::<RegexObj>().map(|r| &r.re);
            match re {
                Some(re) => f(re),
                None => Err(vm.type_error(format!("String{what} needs a pattern"))),
            }
        }
        Value::Str(s) => {
            let cached = PATTERNS.with(|p| {
                let p = p.borrow();
                p.iter()
                    .rev()
                    .find(|(k, _)| k.as_str() == s.as_str())
                    .map(|(_, re)| re.clone())
            });
            let re = match cached {
                Some(re) => re,
                None => {
                    let re = Rc::new(compile(vm, s, "", &format!("String{what}"))?.re);
                    PATTERNS.with(|p| {
                        let mut p = p.borrow_mut();
                        if p.len() >= PATTERN_CACHE {
                            p.remove(0);
                        }
                        p.push((s.to_string(), re.clone()));
                    });
                    re
                }
            };
            f(&re)
        }
        other => Err(vm.type_error(format!(
            "String{what}'s pattern must be a string or a Regex, got {}",
            other.type_name()
        ))),
    }
}
