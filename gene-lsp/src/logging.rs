//! Logging: to a file (`--log-file`) or standard error, never standard output (that is the
//! protocol's). The level comes from `GENE_LSP_LOG` (`error`, `warn`, `info`, `debug`,
//! `trace`; default `info`). Panics are logged too, with where they happened.

use std::path::Path;
use std::sync::Mutex;

use tracing::Level;

fn level_from_env() -> Level {
    std::env::var("GENE_LSP_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(Level::INFO)
}

/// Installs the global logger and the panic hook. Fails only if the log file cannot be opened.
pub fn init(log_file: Option<&Path>) -> std::io::Result<()> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let level = level_from_env();
    // salsa logs every query it runs at info level: far too much for an editor's log on every
    // keystroke, so it only shows at debug and below.
    let salsa_level = if level >= Level::DEBUG {
        level
    } else {
        Level::WARN
    };
    let filter = tracing_subscriber::filter::Targets::new()
        .with_default(level)
        .with_target("salsa", salsa_level);
    let layer = tracing_subscriber::fmt::layer().with_target(false);
    let installed = match log_file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            tracing_subscriber::registry()
                .with(layer.with_writer(Mutex::new(file)))
                .with(filter)
                .try_init()
        }
        None => tracing_subscriber::registry()
            .with(layer.with_writer(std::io::stderr))
            .with(filter)
            .try_init(),
    };
    if let Err(e) = installed {
        eprintln!("gene-lsp: logging not set up: {e}");
    }
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(
            "panic{location}: {}",
            crate::job::panic_message(info.payload())
        );
    }));
    Ok(())
}
