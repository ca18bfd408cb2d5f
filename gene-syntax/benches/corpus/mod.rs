//! A generated Gene source file for the benchmarks: a realistic mix of functions, classes,
//! maps, strings (plain, triple-quoted, interpolated) and comments. Deterministic, so runs
//! compare.

#![allow(dead_code)] // Each bench uses part of the corpus.

use std::fmt::Write;

/// A tiny deterministic generator (xorshift), so the corpus needs no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "user", "items", "total", "count", "result", "request", "response", "config", "value", "index",
    "name", "path", "buffer", "entry", "handler", "timeout", "retries", "payload",
];
const OPS: &[&str] = &["+", "-", "*", "/", "<", ">=", "=="];

fn expr(rng: &mut Rng, out: &mut String, depth: u32) {
    match if depth > 3 {
        rng.below(4)
    } else {
        rng.below(9)
    } {
        0 => {
            let _ = write!(out, "{}", rng.below(10_000));
        }
        1 => out.push_str(rng.pick(NAMES)),
        2 => {
            let _ = write!(out, "\"{} {}\"", rng.pick(NAMES), rng.below(100));
        }
        3 => {
            let _ = write!(out, "{}.{}", rng.below(100), rng.below(100));
        }
        4 => {
            out.push('(');
            expr(rng, out, depth + 1);
            let _ = write!(out, " {} ", rng.pick(OPS));
            expr(rng, out, depth + 1);
            out.push(')');
        }
        5 => {
            let _ = write!(out, "({}/.{} ", rng.pick(NAMES), rng.pick(NAMES));
            expr(rng, out, depth + 1);
            out.push(')');
        }
        6 => {
            out.push('[');
            for i in 0..rng.below(5) {
                if i > 0 {
                    out.push(' ');
                }
                expr(rng, out, depth + 1);
            }
            out.push(']');
        }
        7 => {
            out.push('{');
            for i in 0..1 + rng.below(3) {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "^{}{} ", rng.pick(NAMES), i);
                expr(rng, out, depth + 1);
            }
            out.push('}');
        }
        _ => {
            let _ = write!(
                out,
                "#\"{} #{{{}}} done\"",
                rng.pick(NAMES),
                rng.pick(NAMES)
            );
        }
    }
}

fn function(rng: &mut Rng, out: &mut String) {
    let _ = writeln!(
        out,
        "# Computes the {} of a {}.",
        rng.pick(NAMES),
        rng.pick(NAMES)
    );
    let _ = write!(out, "(fn {}_{} [", rng.pick(NAMES), rng.below(1000));
    for i in 0..rng.below(4) {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(NAMES));
    }
    out.push_str("]\n");
    for _ in 0..1 + rng.below(5) {
        let _ = write!(out, "  (var {} ", rng.pick(NAMES));
        expr(rng, out, 0);
        out.push_str(")\n");
    }
    out.push_str("  (if ");
    expr(rng, out, 2);
    let _ = write!(
        out,
        "\n    (println #\"{}: #{{{}}}\")\n",
        rng.pick(NAMES),
        rng.pick(NAMES)
    );
    out.push_str("  else\n    ");
    expr(rng, out, 1);
    out.push_str("))\n\n");
}

fn class(rng: &mut Rng, out: &mut String) {
    let _ = writeln!(out, "#< A class with {} methods. >#", 2 + rng.below(3));
    let _ = writeln!(out, "(class Model{} ^extends Base", rng.below(1000));
    let _ = writeln!(out, "  (ctor [{} {}]", rng.pick(NAMES), rng.pick(NAMES));
    let _ = writeln!(out, "    (/{} = {}))", rng.pick(NAMES), rng.pick(NAMES));
    for _ in 0..2 + rng.below(3) {
        let _ = write!(out, "  (method {} [x]\n    ", rng.pick(NAMES));
        expr(rng, out, 1);
        out.push_str(")\n");
    }
    out.push_str("  (method describe _\n    \"\"\"\n    A model.\n    \"\"\"))\n\n");
}

/// About `target` bytes of Gene source.
pub fn generate(target: usize) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(target + 4096);
    out.push_str("#!/usr/bin/env gene run\n# Generated benchmark input.\n\n");
    while out.len() < target {
        match rng.below(6) {
            0 => class(&mut rng, &mut out),
            1 => {
                let _ = write!(out, "(var {}_{} ", rng.pick(NAMES), rng.below(1000));
                expr(&mut rng, &mut out, 0);
                out.push_str(")\n\n");
            }
            _ => function(&mut rng, &mut out),
        }
    }
    out
}

/// A file of at least `lines` lines, made of whole top-level functions.
pub fn generate_lines(lines: usize) -> String {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut out = String::new();
    let mut count = 0;
    while count < lines {
        let before = out.len();
        function(&mut rng, &mut out);
        count += out[before..].matches('\n').count();
    }
    out
}
