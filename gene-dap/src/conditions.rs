//! What a line breakpoint does when reached: its condition (a Gene expression, stop when
//! truthy), its hit condition (`N` or `== N`, `>= N`, `> N`, `< N`, `<= N`, `% N`, counted over
//! the times its condition held) and its log message (`{expr}` parts evaluated in the frame,
//! printed instead of stopping).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gene_vm::vm::debug::{function_matches, same_path};

#[derive(Clone, Debug, Default)]
pub struct Spec {
    pub condition: Option<String>,
    pub hit_condition: Option<String>,
    pub log_message: Option<String>,
    pub hits: u64,
}

impl Spec {
    pub fn is_plain(&self) -> bool {
        self.condition.is_none() && self.hit_condition.is_none() && self.log_message.is_none()
    }
}

/// Specs by (path as the client named it, 0-based line used), shared by the request loop
/// (which sets them) and the program's host (which counts hits).
#[derive(Clone, Default)]
pub struct Specs(Arc<Mutex<HashMap<(String, u32), Spec>>>);

impl Specs {
    /// Replaces the specs of `path`.
    pub fn set(&self, path: &str, specs: Vec<(u32, Spec)>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|(p, _), _| p != path);
        for (line, spec) in specs {
            if !spec.is_plain() {
                map.insert((path.to_string(), line), spec);
            }
        }
    }

    /// Runs `f` on the spec of the breakpoint at `path`:`line`, if it has one.
    pub fn with<R>(&self, path: &str, line: u32, f: impl FnOnce(&mut Spec) -> R) -> Option<R> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.iter_mut()
            .find(|((p, l), _)| *l == line && same_path(p, path))
            .map(|(_, spec)| f(spec))
    }
}

/// Function breakpoints, as the client set them (their index gives their DAP id), shared by
/// the request loop and the program's host.
#[derive(Clone, Default)]
pub struct FunctionSpecs(Arc<Mutex<Vec<(String, Spec)>>>);

/// DAP ids of function breakpoints: `FUNCTION_IDS` + their index (line breakpoints count
/// from 1).
pub const FUNCTION_IDS: usize = 1_000_000;

impl FunctionSpecs {
    pub fn set(&self, breakpoints: Vec<(String, Spec)>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = breakpoints;
    }

    pub fn names(&self) -> Vec<String> {
        let list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        list.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The DAP ids of the breakpoints named `name` as written.
    pub fn ids_of(&self, name: &str) -> Vec<usize> {
        let list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (0..list.len())
            .filter(|&i| list[i].0 == name)
            .map(|i| FUNCTION_IDS + i)
            .collect()
    }

    /// The indexes of the breakpoints naming the function `qualified`.
    pub fn matching(&self, qualified: &str) -> Vec<usize> {
        let list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (0..list.len())
            .filter(|&i| function_matches(&list[i].0, qualified))
            .collect()
    }

    pub fn with<R>(&self, index: usize, f: impl FnOnce(&mut Spec) -> R) -> Option<R> {
        let mut list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        list.get_mut(index).map(|(_, spec)| f(spec))
    }
}

/// Whether `hits` satisfies a hit condition; an unreadable condition always holds (the stop
/// shows the user something is off rather than hiding it).
pub fn hit_condition_holds(condition: &str, hits: u64) -> bool {
    let c = condition.trim();
    let (op, number) = ["==", ">=", "<=", ">", "<", "%", "="]
        .iter()
        .find_map(|op| c.strip_prefix(op).map(|rest| (*op, rest.trim())))
        .unwrap_or(("==", c));
    let Ok(n) = number.parse::<u64>() else {
        return true;
    };
    match op {
        ">=" => hits >= n,
        "<=" => hits <= n,
        ">" => hits > n,
        "<" => hits < n,
        "%" => n != 0 && hits.is_multiple_of(n),
        _ => hits == n,
    }
}

/// The parts of a log message: text, and `{expr}` expressions (`{{` and `}}` are braces).
#[derive(Debug, PartialEq)]
pub enum Part {
    Text(String),
    Expr(String),
}

pub fn log_parts(message: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut expr = String::new();
                let mut depth = 0;
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    expr.push(c);
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Expr(expr));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hit_conditions() {
        assert!(hit_condition_holds("3", 3));
        assert!(!hit_condition_holds("3", 4));
        assert!(hit_condition_holds(">= 2", 5));
        assert!(!hit_condition_holds(">2", 2));
        assert!(hit_condition_holds("% 2", 4));
        assert!(!hit_condition_holds("%2", 3));
        assert!(hit_condition_holds("junk", 1));
    }

    #[test]
    fn log_messages_split_into_text_and_expressions() {
        assert_eq!(
            log_parts("x is {x}, {{literal}} {(a + 1)}"),
            vec![
                Part::Text("x is ".into()),
                Part::Expr("x".into()),
                Part::Text(", {literal} ".into()),
                Part::Expr("(a + 1)".into()),
            ]
        );
    }
}
