//! A run's output on its way to the client: the text of the child's stdout and stderr pipes
//! (read in pieces that may cut a character), and whole lines for `window/logMessage`.

/// Splits text into complete lines for `window/logMessage`, where each message is shown as a
/// line of its own: text after the last line break waits for the rest of its line.
#[derive(Default)]
pub struct LineJoiner {
    partial: String,
}

impl LineJoiner {
    /// The complete lines of `partial + text`, without their final line break.
    pub fn lines(&mut self, text: &str) -> Option<String> {
        self.partial.push_str(text);
        let end = self.partial.rfind('\n')?;
        let rest = self.partial.split_off(end + 1);
        let mut lines = std::mem::replace(&mut self.partial, rest);
        lines.truncate(end);
        Some(lines)
    }

    /// What is left of an unfinished last line.
    pub fn finish(&mut self) -> Option<String> {
        Some(std::mem::take(&mut self.partial)).filter(|s| !s.is_empty())
    }
}

/// Decodes UTF-8 that arrives in pieces: a character cut between two pieces waits for its
/// end; bytes that are not UTF-8 become U+FFFD.
#[derive(Default)]
pub struct Utf8Pieces {
    carry: Vec<u8>,
}

impl Utf8Pieces {
    pub fn decode(&mut self, bytes: &[u8]) -> String {
        self.carry.extend_from_slice(bytes);
        let mut text = String::new();
        let mut rest: &[u8] = &self.carry;
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(valid);
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    // The first `valid_up_to` bytes are UTF-8.
                    text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        Some(bad) => {
                            text.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[bad..];
                        }
                        // A character cut at the end: keep its start for the next piece.
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        self.carry = rest.to_vec();
        text
    }

    /// What is left at the end of the stream: a cut character, as U+FFFD.
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.carry);
        String::from_utf8_lossy(&rest).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_cut_between_pieces_are_joined() {
        let text = "añ€😀b";
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let mut pieces = Utf8Pieces::default();
            let mut got = pieces.decode(&bytes[..cut]);
            got += &pieces.decode(&bytes[cut..]);
            got += &pieces.finish();
            assert_eq!(got, text, "cut at {cut}");
        }
        let mut pieces = Utf8Pieces::default();
        assert_eq!(pieces.decode(b"a\xffb\xe2\x82"), "a\u{FFFD}b");
        assert_eq!(pieces.finish(), "\u{FFFD}");
    }

    #[test]
    fn log_lines_wait_for_their_end() {
        let mut joiner = LineJoiner::default();
        assert_eq!(joiner.lines("par"), None);
        assert_eq!(
            joiner.lines("tial\nnext\nx"),
            Some("partial\nnext".to_string())
        );
        assert_eq!(joiner.finish(), Some("x".to_string()));
        assert_eq!(joiner.finish(), None);
    }
}
