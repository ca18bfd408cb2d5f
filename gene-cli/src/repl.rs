//! `gene repl`: an interactive session. Input continues over several lines until its brackets
//! (and strings) are closed; values print in `$` form; variables persist between inputs.
//! Ctrl-C cancels the input being typed, or interrupts a running evaluation; Ctrl-D exits.
//! History is kept in `~/.gene_history`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;
use gene_syntax::SyntaxErrorKind;
use gene_vm::{Session, StdOutput, Vm};
use rustyline::error::ReadlineError;

#[derive(Args)]
pub struct ReplArgs {}

/// True when the text ends inside an open bracket, string or block comment, so more lines
/// should be read before evaluating.
pub fn needs_more_input(text: &str) -> bool {
    gene_syntax::parse_text(text).errors().iter().any(|e| {
        matches!(
            e.kind,
            SyntaxErrorKind::UnclosedDelimiter
                | SyntaxErrorKind::UnterminatedString
                | SyntaxErrorKind::UnterminatedBlockComment
        )
    })
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".gene_history"))
}

pub fn run(_args: ReplArgs) -> ExitCode {
    let mut session = Session::new(Vm::new(Box::new(StdOutput::new())));
    // Ctrl-C during an evaluation sets the VM's interrupt flag; while reading a line the
    // terminal is in raw mode and rustyline reports it instead.
    let running = Arc::new(AtomicBool::new(false));
    {
        let interrupt = session.interrupt.clone();
        let running = running.clone();
        let _ = ctrlc::set_handler(move || {
            if running.load(Ordering::SeqCst) {
                interrupt.store(true, Ordering::SeqCst);
            }
        });
    }
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    println!("Gene REPL. Ctrl-D exits, Ctrl-C cancels the input or interrupts an evaluation.");
    let mut buffer = String::new();
    let mut status = ExitCode::SUCCESS;
    loop {
        let prompt = if buffer.is_empty() {
            "gene> "
        } else {
            "  ... "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !buffer.is_empty() {
                    buffer.push('\n');
                }
                buffer.push_str(&line);
                if needs_more_input(&buffer) {
                    continue;
                }
                let input = std::mem::take(&mut buffer);
                if input.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(input.as_str());
                session.interrupt.store(false, Ordering::SeqCst);
                running.store(true, Ordering::SeqCst);
                let result = session.eval(&input);
                running.store(false, Ordering::SeqCst);
                match result {
                    Ok(value) => {
                        let out = session.services.output();
                        out.out(&gene_vm::value::inspect(&value));
                        out.out("\n");
                        out.flush();
                    }
                    Err(e) => {
                        let exit = e.exit_status();
                        let code = super::run::finish(&mut session, Err(e));
                        // `(gene/exit n)` ends the session too.
                        if exit.is_some() {
                            status = code;
                            break;
                        }
                    }
                }
            }
            Err(ReadlineError::Interrupted) => {
                if !buffer.is_empty() {
                    buffer.clear();
                }
                println!("(input cancelled)");
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    status
}

#[cfg(test)]
mod tests {
    use super::needs_more_input;

    #[test]
    fn open_brackets_and_strings_ask_for_more() {
        assert!(needs_more_input("(fn f [x]"));
        assert!(needs_more_input("(println \"abc"));
        assert!(!needs_more_input("(println 1)"));
        assert!(!needs_more_input("(println 1))"));
    }
}
