//! The input side of the stdio transport, made robust.
//!
//! `tower-lsp-server` reads frames with a `tokio-util` `FramedRead`, whose stream ends at the
//! first decoding error, and which trusts every `Content-Length`: one malformed message from a
//! client would end the session, and one wrong length would leave the server reading the next
//! messages as the rest of a body, alive but never answering. So the server reads its input
//! through this filter: it splits the input into `Content-Length` frames itself, drops (and
//! logs) every frame the transport would fail on, and passes the rest on unchanged.
//!
//! After a bad frame the filter resynchronises on the next `Content-Length:` header, searched
//! from just after the bad frame's header (the length may have been wrong, so the next frame
//! may start inside what it claimed as its body):
//! - a header that does not parse, a missing length, a length above [`MAX_MESSAGE`]: the
//!   search starts right after the start of that header;
//! - a body that is not a JSON-RPC message (a length too short cuts it): the search starts at
//!   the beginning of the body;
//! - a length too long swallows the next message: while the filter waits for the rest of a
//!   body, a line `Content-Length: N` arriving inside it ends the wait. Valid JSON never holds
//!   such a line (a raw line break cannot be inside a JSON string, and the words cannot be
//!   outside one), so a body that does is a broken frame and the line is the next header.
//!
//! Bytes that are not part of any frame (a body sent without its header) are dropped on the
//! way to the next header.

use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};
use tower_lsp_server::jsonrpc::{Request, Response};
use tracing::warn;

/// The largest message accepted: far above any real document.
pub const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// The longest header block read before it is declared broken (real ones are two short
/// lines).
const MAX_HEADER: usize = 8 * 1024;

/// The header name frames start with, compared without regard to case.
const LENGTH_HEADER: &[u8] = b"content-length";

/// What `tower-lsp-server` decodes a frame into; a frame that does not decode is dropped here.
#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    #[allow(dead_code)]
    Response(Response),
    #[allow(dead_code)]
    Request(Request),
}

/// Why input was dropped.
#[derive(Debug, PartialEq, Eq)]
pub enum Dropped {
    /// A header block that does not give a usable length.
    BadHeader(String),
    /// A length above [`MAX_MESSAGE`].
    TooLarge(usize),
    /// A body that is not a JSON-RPC message.
    NotJsonRpc(String),
    /// A body cut short by the next message's header: its length was too long.
    CutShort { length: usize, got: usize },
    /// This many bytes outside any frame (a message without a header, say).
    Unframed(usize),
}

/// Splits a byte stream into frames, resynchronising after bad ones (see the module comment).
pub struct FrameReader<R> {
    input: R,
    buf: Vec<u8>,
    /// Where the unread part of `buf` starts.
    start: usize,
    eof: bool,
    /// Bytes before this were reported already (a body dropped whole is searched for the next
    /// header again, and not reported twice).
    reported_to: usize,
    /// Dropped input noticed while looking for the next frame, reported before it.
    dropped: Vec<Dropped>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(input: R) -> FrameReader<R> {
        FrameReader {
            input,
            buf: Vec::new(),
            start: 0,
            eof: false,
            reported_to: 0,
            dropped: Vec::new(),
        }
    }

    /// Forgets the bytes already read. Only between steps that keep no offsets into `buf`.
    fn compact(&mut self) {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.reported_to = self.reported_to.saturating_sub(self.start);
            self.start = 0;
        }
    }

    /// Reads more input; false at its end.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.reserve(64 * 1024);
        let n = self.input.read_buf(&mut self.buf).await?;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Skips to the next `Content-Length` header; false at the end of the input. What is
    /// skipped, other than blank lines and header lines, is reported as [`Dropped::Unframed`].
    async fn seek_header(&mut self) -> std::io::Result<bool> {
        let mut skipped = Skipped::default();
        let found = loop {
            let unread = &self.buf[self.start..];
            if let Some(at) = find_length_header(unread) {
                self.skip(&mut skipped, at);
                break true;
            }
            // Keep a tail that may be the beginning of the header name.
            let keep = unread.len().min(LENGTH_HEADER.len() - 1);
            self.skip(&mut skipped, unread.len() - keep);
            self.compact();
            if !self.fill().await? {
                self.skip(&mut skipped, self.buf.len() - self.start);
                break false;
            }
        };
        if let Some(dropped) = skipped.finish() {
            self.dropped.push(dropped);
        }
        Ok(found)
    }

    /// Moves past `n` bytes, noting those not reported yet in `skipped`.
    fn skip(&mut self, skipped: &mut Skipped, n: usize) {
        let end = self.start + n;
        let from = self.start.max(self.reported_to).min(end);
        skipped.push(&self.buf[from..end]);
        self.start = end;
    }

    /// Reads the header block starting at `self.start`: the body's length and where the body
    /// starts (relative to `self.start`), or why the block is no good. `Ok(None)` at the end of
    /// the input.
    async fn read_header(&mut self) -> std::io::Result<Option<Result<(usize, usize), String>>> {
        let mut scanned = 0;
        let block_end = loop {
            if let Some(end) = header_block_end(&self.buf[self.start + scanned..]) {
                break scanned + end;
            }
            let unread = self.buf.len() - self.start;
            if unread > MAX_HEADER {
                return Ok(Some(Err("no end of the header".into())));
            }
            // The end of a block is at most four bytes long: look at the last three again.
            scanned = unread.saturating_sub(3);
            if !self.fill().await? {
                return Ok(None);
            }
        };
        let block = String::from_utf8_lossy(&self.buf[self.start..self.start + block_end]);
        Ok(Some(parse_header(&block).map(|length| (length, block_end))))
    }

    /// The next frame: `Ok(None)` at the end of the input, `Ok(Some(Err(..)))` for input that
    /// was dropped, `Ok(Some(Ok(body)))` for a good frame.
    pub async fn next(&mut self) -> std::io::Result<Option<Result<Vec<u8>, Dropped>>> {
        if let Some(dropped) = self.take_dropped() {
            return Ok(Some(Err(dropped)));
        }
        self.compact();
        if !self.seek_header().await? {
            return Ok(self.take_dropped().map(Err));
        }
        if let Some(dropped) = self.take_dropped() {
            return Ok(Some(Err(dropped)));
        }
        let (length, body_at) = match self.read_header().await? {
            None => return Ok(None),
            Some(Ok(header)) => header,
            Some(Err(e)) => {
                // Search again from inside this header.
                self.start += 1;
                return Ok(Some(Err(Dropped::BadHeader(e))));
            }
        };
        if length > MAX_MESSAGE {
            self.start += 1;
            return Ok(Some(Err(Dropped::TooLarge(length))));
        }
        let body_start = self.start + body_at;
        // While the body is incomplete, a header line inside it means the length was wrong.
        // Each line is looked at once, when its end arrives.
        let mut line_start = body_start;
        let mut searched = body_start;
        while self.buf.len() - body_start < length {
            for newline in memchr::memchr_iter(b'\n', &self.buf[searched..]) {
                let end = searched + newline;
                if let Some(name) = header_line(&self.buf[line_start..end]) {
                    self.start = line_start + name;
                    let got = self.start - body_start;
                    return Ok(Some(Err(Dropped::CutShort { length, got })));
                }
                line_start = end + 1;
            }
            searched = self.buf.len();
            if !self.fill().await? {
                return Ok(None);
            }
        }
        let body = &self.buf[body_start..body_start + length];
        if serde_json::from_slice::<Incoming>(body).is_ok() {
            let body = body.to_vec();
            self.start = body_start + length;
            return Ok(Some(Ok(body)));
        }
        // A body that arrived whole may hold the next header too (a length too long), or be
        // cut short (a length too short, the next header comes after it): search from inside.
        let mut line_start = 0;
        for newline in memchr::memchr_iter(b'\n', body) {
            if let Some(name) = header_line(&body[line_start..newline]) {
                self.start = body_start + line_start + name;
                let got = line_start + name;
                return Ok(Some(Err(Dropped::CutShort { length, got })));
            }
            line_start = newline + 1;
        }
        let error = serde_json::from_slice::<Incoming>(body)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        self.start = body_start;
        self.reported_to = body_start + length;
        Ok(Some(Err(Dropped::NotJsonRpc(error))))
    }

    fn take_dropped(&mut self) -> Option<Dropped> {
        (!self.dropped.is_empty()).then(|| self.dropped.remove(0))
    }
}

/// Where the first `Content-Length` header name is in `bytes`.
fn find_length_header(bytes: &[u8]) -> Option<usize> {
    memchr::memchr2_iter(b'c', b'C', bytes).find(|&i| {
        bytes
            .get(i..i + LENGTH_HEADER.len())
            .is_some_and(|name| name.eq_ignore_ascii_case(LENGTH_HEADER))
    })
}

/// The length of the header block at the start of `bytes` up to and including the blank line
/// that ends it (`\r\n\r\n`, or `\n\n` from lenient clients).
fn header_block_end(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', bytes).find_map(|i| {
        let before = &bytes[..i];
        let before = before.strip_suffix(b"\r").unwrap_or(before);
        before.ends_with(b"\n").then_some(i + 1)
    })
}

/// Where the header name is in `line` (without its line break) if it is a `Content-Length: N`
/// line, possibly after other bytes.
fn header_line(line: &[u8]) -> Option<usize> {
    let name = find_length_header(line)?;
    let rest = std::str::from_utf8(&line[name + LENGTH_HEADER.len()..]).ok()?;
    let value = rest.strip_prefix(':')?.trim();
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

/// The body length a header block gives, or what is wrong with it.
fn parse_header(block: &str) -> Result<usize, String> {
    let mut length = None;
    for line in block.split('\n').map(|l| l.trim_end_matches('\r')) {
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':').filter(|(n, _)| is_token(n)) else {
            return Err(format!("not a header line `{}`", cut(line)));
        };
        if name.eq_ignore_ascii_case("content-length") && length.is_none() {
            let value = value.trim();
            let parsed = value.parse::<usize>();
            length = Some(parsed.map_err(|_| format!("bad Content-Length `{}`", cut(value)))?);
        }
    }
    length.ok_or_else(|| "no Content-Length header".into())
}

/// Bytes skipped on the way to a header, followed line by line (they come in pieces): blank
/// lines and header lines are no news, anything else is.
#[derive(Default)]
struct Skipped {
    total: usize,
    junk: bool,
    /// The last line so far, while it is short enough to be a header line.
    line: Vec<u8>,
}

impl Skipped {
    fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len();
        let mut rest = bytes;
        while let Some(newline) = memchr::memchr(b'\n', rest) {
            self.line.extend_from_slice(&rest[..newline]);
            self.end_line();
            rest = &rest[newline + 1..];
        }
        self.line.extend_from_slice(rest);
        if self.line.len() > MAX_HEADER {
            self.junk = true;
            self.line.clear();
        }
    }

    fn end_line(&mut self) {
        let line = String::from_utf8_lossy(&self.line);
        let line = line.trim();
        let harmless =
            line.is_empty() || line.split_once(':').is_some_and(|(name, _)| is_token(name));
        self.junk |= !harmless;
        self.line.clear();
    }

    /// What to report once the header is found (or the input ended).
    fn finish(mut self) -> Option<Dropped> {
        // A part line before the header is what came before it on its line.
        self.junk |= !String::from_utf8_lossy(&self.line).trim().is_empty();
        self.junk.then_some(Dropped::Unframed(self.total))
    }
}

/// A header name: letters, digits and dashes.
fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// At most 40 characters of `text`, for a log line.
fn cut(text: &str) -> String {
    text.chars().take(40).collect()
}

/// Copies well-formed frames from `input` to `output` until the input ends.
pub async fn filter_frames<R: AsyncRead + Unpin>(input: R, mut output: DuplexStream) {
    let mut frames = FrameReader::new(input);
    loop {
        match frames.next().await {
            Ok(Some(Ok(body))) => {
                let header = format!("Content-Length: {}\r\n\r\n", body.len());
                let written = async {
                    output.write_all(header.as_bytes()).await?;
                    output.write_all(&body).await?;
                    output.flush().await
                };
                if written.await.is_err() {
                    // The server is gone.
                    return;
                }
            }
            Ok(Some(Err(dropped))) => warn!("dropped malformed input: {dropped:?}"),
            Ok(None) => return,
            Err(e) => {
                warn!("reading the input failed: {e}");
                return;
            }
        }
    }
}

/// `input` as a stream of frames the server can always decode. The filter runs as a task on
/// the current runtime.
pub fn filtered<R: AsyncRead + Unpin + Send + 'static>(input: R) -> DuplexStream {
    let (reader, writer) = tokio::io::duplex(64 * 1024);
    tokio::spawn(filter_frames(input, writer));
    reader
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    const GOOD: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    const OTHER: &str = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;

    /// Input that arrives in the given pieces, one per read.
    struct Pieces(Vec<Vec<u8>>);

    impl AsyncRead for Pieces {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if !self.0.is_empty() {
                let piece = self.0.remove(0);
                let n = piece.len().min(buf.remaining());
                buf.put_slice(&piece[..n]);
                if n < piece.len() {
                    self.0.insert(0, piece[n..].to_vec());
                }
            }
            Poll::Ready(Ok(()))
        }
    }

    async fn frames_of(pieces: &[&str]) -> Vec<Result<String, Dropped>> {
        let pieces = pieces.iter().map(|p| p.as_bytes().to_vec()).collect();
        let mut reader = FrameReader::new(Pieces(pieces));
        let mut out = Vec::new();
        while let Some(frame) = reader.next().await.unwrap() {
            out.push(frame.map(|b| String::from_utf8(b).unwrap()));
        }
        out
    }

    async fn frames(input: &str) -> Vec<Result<String, Dropped>> {
        frames_of(&[input]).await
    }

    /// The input given whole, then byte by byte: the frames must not depend on how reads cut
    /// the input.
    async fn frames_any_cut(input: &str) -> Vec<Result<String, Dropped>> {
        let whole = frames(input).await;
        let bytes: Vec<String> = input.chars().map(String::from).collect();
        let pieces: Vec<&str> = bytes.iter().map(String::as_str).collect();
        assert_eq!(frames_of(&pieces).await, whole, "read byte by byte");
        whole
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn good_ones(frames: &[Result<String, Dropped>]) -> Vec<&str> {
        frames
            .iter()
            .filter_map(|f| f.as_ref().ok().map(String::as_str))
            .collect()
    }

    #[tokio::test]
    async fn malformed_frames_are_dropped_and_reading_goes_on() {
        let input = [
            frame("{not json"),
            frame("[1, 2]"),
            "Content-Length: twelve\r\n\r\n".to_string(),
            frame(GOOD),
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n".to_string()
                + &frame(GOOD),
        ]
        .concat();
        let got = frames_any_cut(&input).await;
        assert!(matches!(got[0], Err(Dropped::NotJsonRpc(_))), "{got:?}");
        assert!(matches!(got[1], Err(Dropped::NotJsonRpc(_))), "{got:?}");
        assert!(matches!(got[2], Err(Dropped::BadHeader(_))), "{got:?}");
        assert_eq!(got[3], Ok(GOOD.to_string()));
        assert_eq!(got[4], Ok(GOOD.to_string()));
        assert_eq!(got.len(), 5, "{got:?}");
    }

    #[tokio::test]
    async fn a_length_too_long_does_not_swallow_the_next_message() {
        for extra in [1, 3, 20, 10_000] {
            let bad = format!("Content-Length: {}\r\n\r\n{GOOD}", GOOD.len() + extra);
            let input = [bad, frame(OTHER), frame(GOOD)].concat();
            let got = frames_any_cut(&input).await;
            assert_eq!(good_ones(&got), [OTHER, GOOD], "{extra} too long: {got:?}");
            assert!(got[0].is_err(), "{got:?}");
        }
    }

    #[tokio::test]
    async fn a_length_too_short_does_not_lose_the_next_message() {
        for short in [1, 10, GOOD.len()] {
            let bad = format!("Content-Length: {}\r\n\r\n{GOOD}", GOOD.len() - short);
            let input = [bad, frame(OTHER), frame(GOOD)].concat();
            let got = frames_any_cut(&input).await;
            assert_eq!(good_ones(&got), [OTHER, GOOD], "{short} too short: {got:?}");
        }
    }

    #[tokio::test]
    async fn messages_without_a_length_header_are_dropped() {
        let input = [
            // A body with no header at all.
            GOOD.to_string(),
            frame(OTHER),
            // A header block without the length.
            format!("Content-Type: application/json\r\n\r\n{GOOD}"),
            frame(OTHER),
            // A header not ended by a blank line.
            format!("Content-Length: {}\r\n{GOOD}", GOOD.len()),
            frame(GOOD),
        ]
        .concat();
        let got = frames_any_cut(&input).await;
        assert_eq!(good_ones(&got), [OTHER, OTHER, GOOD], "{got:?}");
        assert!(got.contains(&Err(Dropped::Unframed(GOOD.len()))), "{got:?}");
    }

    #[tokio::test]
    async fn an_absurd_length_is_not_waited_for() {
        let input = [
            "Content-Length: 99999999999\r\n\r\n".to_string(),
            frame(GOOD),
        ]
        .concat();
        let got = frames_any_cut(&input).await;
        assert_eq!(got[0], Err(Dropped::TooLarge(99_999_999_999)));
        assert_eq!(good_ones(&got), [GOOD]);
    }

    #[tokio::test]
    async fn header_words_inside_a_string_are_body() {
        // Escaped line breaks: valid JSON that mentions the header stays one message.
        let body =
            r#"{"jsonrpc":"2.0","method":"x","params":{"text":"Content-Length: 5\r\n\r\nabc"}}"#;
        let got = frames_any_cut(&frame(body)).await;
        assert_eq!(got, [Ok(body.to_string())]);
    }

    #[tokio::test]
    async fn the_next_message_is_read_without_waiting_for_more_input() {
        // The input stays open after a bad length and a good message: the good one must come
        // out without any more bytes arriving.
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let mut reader = FrameReader::new(server);
        let bad = format!("Content-Length: {}\r\n\r\n{GOOD}", GOOD.len() + 500);
        client.write_all(bad.as_bytes()).await.unwrap();
        client.write_all(frame(OTHER).as_bytes()).await.unwrap();
        let next = async {
            loop {
                if let Ok(body) = reader.next().await.unwrap().expect("more frames") {
                    return String::from_utf8(body).unwrap();
                }
            }
        };
        let body = tokio::time::timeout(Duration::from_secs(10), next)
            .await
            .expect("the good message is read");
        assert_eq!(body, OTHER);
    }

    #[tokio::test]
    async fn a_truncated_frame_ends_the_input() {
        let got = frames("Content-Length: 50\r\n\r\n{\"jsonrpc\"").await;
        assert!(got.is_empty(), "{got:?}");
    }
}
