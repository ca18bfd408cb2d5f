//! Thousands of random edits (brackets, quotes, deletions, astral characters) while requests
//! flow and some are cancelled: every request is answered, none with an internal error, and at
//! the end the server's diagnostics are exactly those of the text the client holds.

mod support;

use futures::future::join_all;
use serde_json::{Value, json};
use support::{PATIENCE, TestClient, inside_crlf, position_utf16};

const URI: &str = "file:///soak/main.gene";
const EDITS: usize = 3000;

/// A small deterministic generator (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "#[",
    "\"",
    "#\"",
    "#{",
    "'",
    "^k ",
    "^",
    " ",
    "\n",
    "x",
    "42",
    "😀",
    "é",
    "# c\n",
    "#<",
    ">#",
    ":",
    "%",
    "#@",
    "(fn f [a] (a + 1))",
    "\r\n",
];

/// A random char boundary of `text` that LSP can name (not inside a `\r\n`).
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .filter(|&i| !inside_crlf(text, i))
        .collect();
    boundaries[rng.below(boundaries.len())]
}

/// A random edit of `text`: (start, end) byte range and the replacement.
fn random_edit(rng: &mut Rng, text: &str) -> (usize, usize, String) {
    let start = boundary(rng, text);
    match rng.below(10) {
        // Deletions of a few characters.
        0..=2 => {
            let mut end = start;
            for _ in 0..=rng.below(4) {
                if let Some(c) = text[end..].chars().next() {
                    end += c.len_utf8();
                }
            }
            if inside_crlf(text, end) {
                end += 1;
            }
            (start, end, String::new())
        }
        // Replacing a character.
        3 => {
            let mut end = text[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            if inside_crlf(text, end) {
                end += 1;
            }
            (start, end, PIECES[rng.below(PIECES.len())].to_string())
        }
        _ => (start, start, PIECES[rng.below(PIECES.len())].to_string()),
    }
}

fn expected_codes(text: &str) -> Vec<(String, (u32, u32))> {
    let parse = gene_syntax::parse_text(text);
    parse
        .errors()
        .iter()
        .map(|e| {
            (
                e.code().to_string(),
                position_utf16(text, u32::from(e.range.start()) as usize),
            )
        })
        .collect()
}

/// The syntax errors among the server's diagnostics (the lint rules report too).
fn got_codes(diagnostics: &[Value]) -> Vec<(String, (u32, u32))> {
    diagnostics
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with('E')))
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                (
                    d["range"]["start"]["line"].as_u64().unwrap_or(0) as u32,
                    d["range"]["start"]["character"].as_u64().unwrap_or(0) as u32,
                ),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_edits_while_requests_flow() {
    let mut client = TestClient::new();
    client
        .initialize(json!({
            "textDocument": {"publishDiagnostics": {"relatedInformation": true}},
            "workspace": {"workspaceEdit": {"documentChanges": true}}
        }))
        .await;
    let mut text = String::from(
        "(fn greet [name]\n  (println #\"hello #{name}\"))\n\n(var xs [1 2 3])\n{^a 1 ^b [x y]}\n",
    );
    client.open(URI, 0, &text).await;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut pending = Vec::new();

    for version in 1..=EDITS as i32 {
        let (start, end, new_text) = random_edit(&mut rng, &text);
        // Keep the document from growing without bound.
        let (start, end, new_text) = if text.len() > 4000 {
            let mut half = text.len() / 2;
            while !text.is_char_boundary(half) || inside_crlf(&text, half) {
                half += 1;
            }
            (0, half, String::new())
        } else {
            (start, end, new_text)
        };
        client
            .edit(
                URI,
                version,
                position_utf16(&text, start),
                position_utf16(&text, end),
                &new_text,
            )
            .await;
        text.replace_range(start..end, &new_text);

        if version % 3 == 0 {
            let a = position_utf16(&text, boundary(&mut rng, &text));
            let b = position_utf16(&text, boundary(&mut rng, &text));
            let (method, params) = if rng.below(2) == 0 {
                (
                    "textDocument/codeAction",
                    json!({
                        "textDocument": {"uri": URI},
                        "range": {"start": {"line": a.0, "character": a.1}, "end": {"line": b.0, "character": b.1}},
                        "context": {"diagnostics": [], "only": if rng.below(4) == 0 { json!(["source.fixAll"]) } else { Value::Null }}
                    }),
                )
            } else {
                (
                    "textDocument/diagnostic",
                    json!({"textDocument": {"uri": URI}}),
                )
            };
            let (id, answer) = client.start_request(method, params).await;
            let task = tokio::spawn(answer);
            if rng.below(5) == 0 {
                client.notify("$/cancelRequest", json!({"id": id})).await;
            }
            pending.push((method, task));
        }
    }

    // Every request gets an answer: a result, or a cancellation / content-modified / a range the
    // document no longer has. Never an internal error.
    let answers = tokio::time::timeout(
        PATIENCE * 4,
        join_all(pending.into_iter().map(|(method, task)| async move {
            (method, task.await.expect("no panic in the test task"))
        })),
    )
    .await
    .expect("every request is answered");
    let mut ok = 0;
    for (method, answer) in &answers {
        match answer {
            Ok(_) => ok += 1,
            Err(e) => assert!(
                matches!(e.code.code(), -32800 | -32801 | -32802 | -32602),
                "{method}: {e:?}"
            ),
        }
    }
    eprintln!("{ok} of {} requests answered with a result", answers.len());
    assert!(ok > 0, "no request succeeded out of {}", answers.len());

    // The server's view of the text matches the client's: same diagnostics, same places.
    let diagnostics = client.diagnostics_at(URI, EDITS as i64).await;
    assert_eq!(
        got_codes(&diagnostics),
        expected_codes(&text),
        "text: {text:?}"
    );
}
