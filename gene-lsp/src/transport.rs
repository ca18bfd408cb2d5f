//! The input side of the stdio transport, made robust.
//!
//! `tower-lsp-server` reads frames with a `tokio-util` `FramedRead`, whose stream ends at the
//! first decoding error: one malformed message from a client (invalid JSON, or JSON that is not
//! a JSON-RPC message) would end the whole session. So the server reads its input through this
//! filter: it splits the input into `Content-Length` frames itself, drops (and logs) any frame
//! the transport would fail on, and passes the rest on unchanged. A broken header is skipped up
//! to the next `Content-Length` header; a body larger than [`MAX_MESSAGE`] is skipped unread.

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tower_lsp_server::jsonrpc::{Request, Response};
use tracing::warn;

/// The largest message accepted: far above any real document.
pub const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// What `tower-lsp-server` decodes a frame into; a frame that does not decode is dropped here.
#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    #[allow(dead_code)]
    Response(Response),
    #[allow(dead_code)]
    Request(Request),
}

/// Why a frame was dropped.
#[derive(Debug, PartialEq, Eq)]
pub enum Dropped {
    BadHeader(String),
    TooLarge(usize),
    NotJsonRpc(String),
}

/// Reads one frame: `Ok(None)` at the end of the input, `Ok(Some(Err(..)))` for a frame to
/// drop, `Ok(Some(Ok(body)))` for a good one.
async fn read_frame<R: AsyncRead + Unpin>(
    input: &mut BufReader<R>,
) -> std::io::Result<Option<Result<Vec<u8>, Dropped>>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Blank lines between frames carry nothing.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
            );
        }
    }
    let length = match length {
        Some(Ok(n)) => n,
        Some(Err(e)) => return Ok(Some(Err(Dropped::BadHeader(e)))),
        None => {
            return Ok(Some(Err(Dropped::BadHeader(
                "no Content-Length header".into(),
            ))));
        }
    };
    if length > MAX_MESSAGE {
        let skipped =
            tokio::io::copy(&mut input.take(length as u64), &mut tokio::io::sink()).await?;
        if (skipped as usize) < length {
            return Ok(None);
        }
        return Ok(Some(Err(Dropped::TooLarge(length))));
    }
    let mut body = vec![0; length];
    if let Err(e) = input.read_exact(&mut body).await {
        return if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Ok(None)
        } else {
            Err(e)
        };
    }
    Ok(Some(match serde_json::from_slice::<Incoming>(&body) {
        Ok(_) => Ok(body),
        Err(e) => Err(Dropped::NotJsonRpc(e.to_string())),
    }))
}

/// Copies well-formed frames from `input` to `output` until the input ends.
pub async fn filter_frames<R: AsyncRead + Unpin>(input: R, mut output: DuplexStream) {
    let mut input = BufReader::new(input);
    loop {
        match read_frame(&mut input).await {
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
            Ok(Some(Err(dropped))) => warn!("dropped a malformed message: {dropped:?}"),
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

    async fn frames(input: &[u8]) -> Vec<Result<String, Dropped>> {
        let mut reader = BufReader::new(input);
        let mut out = Vec::new();
        while let Some(frame) = read_frame(&mut reader).await.unwrap() {
            out.push(frame.map(|b| String::from_utf8(b).unwrap()));
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[tokio::test]
    async fn malformed_frames_are_dropped_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = [
            frame("{not json"),
            frame("[1, 2]"),
            "X-Junk: 1\r\n\r\n".to_string(),
            "Content-Length: twelve\r\n\r\n".to_string(),
            frame(good),
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n".to_string()
                + &frame(good),
        ]
        .concat();
        let got = frames(input.as_bytes()).await;
        assert!(matches!(got[0], Err(Dropped::NotJsonRpc(_))));
        assert!(matches!(got[1], Err(Dropped::NotJsonRpc(_))));
        assert!(matches!(got[2], Err(Dropped::BadHeader(_))));
        assert!(matches!(got[3], Err(Dropped::BadHeader(_))));
        assert_eq!(got[4], Ok(good.to_string()));
        assert_eq!(got[5], Ok(good.to_string()));
        assert_eq!(got.len(), 6);
    }

    #[tokio::test]
    async fn a_truncated_frame_ends_the_input() {
        let got = frames(b"Content-Length: 50\r\n\r\n{\"jsonrpc\"").await;
        assert!(got.is_empty());
    }
}
